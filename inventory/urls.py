from django.urls import path
from rest_framework.routers import SimpleRouter

from .stream import alerts_stream
from .views import StockViewSet

router = SimpleRouter()
router.register("inventory", StockViewSet, basename="stock")

urlpatterns = [*router.urls, path("alerts/stream/", alerts_stream, name="alerts-stream")]
