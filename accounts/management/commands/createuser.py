"""Create a user of any role from the command line, through the same service as the API."""

import getpass
import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.roles import Role
from accounts.services import user_create

PASSWORD_ENV = "DJANGO_USER_PASSWORD"


class Command(BaseCommand):
    help = (
        "Create a user with a role. The password comes from --password, else the "
        f"{PASSWORD_ENV} environment variable, else an interactive prompt."
    )

    def add_arguments(self, parser):
        parser.add_argument("--role", required=True, choices=[role.value for role in Role])
        parser.add_argument("--username", required=True)
        parser.add_argument("--email", required=True)
        parser.add_argument("--password", help=f"Prefer {PASSWORD_ENV}: arguments show up in `ps`.")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")

    def handle(self, *args, **options):
        password = options["password"] or os.environ.get(PASSWORD_ENV) or self._prompt_password()
        try:
            user = user_create(
                username=options["username"],
                email=options["email"],
                password=password,
                role=Role(options["role"]),
                first_name=options["first_name"],
                last_name=options["last_name"],
                actor=None,
            )
        except ValidationError as error:
            messages = [f"{field}: {' '.join(errors)}" for field, errors in error.message_dict.items()]
            raise CommandError("; ".join(messages)) from error
        self.stdout.write(self.style.SUCCESS(f"Created {user.role} {user.username} (id {user.pk})."))

    def _prompt_password(self) -> str:
        if not os.isatty(0):
            raise CommandError(f"No password: pass --password, set {PASSWORD_ENV} or run interactively.")
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("The passwords do not match.")
        if not password:
            raise CommandError("The password cannot be empty.")
        return password
