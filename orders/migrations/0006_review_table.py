"""The moved Review gets the orders app's table and constraint names."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0005_review_to_orders"),
        ("orders", "0005_review_from_catalog"),
    ]

    operations = [
        migrations.AlterModelTable(name="review", table=None),
        migrations.RemoveConstraint(model_name="review", name="catalog_review_one_per_customer"),
        migrations.RemoveConstraint(model_name="review", name="catalog_review_rating_1_to_5"),
        migrations.AddConstraint(
            model_name="review",
            constraint=models.UniqueConstraint(
                fields=("product", "customer"), name="orders_review_one_per_customer"
            ),
        ),
        migrations.AddConstraint(
            model_name="review",
            constraint=models.CheckConstraint(
                condition=models.Q(("rating__gte", 1), ("rating__lte", 5)), name="orders_review_rating_1_to_5"
            ),
        ),
    ]
