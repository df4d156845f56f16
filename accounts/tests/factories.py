import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from accounts.roles import Role

DEFAULT_PASSWORD = "Sales-Pass-2026!"


class UserFactory(factory.django.DjangoModelFactory):
    """A user with exactly one role: `UserFactory(role=Role.CEO)`; customers by default."""

    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password(DEFAULT_PASSWORD)
    role = Role.CUSTOMER

    @classmethod
    def _create(cls, model_class, *args, role=Role.CUSTOMER, **kwargs):
        kwargs["is_staff"] = Role(role) != Role.CUSTOMER
        user = super()._create(model_class, *args, **kwargs)
        user.groups.add(Group.objects.get(name=Role(role).group_name))
        return user


class CustomerFactory(UserFactory):
    role = Role.CUSTOMER


class SalespersonFactory(UserFactory):
    role = Role.SALESPERSON


class CEOFactory(UserFactory):
    role = Role.CEO
