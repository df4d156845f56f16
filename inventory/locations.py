"""Locations: the CEO creates and changes them (API, admin); one service for every door."""

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from audit.models import AuditAction
from audit.services import record, snapshot
from catalog.models import SalesChannel
from catalog.selectors import products_changed
from salesbackend.exceptions import ConflictError

from .models import Location, LocationStock

LOCATION_FIELDS = ("code", "name", "kind", "is_active", "priority")


def _state(location: Location) -> dict[str, Any]:
    state = snapshot(location, LOCATION_FIELDS)
    state["channels"] = sorted(channel.code for channel in location.channels.all())
    return state


# Plain atomic, not durable: the admin's change form saves inside its own transaction (as the
# discount codes' services do).
@transaction.atomic
def location_create(*, actor, channels: list[SalesChannel] | None = None, **fields: Any) -> Location:
    location = Location(**fields)
    location.full_clean()
    location.save()
    location.channels.set(channels or [])
    record(
        actor=actor,
        action=AuditAction.CREATE,
        entity=location,
        changes={field: [None, value] for field, value in _state(location).items()},
    )
    return location


@transaction.atomic
def location_update(*, location: Location, actor, data: Mapping[str, Any]) -> Location:
    """Change a location; its code names it everywhere, so it never changes. Deactivating one
    that holds stock is refused (409 `location_not_empty`): move the stock out first."""
    locked = Location.objects.select_for_update().get(pk=location.pk)
    deactivating = data.get("is_active") is False and locked.is_active
    if deactivating and LocationStock.objects.filter(location=locked, quantity__gt=0).exists():
        raise ConflictError(
            f"Location {locked.code} still holds stock: move it elsewhere before deactivating.",
            code="location_not_empty",
        )
    before = _state(locked)
    fields = {key: value for key, value in data.items() if key in ("name", "kind", "is_active", "priority")}
    if fields:
        for field, value in fields.items():
            setattr(locked, field, value)
        locked.full_clean()
        locked.save(update_fields=list(fields))
    if "channels" in data:
        locked.channels.set(data["channels"])
    after = _state(locked)
    changes = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
    if changes:
        record(actor=actor, action=AuditAction.UPDATE, entity=locked, changes=changes)
        products_changed()  # customers' stock figures follow the locations their channel sells from
    return locked
