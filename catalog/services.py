"""Writes on the catalog: categories, products (one, a bulk list, an import file) and channels.

Every write validates with the model's own rules (`full_clean`), runs in one transaction and
writes its audit entry there. The API, the admin and commands all call these functions.

The catalog knows nothing of what other apps keep per product. Flows that write a product
with such data live in the app that owns it and call the product functions here; the doors
call those flows. For them the import accepts extra columns (read and validated by the caller,
whose errors join each row's own) and names the row of every product it saved.
"""

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.text import slugify

from audit.models import AuditAction
from audit.services import audited_save, audited_update, person, record, snapshot
from salesbackend.exceptions import ApplicationError, ConflictError

from .models import Category, Product, ProductStatus, SalesChannel
from .selectors import PRODUCT_FILE_COLUMNS, CategoryTree, channels_changed
from .tabular import Table

CATEGORY_FIELDS = ("name", "slug", "description", "parent", "is_active")
PRODUCT_FIELDS = ("sku", "name", "description", "price", "cost_price", "status", "category", "image_url")
CHANNEL_FIELDS = ("code", "name", "is_active")

IMPORT_REQUIRED_FOR_NEW = ("name", "price", "cost_price")


# A bad file can have an error in every cell: the first ones say what is wrong.
MAX_ROW_ERRORS = 100


class RowErrors(ApplicationError):
    """Some rows of a bulk write are invalid; nothing was written. `errors` names the first
    MAX_ROW_ERRORS, `error_count` counts them all."""

    def __init__(self, errors: list[dict[str, Any]]):
        shown = errors[:MAX_ROW_ERRORS]
        super().__init__(
            "Nothing was written: some rows are invalid.",
            code="invalid_rows",
            extra={"errors": shown, "error_count": len(errors)},
        )
        self.errors = shown
        self.error_count = len(errors)


def validation_error_rows(error: ValidationError, *, key: str, position: int) -> list[dict[str, Any]]:
    """A Django ValidationError as [{key: position, "field", "message"}]."""
    messages = error.message_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}
    return [
        {key: position, "field": None if field == NON_FIELD_ERRORS else field, "message": message}
        for field, field_messages in messages.items()
        for message in field_messages
    ]


# Categories ---------------------------------------------------------------------------------


def _category_state(category: Category) -> dict[str, Any]:
    state = snapshot(category, CATEGORY_FIELDS)
    state["parent"] = category.parent.slug if category.parent else None
    return state


def category_validate_parent(*, category: Category, parent: Category | None) -> None:
    """A category may not sit under itself or under one of its own sub-categories."""
    if category.pk is None or parent is None:
        return
    if parent.pk in CategoryTree.load().descendant_ids(category.pk):
        raise ValidationError(
            {"parent": ["A category cannot be moved under itself or one of its sub-categories."]}
        )


def _lock_tree() -> None:
    """Tree moves are rare: serialise them so two concurrent moves cannot build a cycle together."""
    list(Category.objects.select_for_update().values_list("pk", flat=True))


@transaction.atomic
def category_create(
    *,
    actor,
    name: str,
    slug: str = "",
    description: str = "",
    parent: Category | None = None,
    is_active: bool = True,
) -> Category:
    category = Category(
        name=name,
        slug=slug or slugify(name),
        description=description,
        parent=parent,
        is_active=is_active,
    )
    category.full_clean()
    category.save()
    record(
        actor=actor,
        action=AuditAction.CREATE,
        entity=category,
        changes={field: [None, value] for field, value in _category_state(category).items()},
    )
    return category


@transaction.atomic
def category_update(*, category: Category, actor, data: Mapping[str, Any]) -> Category:
    """Change any of name, slug, description, parent, is_active. A parent cycle is a field error."""

    def validate(category: Category) -> None:
        category.full_clean()
        if "parent" in data:
            _lock_tree()
            category_validate_parent(category=category, parent=category.parent)

    audited_update(
        category, actor=actor, data=data, fields=CATEGORY_FIELDS, state=_category_state, validate=validate
    )
    return category


@transaction.atomic
def category_delete(*, category: Category, actor) -> None:
    """Delete an empty category. With products or sub-categories it stays (409)."""
    if category.products.exists():
        raise ConflictError(
            "This category still has products; move or delete them first.", code="category_has_products"
        )
    if category.children.exists():
        raise ConflictError(
            "This category has sub-categories; move or delete them first.", code="category_has_children"
        )
    state = _category_state(category)
    entity_id, entity_repr = category.pk, str(category)
    try:
        category.delete()
    except ProtectedError as exc:  # e.g. sales records still point at it
        raise ConflictError("This category is still referenced by sales.", code="category_in_use") from exc
    record(
        actor=actor,
        action=AuditAction.DELETE,
        entity_type="catalog.category",
        entity_id=entity_id,
        entity_repr=entity_repr,
        changes={field: [value, None] for field, value in state.items()},
    )


# Products -----------------------------------------------------------------------------------


def _product_state(product: Product) -> dict[str, Any]:
    state = snapshot(product, PRODUCT_FIELDS)
    state["category"] = product.category.slug if product.category else None
    return state


def _validate_product(product: Product, *, check_unique: bool = True) -> None:
    """The model's field rules (price > 0, cost >= 0, status, URL, unique SKU) as field errors.
    The database check constraints hold the same rules, so they need no extra queries here."""
    product.full_clean(validate_unique=check_unique, validate_constraints=False)


def _insert_product(product: Product, *, actor) -> Product:
    """Save a validated new product and audit it."""
    product.created_by = person(actor)
    product.save()
    record(
        actor=actor,
        action=AuditAction.CREATE,
        entity=product,
        changes={field: [None, value] for field, value in _product_state(product).items()},
    )
    return product


@transaction.atomic
def product_create(
    *,
    actor,
    sku: str,
    name: str,
    price: Decimal,
    cost_price: Decimal,
    description: str = "",
    status: str = ProductStatus.ACTIVE,
    category: Category | None = None,
    image_url: str = "",
) -> Product:
    """A new product, on its own (the doors create one through `inventory.services`)."""
    product = Product(
        sku=sku,
        name=name,
        description=description,
        price=price,
        cost_price=cost_price,
        status=status,
        category=category,
        image_url=image_url,
    )
    _validate_product(product)
    return _insert_product(product, actor=actor)


@transaction.atomic
def product_update(*, product: Product, actor, data: Mapping[str, Any]) -> Product:
    """Change any of the product fields; the audit entry lists {field: [old, new]}."""
    audited_update(
        product,
        actor=actor,
        data=data,
        fields=PRODUCT_FIELDS,
        state=_product_state,
        validate=_validate_product,
    )
    return product


@transaction.atomic
def product_delete(*, product: Product, actor) -> None:
    """Delete a product nothing refers to any more; otherwise 409: archive it. What other apps
    keep per product goes first: the doors delete through `orders.services.unordered_product_delete`."""
    state = _product_state(product)
    entity_id, entity_repr = product.pk, str(product)
    try:
        product.delete()
    except ProtectedError as exc:
        raise ConflictError(
            "This product is still referenced; archive it instead (status=archived).", code="product_in_use"
        ) from exc
    record(
        actor=actor,
        action=AuditAction.DELETE,
        entity_type="catalog.product",
        entity_id=entity_id,
        entity_repr=entity_repr,
        changes={field: [value, None] for field, value in state.items()},
    )


def products_bulk_check(*, items: Sequence[Mapping[str, Any]]) -> None:
    """Refuse a list that repeats a SKU (RowErrors naming the later items by list index), before
    anything is written: a product creation checks each item against the database only."""
    errors: list[dict[str, Any]] = []
    first_index_of_sku: dict[Any, int] = {}
    for index, item in enumerate(items):
        sku = item.get("sku")
        if sku in first_index_of_sku:
            message = f"The SKU {sku!r} is already used by item {first_index_of_sku[sku]} of this list."
            errors.append({"index": index, "field": "sku", "message": message})
        first_index_of_sku.setdefault(sku, index)
    if errors:
        raise RowErrors(errors)


# Import -------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    created: int
    updated: int
    dry_run: bool
    # (row number, product) for every saved row, in file order; empty on a dry run. A caller
    # that read extra columns applies them to these products.
    saved: list[tuple[int, Product]] = dataclasses.field(default_factory=list)


@dataclass
class _ImportRow:
    product: Product
    number: int  # the spreadsheet row
    before: dict[str, Any] | None  # None for a new product


def _import_row(
    number: int,
    cells: dict[str, str],
    *,
    existing: dict[str, Product],
    categories: dict[str, Category],
    extra_errors: Mapping[str, list[str]],
) -> _ImportRow:
    """One validated row. An empty cell keeps an existing product's value (a new one gets the
    default). All of a row's errors are reported together, the caller's `extra_errors` last."""
    sku = cells["sku"]
    product = existing.get(sku)
    before = _product_state(product) if product else None
    errors: dict[str, list[str]] = {}
    if product is None:
        product = Product(sku=sku)
        for field in IMPORT_REQUIRED_FOR_NEW:
            if not cells.get(field):
                errors[field] = ["This field is required."]
    for field in ("name", "description", "price", "cost_price", "image_url"):
        if cells.get(field):
            setattr(product, field, cells[field])
    if cells.get("status"):
        product.status = cells["status"].lower()
    if cells.get("category"):
        product.category = categories.get(cells["category"])
        if product.category is None:
            errors["category"] = [f"Unknown category {cells['category']!r}."]
    try:
        # SKUs were looked up in bulk, so the per-row unique query is not needed.
        _validate_product(product, check_unique=False)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, messages)
    errors.update(extra_errors)
    if errors:
        raise ValidationError(errors)
    return _ImportRow(product=product, number=number, before=before)


@transaction.atomic
def product_import(
    *,
    actor,
    table: Table,
    filename: str = "",
    dry_run: bool = False,
    extra_columns: Sequence[str] = (),
    extra_errors: Mapping[int, Mapping[str, list[str]]] | None = None,
) -> ImportResult:
    """Create or update products by SKU from a table read from a CSV or XLSX file
    (`catalog.tabular.read_table`), all rows or none.

    `extra_columns` are known to the caller, which reads them; `extra_errors` are its errors by
    row number, reported with the row's own. Every row is validated before anything is written;
    errors are [{row, field, message}] with spreadsheet row numbers (header = row 1). `dry_run`
    validates and counts without writing.
    """
    known = {*PRODUCT_FILE_COLUMNS, *extra_columns}
    errors = [
        {"row": 1, "field": column, "message": "Unknown column."}
        for column in table.header
        if column and column not in known
    ]
    if "sku" not in table.header:
        errors.append({"row": 1, "field": "sku", "message": "The sku column is required."})
    if errors:
        raise RowErrors(errors)
    if not table.rows:
        raise RowErrors([{"row": 2, "field": None, "message": "The file has no product rows."}])
    # PostgreSQL refuses NUL in text, even in the SKU lookup below
    errors = [
        {"row": number, "field": column, "message": "Null characters are not allowed."}
        for number, cells in table.rows
        for column, value in cells.items()
        if "\x00" in value
    ]
    if errors:
        raise RowErrors(errors)

    skus = {cells["sku"] for _, cells in table.rows}
    existing = {p.sku: p for p in Product.objects.select_related("category").filter(sku__in=skus)}
    categories = {c.slug: c for c in Category.objects.all()}
    first_row_of_sku: dict[str, int] = {}
    planned: list[_ImportRow] = []
    for number, cells in table.rows:
        sku = cells["sku"]
        if not sku:
            errors.append({"row": number, "field": "sku", "message": "This field is required."})
            continue
        if sku in first_row_of_sku:
            message = f"The SKU {sku!r} already appears in row {first_row_of_sku[sku]}."
            errors.append({"row": number, "field": "sku", "message": message})
            continue
        first_row_of_sku[sku] = number
        try:
            planned.append(
                _import_row(
                    number,
                    cells,
                    existing=existing,
                    categories=categories,
                    extra_errors=(extra_errors or {}).get(number, {}),
                )
            )
        except ValidationError as error:
            errors.extend(validation_error_rows(error, key="row", position=number))
    if errors:
        raise RowErrors(errors)

    created = sum(1 for row in planned if row.before is None)
    result = ImportResult(created=created, updated=len(planned) - created, dry_run=dry_run)
    if dry_run:
        return result
    for row in planned:
        if row.before is None:
            _insert_product(row.product, actor=actor)
        else:
            audited_save(row.product, actor=actor, before=row.before, state=_product_state)
        result.saved.append((row.number, row.product))
    record(
        actor=actor,
        action=AuditAction.IMPORT,
        entity_type="catalog.product",
        entity_repr=filename or "product import",
        changes={
            "file": [None, filename],
            "created": [None, result.created],
            "updated": [None, result.updated],
        },
    )
    return result


# Channels -----------------------------------------------------------------------------------


@transaction.atomic
def channel_create(*, actor, code: str, name: str, is_active: bool = True) -> SalesChannel:
    channel = SalesChannel(code=code, name=name, is_active=is_active)
    channel.full_clean()
    channel.save()
    channels_changed()
    record(
        actor=actor,
        action=AuditAction.CREATE,
        entity=channel,
        changes={field: [None, value] for field, value in snapshot(channel, CHANNEL_FIELDS).items()},
    )
    return channel


@transaction.atomic
def channel_update(*, channel: SalesChannel, actor, data: Mapping[str, Any]) -> SalesChannel:
    """Rename or (de)activate a channel. Its code is how orders name it, so it never changes."""
    audited_update(
        channel,
        actor=actor,
        data=data,
        fields=("name", "is_active"),
        state=lambda channel: snapshot(channel, CHANNEL_FIELDS),
    )
    channels_changed()
    return channel
