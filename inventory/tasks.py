from celery import shared_task
from django.core.mail import send_mail

from accounts.selectors import user_emails_with_permission

from .models import Stock


@shared_task
def notify_low_stock(product_id: int) -> int:
    """E-mail the staff who manage stock that a product ran low. Returns the mails sent."""
    stock = Stock.objects.select_related("product").filter(product_id=product_id).first()
    recipients = user_emails_with_permission("inventory.manage_stock")
    if stock is None or not recipients:
        return 0
    product = stock.product
    return send_mail(
        subject=f"Low stock: {product.sku} {product.name}",
        message=(
            f"{product.name} ({product.sku}) is down to {stock.quantity} "
            f"(threshold {stock.low_stock_threshold}). Time to restock."
        ),
        from_email=None,
        recipient_list=recipients,
    )
