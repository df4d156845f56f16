from rest_framework.routers import SimpleRouter

from analytics.views.subscriptions import ReportSubscriptionViewSet

router = SimpleRouter()
router.register("report-subscriptions", ReportSubscriptionViewSet, basename="report-subscription")

urlpatterns = router.urls
