"""Targets written through one path for the API and the admin: validated with field messages
(never a database constraint's name), audited in the same transaction. Not durable: the
admin saves inside its own changeform transaction (as report subscriptions do)."""

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from analytics.models import Target
from audit.models import AuditAction
from audit.services import audited_update, record, snapshot

TARGET_FIELDS = ("name", "metric", "start", "end", "channel", "category", "amount")


def validate_target(target: Target) -> None:
    """Each field, then the span and the amount (`Target.clean`), every error on its field."""
    target.full_clean(validate_constraints=False)


@transaction.atomic
def target_create(*, actor, **fields: Any) -> Target:
    target = Target(**{name: value for name, value in fields.items() if name in TARGET_FIELDS})
    validate_target(target)
    target.save()
    record(
        actor=actor,
        action=AuditAction.CREATE,
        entity=target,
        changes={name: [None, value] for name, value in snapshot(target, TARGET_FIELDS).items()},
    )
    return target


@transaction.atomic
def target_update(*, target: Target, actor, data: Mapping[str, Any]) -> Target:
    audited_update(
        target,
        actor=actor,
        data=data,
        fields=TARGET_FIELDS,
        state=lambda instance: snapshot(instance, TARGET_FIELDS),
        validate=validate_target,
    )
    return target


@transaction.atomic
def target_delete(*, target: Target, actor) -> None:
    record(actor=actor, action=AuditAction.DELETE, entity=target, changes={"name": [target.name, None]})
    target.delete()
