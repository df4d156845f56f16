from django.urls import path
from rest_framework.routers import SimpleRouter

from .stream import alerts_stream
from .views import LocationViewSet, StockViewSet, TransferViewSet

router = SimpleRouter()
router.register("inventory", StockViewSet, basename="stock")
router.register("locations", LocationViewSet, basename="location")
router.register("transfers", TransferViewSet, basename="transfer")

urlpatterns = [*router.urls, path("alerts/stream/", alerts_stream, name="alerts-stream")]
