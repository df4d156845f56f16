"""The forms of the order pages that are not model forms: placing an order and changing a pending one.
Their refusals come from `orders.services`, mapped onto the fields they belong to."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django_countries import countries

from accounts.roles import Role
from accounts.selectors import users_with_role
from catalog.models import SalesChannel
from orders import services
from orders.models import Order
from salesbackend.admin import service_error_message
from salesbackend.exceptions import ApplicationError


def _sku_lines(text: str) -> list[dict]:
    """ "SKU quantity" per line, as the order lines the services take."""
    lines = []
    for number, row in enumerate(text.splitlines(), start=1):
        if not row.strip():
            continue
        try:
            sku, quantity = row.split()
            lines.append({"sku": sku, "quantity": int(quantity)})
        except ValueError:
            raise ValidationError(f"Line {number}: write the SKU and a whole quantity.") from None
    if not lines:
        raise ValidationError("Give at least one product.")
    return lines


LINES_HELP = "One product per line: SKU and quantity, e.g. <code>SKU-00001 2</code>."


class OrderEditForm(forms.Form):
    """A pending order's lines, code and note, changed through `order_update` like the API."""

    lines = forms.CharField(widget=forms.Textarea(attrs={"rows": 5, "cols": 40}), help_text=LINES_HELP)
    discount_code = forms.CharField(max_length=32, required=False, help_text="Empty: no code.")
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2, "cols": 40}), required=False)
    SERVICE_FIELDS = {"items": "lines", "discount_code": "discount_code"}

    def clean_lines(self) -> list[dict]:
        return _sku_lines(self.cleaned_data["lines"])


class OrderPlaceForm(forms.Form):
    customer = forms.ModelChoiceField(queryset=None)
    channel = forms.ModelChoiceField(queryset=None, to_field_name="code", initial="phone")
    lines = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5, "cols": 40}),
        help_text=LINES_HELP,
    )
    name = forms.CharField(max_length=200)
    line1 = forms.CharField(max_length=200)
    line2 = forms.CharField(max_length=200, required=False)
    city = forms.CharField(max_length=100)
    postal_code = forms.CharField(max_length=20)
    country = forms.ChoiceField(choices=[("", "---------"), *countries])
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2, "cols": 40}), required=False)
    discount = forms.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0"), required=False)
    discount_code = forms.CharField(max_length=32, required=False)

    # Where the service's field errors belong on this form.
    SERVICE_FIELDS = {
        "items": "lines",
        "channel": "channel",
        "customer": "customer",
        "discount": "discount",
        "discount_code": "discount_code",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = (
            users_with_role(Role.CUSTOMER).filter(is_active=True).order_by("email")
        )
        self.fields["customer"].label_from_instance = lambda user: f"{user.email} ({user.username})"
        self.fields["channel"].queryset = SalesChannel.objects.filter(is_active=True)

    def clean_lines(self) -> list[dict]:
        return _sku_lines(self.cleaned_data["lines"])

    def place(self, *, actor) -> Order | None:
        """Place the order through the service; its refusals become form errors."""
        data = self.cleaned_data
        try:
            return services.order_place(
                customer=data["customer"],
                actor=actor,
                channel_code=data["channel"].code,
                lines=data["lines"],
                shipping_address={
                    field: data[field]
                    for field in ("name", "line1", "line2", "city", "postal_code", "country")
                },
                note=data["note"],
                discount=data["discount"],
                discount_code=data["discount_code"] or None,
            ).order
        except ValidationError as error:
            for field, field_errors in error.message_dict.items():
                self.add_error(self.SERVICE_FIELDS.get(field), field_errors)
        except ApplicationError as error:
            self.add_error(None, service_error_message(error))
        return None
