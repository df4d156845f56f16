"""Review moves from catalog to orders, whose services write it (a state move first: the
table keeps its rows; 0006 renames it). Its content type moves too, so the permission
`write_review` follows (catalog 0005 syncs the role groups once the state has moved)."""

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def move_content_type(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    if not content_type.objects.filter(app_label="orders", model="review").exists():
        content_type.objects.filter(app_label="catalog", model="review").update(app_label="orders")


def move_content_type_back(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    if not content_type.objects.filter(app_label="catalog", model="review").exists():
        content_type.objects.filter(app_label="orders", model="review").update(app_label="catalog")


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0004_product_sku_without_slash"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("orders", "0004_order_confirmation_sent_at"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Review",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "rating",
                            models.PositiveSmallIntegerField(
                                validators=[
                                    django.core.validators.MinValueValidator(1),
                                    django.core.validators.MaxValueValidator(5),
                                ]
                            ),
                        ),
                        ("title", models.CharField(blank=True, max_length=200)),
                        ("body", models.TextField(blank=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "customer",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="reviews",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "product",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="reviews",
                                to="catalog.product",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["-created_at", "-id"],
                        "permissions": [("write_review", "Can review products they received")],
                        "db_table": "catalog_review",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("product", "customer"), name="catalog_review_one_per_customer"
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("rating__gte", 1), ("rating__lte", 5)),
                                name="catalog_review_rating_1_to_5",
                            ),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
