"""Input and output shapes of the auth and user endpoints. Rules live in services."""

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.validators import RegexValidator
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
    mfa_enabled = serializers.BooleanField(read_only=True, help_text="Two-factor sign-in is on.")


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


# --- two-factor sign-in (API.md "Two-factor sign-in for staff") --------------------------------


def _code_field(**kwargs) -> serializers.CharField:
    return StrictCharField(
        validators=[RegexValidator(r"^[0-9]{6}\Z", "Enter the 6-digit code from the authenticator app.")],
        help_text="The 6-digit code the authenticator app shows now.",
        **kwargs,
    )


def _mfa_token_field(**kwargs) -> serializers.CharField:
    return StrictCharField(help_text="From the login answer; lives 5 minutes.", **kwargs)


class MfaRequiredSerializer(serializers.Serializer):
    mfa_required = serializers.BooleanField(help_text="Always true: verify a code to get tokens.")
    mfa_token = serializers.CharField(help_text="For POST auth/mfa/verify/ within 5 minutes.")


class MfaSetupRequiredSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField(help_text="`mfa_setup_required`")
    mfa_token = serializers.CharField(help_text="For auth/mfa/setup/, confirm/, then verify/.")


class MfaSetupInputSerializer(serializers.Serializer):
    current_password = StrictCharField(
        required=False,
        write_only=True,
        trim_whitespace=False,
        style={"input_type": "password"},
        help_text="Required when signed in with a token.",
    )
    mfa_token = _mfa_token_field(required=False)


class MfaSetupOutputSerializer(serializers.Serializer):
    secret = serializers.CharField(help_text="The TOTP secret, base32, for typing into an app.")
    otpauth_url = serializers.CharField(help_text="The same as an otpauth:// URL (for a QR code).")


class MfaConfirmInputSerializer(serializers.Serializer):
    code = _code_field()
    mfa_token = _mfa_token_field(required=False)


class RecoveryCodesSerializer(serializers.Serializer):
    recovery_codes = serializers.ListField(
        child=serializers.CharField(), help_text="10 single-use codes, shown this once."
    )


class MfaVerifyInputSerializer(serializers.Serializer):
    mfa_token = _mfa_token_field()
    code = _code_field(required=False)
    recovery_code = StrictCharField(required=False, max_length=32, help_text="Instead of `code`.")

    def validate(self, attrs: dict) -> dict:
        if bool(attrs.get("code")) == bool(attrs.get("recovery_code")):
            raise serializers.ValidationError({"code": ["Send either code or recovery_code."]})
        return attrs


class MfaDisableInputSerializer(serializers.Serializer):
    current_password = StrictCharField(
        write_only=True, trim_whitespace=False, style={"input_type": "password"}
    )
    code = _code_field()
