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


def totp_code(secret: str, *, steps_ahead: int = 0) -> str:
    """The code an authenticator app shows for a base32 `secret` now (or `steps_ahead` 30-second
    steps later: one step either side is accepted, a step once used is not accepted again)."""
    import base64
    import time

    from django_otp.oath import hotp

    counter = int(time.time()) // 30 + steps_ahead
    return f"{hotp(base64.b32decode(secret), counter):06d}"


def mfa_turn_on(user) -> tuple[str, list[str]]:
    """Two-factor sign-in on for `user`, as setup and confirm do: (secret, recovery codes). The
    code of the current step is used up; sign in with `totp_code(secret, steps_ahead=1)`."""
    from accounts.mfa import services as mfa

    setup = mfa.mfa_setup(user=user, proven=True)
    codes = mfa.mfa_confirm(user=user, code=totp_code(setup.secret))
    return setup.secret, codes
