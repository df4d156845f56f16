"""Discount codes: created, changed and deleted by staff, each with its audit entry.

Not durable: the admin saves them inside the transaction Django's change form opens."""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower

from audit.models import AuditAction
from audit.services import audited_save, person, record, snapshot
from orders.models import (
    DiscountCode,
    DiscountKind,
)
from salesbackend.exceptions import ConflictError

DISCOUNT_CODE_FIELDS = (
    "code",
    "description",
    "kind",
    "value",
    "min_subtotal",
    "starts_at",
    "ends_at",
    "max_uses",
    "max_uses_per_customer",
    "is_active",
)


def _discount_code_state(code: DiscountCode) -> dict[str, Any]:
    state = snapshot(code, DISCOUNT_CODE_FIELDS)
    state["channels"] = sorted(channel.code for channel in code.channels.all())
    state["categories"] = sorted(category.slug for category in code.categories.all())
    return state


def discount_code_validate(code: DiscountCode) -> None:
    """The model's rules, the case-insensitive uniqueness of the code and the date order."""
    errors: dict[str, list[str]] = {}
    try:  # uniqueness is checked below, in any case, with a sentence on the code
        code.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        errors.update(error.message_dict)
    others = DiscountCode.objects.alias(code_lower=Lower("code")).filter(code_lower=code.code.lower())
    if code.code and others.exclude(pk=code.pk).exists():
        errors.setdefault("code", []).append("A discount code with this code already exists.")
    if code.kind == DiscountKind.PERCENT and code.value is not None and not 0 < code.value <= 100:
        errors.setdefault("value", []).append("A percentage must be more than 0 and at most 100.")
    if code.value is not None and code.value <= 0:
        errors.setdefault("value", []).append("The value must be more than 0.")
    if code.starts_at and code.ends_at and code.ends_at <= code.starts_at:
        errors.setdefault("ends_at", []).append("The end must come after the start.")
    if errors:
        raise ValidationError(errors)


def _set_code_scope(code: DiscountCode, data: Mapping[str, Any]) -> None:
    if "channels" in data:
        code.channels.set(data["channels"])
    if "categories" in data:
        code.categories.set(data["categories"])


@transaction.atomic
def discount_code_create(*, actor, channels=(), categories=(), **fields: Any) -> DiscountCode:
    """A new discount code; `channels` and `categories` empty mean every one."""
    code = DiscountCode(**{field: value for field, value in fields.items() if field in DISCOUNT_CODE_FIELDS})
    code.code = (code.code or "").strip()
    discount_code_validate(code)
    code.created_by = person(actor)
    code.save()
    _set_code_scope(code, {"channels": channels, "categories": categories})
    record(
        actor=actor,
        action=AuditAction.CREATE,
        entity=code,
        changes={field: [None, value] for field, value in _discount_code_state(code).items()},
    )
    return code


@transaction.atomic
def discount_code_update(*, code: DiscountCode, actor, data: Mapping[str, Any]) -> DiscountCode:
    """Change any field of a code; the audit entry lists {field: [old, new]}. Orders placed
    with it keep the discount they got."""
    locked = DiscountCode.objects.select_for_update().get(pk=code.pk)
    before = _discount_code_state(locked)
    for field in DISCOUNT_CODE_FIELDS:
        if field in data:
            setattr(locked, field, data[field])
    discount_code_validate(locked)
    _set_code_scope(locked, data)  # many-to-many rows: set before the diff that audits them
    audited_save(locked, actor=actor, before=before, state=_discount_code_state)
    return locked


@transaction.atomic
def discount_code_delete(*, code: DiscountCode, actor) -> None:
    """Delete a code no order used; a used one is 409 (deactivate it instead)."""
    if code.orders.exists():
        raise ConflictError(
            "This discount code was used by orders and cannot be deleted; deactivate it instead.",
            code="discount_code_used",
        )
    state = _discount_code_state(code)
    entity_id, entity_repr = code.pk, str(code)
    code.delete()
    record(
        actor=actor,
        action=AuditAction.DELETE,
        entity_type="orders.discountcode",
        entity_id=entity_id,
        entity_repr=entity_repr,
        changes={field: [value, None] for field, value in state.items()},
    )
