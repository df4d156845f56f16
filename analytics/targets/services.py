"""Targets written through one path for the API and the admin: validated with field messages
(never a database constraint's name), audited in the same transaction. Not durable: the
admin saves inside its own changeform transaction (as report subscriptions do)."""

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from analytics.models import Target
from audit.services import audited_create, audited_delete, audited_update, snapshot

TARGET_FIELDS = ("name", "metric", "start", "end", "channel", "category", "amount")


def validate_target(target: Target) -> None:
    """Each field, then the span and the amount (`Target.clean`), every error on its field."""
    target.full_clean(validate_constraints=False)


@transaction.atomic
def target_create(*, actor, **fields: Any) -> Target:
    target = Target(**{name: value for name, value in fields.items() if name in TARGET_FIELDS})
    audited_create(target, actor=actor, fields=TARGET_FIELDS, validate=validate_target)
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
    audited_delete(target, actor=actor, name=target.name)
