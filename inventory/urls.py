from rest_framework.routers import SimpleRouter

from .views import StockViewSet

router = SimpleRouter()
router.register("inventory", StockViewSet, basename="stock")

urlpatterns = router.urls
