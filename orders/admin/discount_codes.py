"""Discount codes: saved, changed and deleted through the same services as the API."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import construct_instance

from orders import services
from orders.models import DiscountCode, DiscountKind
from orders.selectors import discount_codes_current, discount_codes_with_uses
from salesbackend.admin import money_display, service_error_message
from salesbackend.exceptions import ApplicationError


class DiscountCodeForm(forms.ModelForm):
    class Meta:
        model = DiscountCode
        fields = (*services.DISCOUNT_CODE_FIELDS, "channels", "categories")

    def _post_clean(self):
        """The service's own rules (case-insensitive code, percent range, date order) in place of
        the model's: they say as sentences on the fields what the database constraints would
        only name. A field the form already refused is not judged again."""
        opts = self._meta
        try:
            self.instance = construct_instance(self, self.instance, opts.fields, opts.exclude)
        except ValidationError as error:
            self._update_errors(error)
        try:
            services.discount_code_validate(self.instance)
        except ValidationError as error:
            fresh = {
                field: messages for field, messages in error.message_dict.items() if field not in self._errors
            }
            if fresh:
                self._update_errors(ValidationError(fresh))


class CodeStateFilter(admin.SimpleListFilter):
    title = "validity"
    parameter_name = "validity"

    def lookups(self, request, model_admin):
        return [("current", "Current"), ("expired", "Expired")]

    def queryset(self, request, queryset):
        if self.value() in ("current", "expired"):
            return discount_codes_current(queryset, current=self.value() == "current")
        return queryset


@admin.register(DiscountCode)
class DiscountCodeAdmin(admin.ModelAdmin):
    """Saved, changed and deleted through the same services as the API (validation, audit)."""

    form = DiscountCodeForm
    list_display = (
        "code",
        "kind",
        "value_display",
        "uses_display",
        "max_uses",
        "starts_at",
        "ends_at",
        "is_active",
    )
    list_filter = ("is_active", CodeStateFilter, "kind")
    search_fields = ("code", "description")
    filter_horizontal = ("channels", "categories")

    def get_queryset(self, request):
        return discount_codes_with_uses()

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # deletes go through the service (409 when used, audit)
        return actions

    @admin.display(description="value", ordering="value")
    def value_display(self, code: DiscountCode) -> str:
        if code.kind == DiscountKind.PERCENT:
            return f"{code.value.normalize():f} %"
        return money_display(code.value)

    @admin.display(description="uses", ordering="uses")
    def uses_display(self, code):
        return code.uses

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in services.DISCOUNT_CODE_FIELDS}
        scope = {"channels": form.cleaned_data["channels"], "categories": form.cleaned_data["categories"]}
        try:
            if change:
                services.discount_code_update(
                    code=DiscountCode.objects.get(pk=obj.pk), actor=request.user, data={**fields, **scope}
                )
            else:
                obj.pk = services.discount_code_create(actor=request.user, **fields, **scope).pk
        except (ValidationError, ApplicationError) as error:
            raise PermissionDenied(service_error_message(error)) from error

    def save_related(self, request, form, formsets, change):
        pass  # the service set the channels and categories

    def delete_model(self, request, obj):
        try:
            services.discount_code_delete(code=obj, actor=request.user)
        except ApplicationError as error:
            self.message_user(request, service_error_message(error), messages.ERROR)
