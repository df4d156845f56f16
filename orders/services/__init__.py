"""Every change to orders, by topic: placement, editing a pending order, the status machine and
its lifecycle, refunds, returns, discount codes and reviews.

The API, the admin and the commands call these functions; each outermost one is a durable
transaction that writes its own status change and audit entry and sends events only after
commit. Helpers that always run inside one take no savepoint.
"""

from .discount_codes import (
    DISCOUNT_CODE_FIELDS,
    discount_code_create,
    discount_code_delete,
    discount_code_update,
    discount_code_validate,
)
from .editing import KEEP, order_update
from .lifecycle import order_cancel, order_expire, order_set_status, orders_expire
from .lines import MAX_LINE_QUANTITY
from .placement import Placement, order_place
from .products import unordered_product_delete
from .refunds import order_refund
from .returns import (
    RETURN_TRANSITIONS,
    return_approve,
    return_cancel,
    return_receive,
    return_refund,
    return_reject,
    return_request,
)
from .reviews import review_create
from .status import (
    CANCELLABLE_BY_OWNER,
    CANCELLABLE_BY_STAFF,
    REFUNDABLE_STATUSES,
    SALE_RECORDED_STATUSES,
    TRANSITIONS,
)

__all__ = [
    "CANCELLABLE_BY_OWNER",
    "CANCELLABLE_BY_STAFF",
    "DISCOUNT_CODE_FIELDS",
    "KEEP",
    "MAX_LINE_QUANTITY",
    "REFUNDABLE_STATUSES",
    "RETURN_TRANSITIONS",
    "SALE_RECORDED_STATUSES",
    "TRANSITIONS",
    "Placement",
    "discount_code_create",
    "discount_code_delete",
    "discount_code_update",
    "discount_code_validate",
    "order_cancel",
    "order_expire",
    "order_place",
    "order_refund",
    "order_set_status",
    "order_update",
    "orders_expire",
    "return_approve",
    "return_cancel",
    "return_receive",
    "return_refund",
    "return_reject",
    "return_request",
    "review_create",
    "unordered_product_delete",
]
