"""Report subscriptions in the admin, saved and deleted through the same functions as the API,
and scoped like it: own subscriptions, the CEO's all."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from analytics import subscriptions
from analytics.models import ReportDelivery, ReportSubscription
from salesbackend.parsers import BoundedJSONFormField


class ReportSubscriptionForm(forms.ModelForm):
    filters = BoundedJSONFormField(required=False, initial=dict)

    class Meta:
        model = ReportSubscription
        fields = ("user", "report", "filters", "frequency", "hour", "is_active")

    def _post_clean(self):
        super()._post_clean()
        try:  # the report name and its filters, as the service checks them
            subscriptions.validate_subscription(self.instance)
        except ValidationError as error:
            self._update_errors(error)


class ReportDeliveryInline(admin.TabularInline):
    model = ReportDelivery
    fields = ("due_at", "sent_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "e-mails sent"

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ReportSubscription)
class ReportSubscriptionAdmin(admin.ModelAdmin):
    form = ReportSubscriptionForm
    list_display = ("report", "user", "frequency", "hour", "is_active", "created_at")
    list_filter = ("report", "frequency", "is_active")
    search_fields = ("user__email", "report")
    list_select_related = ("user",)
    inlines = (ReportDeliveryInline,)

    def get_queryset(self, request):
        return subscriptions.report_subscriptions_of(request.user).select_related("user")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if not subscriptions.manages_all_subscriptions(request.user):  # subscribe oneself only
            form.base_fields["user"].queryset = get_user_model().objects.filter(pk=request.user.pk)
        return form

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # deletes go through the service, one by one
        return actions

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in subscriptions.SUBSCRIPTION_FIELDS}
        if change:
            subscriptions.report_subscription_update(
                subscription=ReportSubscription.objects.get(pk=obj.pk), actor=request.user, data=data
            )
        else:
            created = subscriptions.report_subscription_create(
                user=form.cleaned_data["user"], actor=request.user, **data
            )
            obj.pk = created.pk

    def delete_model(self, request, obj):
        subscriptions.report_subscription_delete(subscription=obj, actor=request.user)
        messages.success(request, "Subscription deleted.")
