from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.db import models

from .context import client_ip
from .models import AuditAction, AuditEntry


def entity_type_of(instance: models.Model) -> str:
    return f"{instance._meta.app_label}.{instance._meta.model_name}"


def changes_between(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for every field whose value differs."""
    return {field: [old.get(field), value] for field, value in new.items() if old.get(field) != value}


def snapshot(instance: models.Model, fields: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """Field values of an instance, foreign keys as their ids, ready for `changes_between`."""
    attnames = {field.name: field.attname for field in instance._meta.concrete_fields}
    return {name: getattr(instance, attnames[name]) for name in fields}


def person(user) -> Any:
    """The user to store as who did something; None for anonymous or system work."""
    return user if user is not None and user.is_authenticated else None


def record(
    *,
    actor,
    action: AuditAction | str,
    entity: models.Model | None = None,
    entity_type: str = "",
    entity_id: str | int = "",
    entity_repr: str = "",
    changes: dict[str, Any] | None = None,
    ip: str | None = None,
) -> AuditEntry:
    """Write one audit entry. Call it inside the transaction of the change it describes."""
    if entity is not None:
        entity_type = entity_type or entity_type_of(entity)
        entity_id = entity_id or entity.pk
        entity_repr = entity_repr or str(entity)
    return AuditEntry.objects.create(
        actor=person(actor),
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id) if entity_id is not None else "",
        entity_repr=entity_repr[:255],
        changes=changes or {},
        ip=ip or client_ip.get(),
    )


def audited_save(
    instance: models.Model, *, actor, before: dict[str, Any], state: Callable[[Any], dict]
) -> dict:
    """Save `instance` and write its `update` entry if `state(instance)` differs from `before`.
    Returns the changes ({field: [old, new]}, empty when nothing changed and nothing is written)."""
    changes = changes_between(before, state(instance))
    if changes:
        instance.save()
        record(actor=actor, action=AuditAction.UPDATE, entity=instance, changes=changes)
    return changes


def audited_create(
    instance: models.Model, *, actor, fields: tuple[str, ...], validate: Callable[[Any], None]
) -> models.Model:
    """Validate and save a new row, with a `create` entry of its `fields`. In the transaction."""
    validate(instance)
    instance.save()
    record(
        actor=actor,
        action=AuditAction.CREATE,
        entity=instance,
        changes={name: [None, value] for name, value in snapshot(instance, fields).items()},
    )
    return instance


def audited_delete(instance: models.Model, *, actor, name: str) -> None:
    """Delete a row with a `delete` entry naming it. In the transaction."""
    record(actor=actor, action=AuditAction.DELETE, entity=instance, changes={"name": [name, None]})
    instance.delete()


def audited_update(
    instance: models.Model,
    *,
    actor,
    data: Mapping[str, Any],
    fields: Sequence[str],
    state: Callable[[Any], dict],
    validate: Callable[[Any], None] = lambda instance: instance.full_clean(),
) -> dict:
    """Set the `fields` given in `data`, validate, then `audited_save`: the one way a service
    edits a row (in the spirit of HackSoft's `model_update`). Call it in the transaction."""
    before = state(instance)
    for field in fields:
        if field in data:
            setattr(instance, field, data[field])
    validate(instance)
    return audited_save(instance, actor=actor, before=before, state=state)
