"""Reads of the catalog: what a user may see, the category tree, product lists and files.

The category tree is small (hundreds of rows at most), so tree questions load every category in
one query and walk it in memory: a constant number of queries whatever the depth.
"""

from collections import defaultdict
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from salesbackend.versions import process_copy, version_bump_on_commit

from .models import Category, Product, ProductStatus, SalesChannel
from .permissions import is_staff_user

# The catalog's columns of a product file: what the import reads and the export writes (so an
# export can be edited and imported back). Other apps add their own columns to the file.
PRODUCT_FILE_COLUMNS = (
    "sku",
    "name",
    "description",
    "price",
    "cost_price",
    "category",
    "status",
    "image_url",
)


CATEGORY_TREE_VERSION_KEY = "catalog:category-tree-version"
CHANNELS_VERSION_KEY = "catalog:channels-version"


def channels_changed() -> None:
    """A sales channel written: every process reads the channels again."""
    version_bump_on_commit(CHANNELS_VERSION_KEY, also_now=True)


def _channels_by_code() -> dict[str, SalesChannel]:
    """This process's copy of every channel while none changed (they change a few times a year)."""
    return process_copy(CHANNELS_VERSION_KEY, lambda: {c.code: c for c in SalesChannel.objects.all()})


def active_channel(code: str) -> SalesChannel | None:
    """The active sales channel with this code (every order names one)."""
    channel = _channels_by_code().get(code)
    return channel if channel is not None and channel.is_active else None


def channel_names() -> dict[str, str]:
    """Every channel's name by its code, for pages that show a code's channel."""
    return {code: channel.name for code, channel in _channels_by_code().items()}


def category_names() -> dict[str, str]:
    """Every category's name by its slug, for pages that show a slug's category."""
    return {category.slug: category.name for category in CategoryTree.current().by_id.values()}


def category_tree_changed() -> None:
    """Any category written or deleted: every process reads the tree again."""
    version_bump_on_commit(CATEGORY_TREE_VERSION_KEY, also_now=True)


# Moves whenever what a product list shows changes: a product, or what other apps show with it
# (they bump it through `products_changed`).
PRODUCTS_VERSION_KEY = "catalog:products-version"


def products_changed() -> None:
    version_bump_on_commit(PRODUCTS_VERSION_KEY, also_now=True)


@dataclass
class CategoryNode:
    """A category with its place in the tree: ancestors root first, visible children, depth."""

    category: Category
    ancestors: list[Category] = field(default_factory=list)
    children: list[Category] = field(default_factory=list)

    @property
    def depth(self) -> int:
        return len(self.ancestors)

    @property
    def path(self) -> str:
        return " / ".join(c.name for c in [*self.ancestors, self.category])


class CategoryTree:
    """Every category, indexed by id and by parent, loaded with one query."""

    def __init__(self, categories: list[Category]):
        # Keyed by id; looking up a root's parent (None) finds nothing.
        self.by_id: dict[int | None, Category] = {c.pk: c for c in categories}
        self.children_of: dict[int | None, list[Category]] = defaultdict(list)
        for category in categories:
            self.children_of[category.parent_id].append(category)
        for siblings in self.children_of.values():
            siblings.sort(key=lambda c: (c.name.lower(), c.pk))

    @classmethod
    def load(cls) -> "CategoryTree":
        """Read from the database now: for writers that validate the tree under a lock."""
        return cls(list(Category.objects.all()))

    @classmethod
    def current(cls) -> "CategoryTree":
        """For readers: this process's copy while no category changed since it was read, so a
        request that filters by category or hides inactive ones costs no query for the tree.
        Treat it as read-only: other requests share it."""
        return process_copy(CATEGORY_TREE_VERSION_KEY, cls.load)

    def ancestors(self, category: Category) -> list[Category]:
        """Root first. Stops on a (never expected) cycle instead of looping."""
        chain: list[Category] = []
        seen = {category.pk}
        parent = self.by_id.get(category.parent_id)
        while parent is not None and parent.pk not in seen:
            chain.append(parent)
            seen.add(parent.pk)
            parent = self.by_id.get(parent.parent_id)
        return chain[::-1]

    def descendant_ids(self, category_id: int) -> set[int]:
        """The ids of a category and of all its sub-categories, at any depth."""
        found: set[int] = set()
        pending = [category_id]
        while pending:
            current = pending.pop()
            if current in found:
                continue
            found.add(current)
            pending.extend(child.pk for child in self.children_of.get(current, []))
        return found

    def hidden_ids(self) -> set[int]:
        """Categories customers never see: the inactive ones and everything below them."""
        hidden: set[int] = set()
        for category in self.by_id.values():
            if not category.is_active:
                hidden |= self.descendant_ids(category.pk)
        return hidden

    def depth_first(self, *, exclude: AbstractSet[int] = frozenset()) -> list[CategoryNode]:
        """Every category in tree order (parents before children, siblings by name)."""
        nodes: list[CategoryNode] = []

        def walk(parent_id: int | None, ancestors: list[Category]) -> None:
            for category in self.children_of.get(parent_id, []):
                if category.pk in exclude:
                    continue
                children = [c for c in self.children_of.get(category.pk, []) if c.pk not in exclude]
                nodes.append(CategoryNode(category, ancestors, children))
                walk(category.pk, [*ancestors, category])

        walk(None, [])
        return nodes


def category_tree_for(*, user) -> list[CategoryNode]:
    """The categories `user` may see, in tree order; customers see active branches only."""
    tree = CategoryTree.current()
    return tree.depth_first(exclude=set() if is_staff_user(user) else tree.hidden_ids())


def category_node_get(*, slug: str, user) -> CategoryNode:
    """One category with ancestors and (visible) children; 404 when `user` may not see it."""
    tree = CategoryTree.current()
    category = next((c for c in tree.by_id.values() if c.slug == slug), None)
    hidden = set() if is_staff_user(user) else tree.hidden_ids()
    if category is None or category.pk in hidden:
        raise Http404
    children = [c for c in tree.children_of.get(category.pk, []) if c.pk not in hidden]
    return CategoryNode(category, tree.ancestors(category), children)


def category_descendant_ids(*, category: Category) -> set[int]:
    return CategoryTree.current().descendant_ids(category.pk)


def products_visible_to(user) -> QuerySet[Product]:
    """Every product for staff; for everyone else the active ones outside inactive categories
    (a hidden product is 404 everywhere: itself, by SKU, its reviews)."""
    if is_staff_user(user):
        return Product.objects.all()
    products = Product.objects.filter(status=ProductStatus.ACTIVE)
    hidden = CategoryTree.current().hidden_ids()
    return products.exclude(category_id__in=hidden) if hidden else products


def product_orderable(product: Product) -> bool:
    """Whether a product can be ordered: active and in no inactive category."""
    return (
        product.status == ProductStatus.ACTIVE
        and product.category_id not in CategoryTree.current().hidden_ids()
    )


def product_list_for(*, user) -> QuerySet[Product]:
    """Products `user` may see, with their category. Customers see only active products outside
    inactive categories. The doors add what other apps show with a product (quantity on hand, rating)."""
    return products_visible_to(user).select_related("category")


def product_file_row(product: Product) -> list[Any]:
    """The PRODUCT_FILE_COLUMNS of one product (its category selected with it)."""
    return [
        product.sku,
        product.name,
        product.description,
        product.price,
        product.cost_price,
        product.category.slug if product.category else "",
        product.status,
        product.image_url,
    ]


def channel_list_for(*, user) -> QuerySet[SalesChannel]:
    """Managers see every channel; everyone else only the active ones."""
    channels = SalesChannel.objects.all()
    return channels if user.has_perm("catalog.manage_channels") else channels.filter(is_active=True)
