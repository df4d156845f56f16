"""Catalog in the admin. Saving, deleting and importing call the services the API calls
(`catalog.services`; `inventory.services` for products with their stock),
so validation, stock movements and audit entries are the same whichever door is used."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Case, F, Value, When
from django.db.models.functions import Concat
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from inventory.admin import order_link
from inventory.models import Stock, StockMovement
from inventory.selectors import PRODUCT_FILE_COLUMNS, product_file_rows, products_with_stock
from inventory.services import (
    stock_threshold_set,
    stocked_product_create,
    stocked_product_import,
)
from orders.selectors import products_ordered, with_order_number
from orders.services import unordered_product_delete
from salesbackend.admin import ReadOnlyAdminMixin, money_display
from salesbackend.spreadsheets import write_csv

from . import services
from .models import Category, Product, SalesChannel
from .selectors import CategoryTree
from .tabular import XLSX_CONTENT_TYPE, write_xlsx


def _field_changes(form, fields: tuple[str, ...]) -> dict:
    return {field: form.cleaned_data[field] for field in form.changed_data if field in fields}


# Categories ---------------------------------------------------------------------------------


def _tree_path_for_ordering():
    """ "Root / Child / Name" for up to four levels, so the change list sorts as a tree."""

    def part(prefix: str):
        return Case(
            When(**{f"{prefix}__isnull": False}, then=Concat(F(f"{prefix}__name"), Value(" / "))),
            default=Value(""),
        )

    return Concat(part("parent__parent__parent"), part("parent__parent"), part("parent"), F("name"))


class CategoryForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = ("name", "slug", "description", "parent", "is_active")

    def clean_parent(self):
        parent = self.cleaned_data["parent"]
        try:
            services.category_validate_parent(category=self.instance, parent=parent)
        except ValidationError as error:
            raise ValidationError(error.message_dict["parent"]) from error
        return parent


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    form = CategoryForm
    list_display = ("name", "slug", "is_active")  # with the tree columns: see get_list_display
    list_filter = ("is_active",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("parent",)
    list_per_page = 200

    def get_queryset(self, request):
        return (
            super().get_queryset(request).annotate(tree_path=_tree_path_for_ordering()).order_by("tree_path")
        )

    def get_list_display(self, request):
        # The tree is loaded once per page, so every row's depth costs no query.
        tree = CategoryTree.load()

        @admin.display(description="category", ordering="tree_path")
        def tree_name(category):
            depth = len(tree.ancestors(category))
            return format_html(
                '<span style="padding-left:{}em">{}{}</span>', 1.5 * depth, "└ " * bool(depth), category.name
            )

        @admin.display(description="path")
        def path(category):
            return " / ".join(c.name for c in [*tree.ancestors(category), category])

        return (tree_name, path, "slug", "is_active")

    def save_model(self, request, obj, form, change):
        if change:
            category = Category.objects.get(pk=obj.pk)
            services.category_update(
                category=category, actor=request.user, data=_field_changes(form, services.CATEGORY_FIELDS)
            )
        else:
            obj.pk = services.category_create(actor=request.user, **form.cleaned_data).pk

    def delete_model(self, request, obj):
        services.category_delete(category=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for category in queryset:
            self.delete_model(request, category)


# Products -----------------------------------------------------------------------------------


class ProductAddForm(forms.ModelForm):
    """The admin's product form (model and fields come from ProductAdmin) plus the opening stock."""

    opening_stock = forms.IntegerField(
        min_value=0, initial=0, help_text="Units on hand now (a restock movement)."
    )


class CategoryTreeFilter(admin.SimpleListFilter):
    """By category, including every sub-category."""

    title = "category (with sub-categories)"
    parameter_name = "category"

    def lookups(self, request, model_admin):
        tree = CategoryTree.load()
        return [(node.category.slug, node.path) for node in tree.depth_first()]

    def queryset(self, request, queryset):
        category = Category.objects.filter(slug=self.value()).first() if self.value() else None
        if category is None:
            return queryset
        return queryset.filter(category_id__in=CategoryTree.load().descendant_ids(category.pk))


class StockInline(admin.StackedInline):
    model = Stock
    fields = ("quantity", "by_location", "low_stock_threshold", "updated_at")
    readonly_fields = ("quantity", "by_location", "updated_at")
    can_delete = False
    extra = 0
    max_num = 1

    @admin.display(description="by location")
    def by_location(self, stock):
        rows = stock.locations.select_related("location").order_by("location__code") if stock.pk else []
        return ", ".join(f"{row.location.name}: {row.quantity}" for row in rows) or "-"

    verbose_name_plural = "stock (change the quantity with the stock adjust action)"


class LatestMovementsFormSet(forms.BaseInlineFormSet):
    def get_queryset(self):
        # One query for the page: the formset asks for its rows once per form, so keep the
        # sliced queryset (and its results), with the order and actor every row shows.
        if not hasattr(self, "_latest_movements"):
            self._latest_movements = with_order_number(super().get_queryset().select_related("actor"))[
                : StockMovementInline.shown
            ]
        return self._latest_movements


class StockMovementInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = StockMovement
    formset = LatestMovementsFormSet
    shown = 50
    fields = (
        "created_at",
        "delta",
        "quantity_before",
        "quantity_after",
        "reason",
        order_link,
        "actor",
        "note",
    )
    readonly_fields = fields
    verbose_name_plural = f"stock movements (latest {shown})"


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    change_list_template = "admin/catalog/product/change_list.html"
    list_display = (
        "sku",
        "name",
        "category",
        "price_display",
        "cost_display",
        "margin_display",
        "stock_display",
        "status",
    )
    list_filter = ("status", CategoryTreeFilter)
    search_fields = ("sku", "name")
    list_select_related = ("category",)
    autocomplete_fields = ("category",)
    readonly_fields = ("created_by", "created_at", "updated_at")
    actions = ("export_csv", "export_xlsx")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request):
        return products_with_stock(super().get_queryset(request))

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ProductAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        fields = ["sku", "name", "description", "price", "cost_price", "status", "category", "image_url"]
        return [*fields, "opening_stock"] if obj is None else [*fields, *self.readonly_fields]

    def get_inlines(self, request, obj):
        # A new product's stock row is made by the service, with the opening stock above.
        return [] if obj is None else [StockInline, StockMovementInline]

    @admin.display(description="price", ordering="price")
    def price_display(self, product) -> str:
        return money_display(product.price)

    @admin.display(description="cost", ordering="cost_price")
    def cost_display(self, product) -> str:
        return money_display(product.cost_price)

    @admin.display(description="margin")
    def margin_display(self, product):
        return "-" if product.margin is None else f"{product.margin:.1%}"

    @admin.display(description="stock", ordering="stock_quantity")
    def stock_display(self, product):
        return product.stock_quantity

    def save_model(self, request, obj, form, change):
        if change:
            product = Product.objects.get(pk=obj.pk)
            services.product_update(
                product=product, actor=request.user, data=_field_changes(form, services.PRODUCT_FIELDS)
            )
        else:
            data = {field: form.cleaned_data[field] for field in services.PRODUCT_FIELDS}
            obj.pk = stocked_product_create(
                actor=request.user, stock=form.cleaned_data["opening_stock"], **data
            ).pk

    def save_formset(self, request, form, formset, change):
        # Movements are read-only; the stock row changes only through the inventory service.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        if formset.model is Stock:
            for stock_form in formset.forms:
                if stock_form.has_changed():
                    stock_threshold_set(
                        stock=Stock.objects.get(pk=stock_form.instance.pk),
                        actor=request.user,
                        low_stock_threshold=stock_form.cleaned_data["low_stock_threshold"],
                    )

    def get_deleted_objects(self, objs, request):
        """The service deletes a never-ordered product with its stock ledger; ordered ones stay."""
        deleted, counts, _, _ = super().get_deleted_objects(objs, request)
        ordered = products_ordered(product_ids=[product.pk for product in objs])
        protected = [
            f"{product} appears in orders: archive it instead (status archived)"
            for product in objs
            if product.pk in ordered
        ]
        return deleted, counts, set(), protected

    def delete_model(self, request, obj):
        unordered_product_delete(product=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for product in queryset:
            self.delete_model(request, product)

    # Export: the same columns as the import, so a file can be exported, edited and imported back.

    def _export_name(self, extension: str) -> str:
        return f"products-{timezone.now():%Y%m%d-%H%M}.{extension}"

    @admin.action(description="Export selected products to CSV")
    def export_csv(self, request, queryset):
        response = HttpResponse(
            write_csv(PRODUCT_FILE_COLUMNS, product_file_rows(queryset)), content_type="text/csv"
        )
        response["Content-Disposition"] = f'attachment; filename="{self._export_name("csv")}"'
        return response

    @admin.action(description="Export selected products to XLSX")
    def export_xlsx(self, request, queryset):
        content = write_xlsx(PRODUCT_FILE_COLUMNS, product_file_rows(queryset), title="products")
        response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{self._export_name("xlsx")}"'
        return response

    # Import: a form in front of inventory's stocked_product_import.

    def get_urls(self):
        import_view = self.admin_site.admin_view(self.import_view)
        return [path("import/", import_view, name="catalog_product_import"), *super().get_urls()]

    def import_view(self, request):
        if not request.user.has_perm("catalog.manage_catalog"):
            raise PermissionDenied
        form = ProductImportForm(request.POST or None, request.FILES or None)
        errors = []
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = stocked_product_import(
                    actor=request.user,
                    file=upload,
                    filename=upload.name,
                    dry_run=form.cleaned_data["dry_run"],
                )
            except services.RowErrors as refused:
                errors = refused.errors
            except ValidationError as invalid:
                form.add_error("file", invalid.message_dict.get("file", invalid.messages))
            else:
                created, updated = (
                    ("would create", "would update") if result.dry_run else ("created", "updated")
                )
                messages.success(
                    request,
                    f"{upload.name}: {created} {result.created} and {updated} {result.updated} products.",
                )
                if not result.dry_run:
                    return redirect(reverse("admin:catalog_product_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import products",
            "form": form,
            "errors": errors,
            "columns": PRODUCT_FILE_COLUMNS,
        }
        return TemplateResponse(request, "admin/catalog/product/import.html", context)


class ProductImportForm(forms.Form):
    file = forms.FileField(help_text="CSV (UTF-8) or XLSX; the first row names the columns.")
    dry_run = forms.BooleanField(
        required=False, initial=True, help_text="Check the file without writing anything."
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.PRODUCT_IMPORT_MAX_BYTES:
            raise ValidationError(f"The file is larger than {settings.PRODUCT_IMPORT_MAX_BYTES} bytes.")
        return upload


# Channels and reviews -------------------------------------------------------------------------


@admin.register(SalesChannel)
class SalesChannelAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "name")

    def get_readonly_fields(self, request, obj=None):
        # Orders name a channel by its code, so it never changes.
        return ("code",) if obj is not None else ()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            channel = SalesChannel.objects.get(pk=obj.pk)
            services.channel_update(
                channel=channel, actor=request.user, data=_field_changes(form, services.CHANNEL_FIELDS)
            )
        else:
            obj.pk = services.channel_create(actor=request.user, **form.cleaned_data).pk
