from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("discount-codes", views.DiscountCodeViewSet, basename="discount-code")
router.register("returns", views.ReturnViewSet, basename="return")

urlpatterns = [
    *router.urls,
    path("orders/", views.OrderListCreateView.as_view(), name="order-list"),
    path("orders/<int:pk>/", views.OrderDetailView.as_view(), name="order-detail"),
    path("orders/<int:pk>/status/", views.OrderStatusView.as_view(), name="order-status"),
    path("orders/<int:pk>/cancel/", views.OrderCancelView.as_view(), name="order-cancel"),
    path("orders/<int:pk>/refunds/", views.OrderRefundListCreateView.as_view(), name="order-refunds"),
    path("orders/<int:pk>/returns/", views.OrderReturnCreateView.as_view(), name="order-returns"),
    path(
        "products/<int:product_id>/reviews/",
        views.ProductReviewListCreateView.as_view(),
        name="product-reviews",
    ),
]
