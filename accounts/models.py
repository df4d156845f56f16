from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils.functional import cached_property

from .roles import Role


class User(AbstractUser):
    email = models.EmailField("email address", unique=True)

    objects = UserManager()

    REQUIRED_FIELDS = ["email"]

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
            models.UniqueConstraint(Lower("username"), name="accounts_user_username_ci_unique"),
        ]
        permissions = [
            ("manage_users", "Can manage users and their roles"),
            ("view_customers", "Can view customer accounts"),
        ]

    def __str__(self) -> str:
        return self.username

    @cached_property
    def role(self) -> Role | None:
        """The user's role: its one group (prefetch `groups` for lists). Superusers are CEOs."""
        if self.is_superuser:
            return Role.CEO
        for group in self.groups.all():
            role = Role.from_group_name(group.name)
            if role is not None:
                return role
        return None

    @property
    def is_customer(self) -> bool:
        return self.role == Role.CUSTOMER
