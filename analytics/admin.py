"""Report subscriptions, targets and alerts in the admin, saved and deleted through the same
functions as the API, and scoped like it: own subscriptions and alerts, the CEO's all."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from analytics import subscriptions
from analytics.alerts import services as alerts
from analytics.models import ReportAlert, ReportAlertFiring, ReportDelivery, ReportSubscription, Target
from analytics.targets import services as targets
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


class TargetForm(forms.ModelForm):
    class Meta:
        model = Target
        fields = targets.TARGET_FIELDS


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    """The CEO writes targets (through the API's services); salespeople see them."""

    form = TargetForm
    list_display = ("name", "metric", "start", "end", "channel", "category", "amount")
    list_filter = ("metric", "channel", ("start", admin.DateFieldListFilter), "category")
    search_fields = ("name",)
    list_select_related = ("channel", "category")
    date_hierarchy = "start"

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # deletes go through the service, one by one
        return actions

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in targets.TARGET_FIELDS}
        if change:
            targets.target_update(target=Target.objects.get(pk=obj.pk), actor=request.user, data=data)
        else:
            obj.pk = targets.target_create(actor=request.user, **data).pk

    def delete_model(self, request, obj):
        targets.target_delete(target=obj, actor=request.user)


class ReportAlertForm(forms.ModelForm):
    class Meta:
        model = ReportAlert
        fields = ("user", *alerts.ALERT_FIELDS)


class ReportAlertFiringInline(admin.TabularInline):
    model = ReportAlertFiring
    fields = ("period_key", "value", "fired_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "times it fired (once per period)"

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ReportAlert)
class ReportAlertAdmin(admin.ModelAdmin):
    """Own alerts (the CEO's all), saved through the API's services; "Check now" evaluates
    the selected alerts as `POST .../check/` does, e-mailing nothing."""

    form = ReportAlertForm
    list_display = ("name", "user", "metric", "period", "condition", "value", "channel", "is_active")
    list_display += ("last_triggered_at",)
    list_filter = ("metric", "period", "channel", "is_active", ("user", admin.RelatedOnlyFieldListFilter))
    search_fields = ("name", "user__email")
    list_select_related = ("user", "channel", "category")
    readonly_fields = ("last_triggered_at",)
    inlines = (ReportAlertFiringInline,)
    actions = ("check_now",)

    def get_queryset(self, request):
        return alerts.report_alerts_of(request.user)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if not alerts.manages_all_alerts(request.user):  # one's own alerts only
            form.base_fields["user"].queryset = get_user_model().objects.filter(pk=request.user.pk)
        return form

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # deletes go through the service, one by one
        return actions

    @admin.action(description="Check now (e-mails nothing)", permissions=["view"])
    def check_now(self, request, queryset):
        for evaluation in alerts.alerts_evaluate(list(queryset)):
            alert = evaluation.alert
            value = alerts.value_in_words(alert.metric, evaluation.value)
            threshold = alerts.value_in_words(alert.metric, alert.value)
            verdict = "would fire" if evaluation.triggered else "would not fire"
            level = messages.WARNING if evaluation.triggered else messages.INFO
            self.message_user(
                request, f"“{alert.name}”: {value} ({alert.condition} {threshold}?) — {verdict}.", level
            )

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in alerts.ALERT_FIELDS}
        if change:
            alerts.report_alert_update(
                alert=ReportAlert.objects.get(pk=obj.pk), actor=request.user, data=data
            )
        else:
            obj.pk = alerts.report_alert_create(user=form.cleaned_data["user"], actor=request.user, **data).pk

    def delete_model(self, request, obj):
        alerts.report_alert_delete(alert=obj, actor=request.user)
