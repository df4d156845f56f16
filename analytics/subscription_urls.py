from rest_framework.routers import SimpleRouter

from analytics.views.alerts import ReportAlertViewSet
from analytics.views.subscriptions import ReportSubscriptionViewSet
from analytics.views.targets import TargetViewSet

router = SimpleRouter()
router.register("report-subscriptions", ReportSubscriptionViewSet, basename="report-subscription")
router.register("targets", TargetViewSet, basename="target")
router.register("report-alerts", ReportAlertViewSet, basename="report-alert")

urlpatterns = router.urls
