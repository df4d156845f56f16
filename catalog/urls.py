from rest_framework.routers import SimpleRouter

from .views import CategoryViewSet, ChannelViewSet, ProductViewSet

router = SimpleRouter()
router.register("categories", CategoryViewSet, basename="category")
router.register("products", ProductViewSet, basename="product")
router.register("channels", ChannelViewSet, basename="channel")

urlpatterns = router.urls
