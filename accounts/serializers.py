"""Input and output shapes of the auth and user endpoints. Rules live in services."""

from django.contrib.auth.validators import UnicodeUsernameValidator
from rest_framework import serializers

from salesbackend.serializers import StrictBooleanField, StrictCharField, StrictEmailField

from .roles import Role


class UserOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    email = serializers.EmailField(read_only=True)
    first_name = serializers.CharField(read_only=True)
    last_name = serializers.CharField(read_only=True)
    role = serializers.ChoiceField(choices=Role.choices, read_only=True, allow_null=True)
    is_active = serializers.BooleanField(read_only=True)
    date_joined = serializers.DateTimeField(read_only=True)


def _username_field(**kwargs) -> serializers.CharField:
    return StrictCharField(max_length=150, validators=[UnicodeUsernameValidator()], **kwargs)


class RegisterInputSerializer(serializers.Serializer):
    """Only these fields are read: `role`, `is_staff`, `groups` … in the body are ignored."""

    username = _username_field()
    email = StrictEmailField()
    password = StrictCharField(write_only=True, trim_whitespace=False, style={"input_type": "password"})
    first_name = StrictCharField(max_length=150, required=False, allow_blank=True, default="")
    last_name = StrictCharField(max_length=150, required=False, allow_blank=True, default="")


class LoginInputSerializer(serializers.Serializer):
    username = StrictCharField(required=False, help_text="Username or e-mail, any case.")
    email = StrictCharField(required=False, help_text="Accepted instead of `username`.")
    password = StrictCharField(trim_whitespace=False, style={"input_type": "password"})

    def validate(self, attrs: dict) -> dict:
        login = attrs.get("username") or attrs.get("email")
        if not login:
            raise serializers.ValidationError({"username": ["This field is required."]})
        return {"login": login, "password": attrs["password"]}


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class AuthResponseSerializer(TokenPairSerializer):
    user = UserOutputSerializer()


class RefreshInputSerializer(serializers.Serializer):
    refresh = StrictCharField()


class ProfileUpdateInputSerializer(serializers.Serializer):
    """What a user may change on themself; role and flags are not fields, so they are ignored."""

    first_name = StrictCharField(max_length=150, required=False, allow_blank=True)
    last_name = StrictCharField(max_length=150, required=False, allow_blank=True)
    email = StrictEmailField(required=False)
    password = StrictCharField(
        required=False, write_only=True, trim_whitespace=False, style={"input_type": "password"}
    )
    current_password = StrictCharField(
        required=False,
        write_only=True,
        trim_whitespace=False,
        style={"input_type": "password"},
        help_text="Required to change `password`.",
    )


class UserCreateInputSerializer(RegisterInputSerializer):
    role = serializers.ChoiceField(choices=Role.choices)


class UserUpdateInputSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    is_active = StrictBooleanField(required=False)
    first_name = StrictCharField(max_length=150, required=False, allow_blank=True)
    last_name = StrictCharField(max_length=150, required=False, allow_blank=True)
