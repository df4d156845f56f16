"""JWT authentication whose user, role and permissions come from the auth cache."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.utils import get_md5_hash_password

from .authcache import user_for_request
from .models import SESSION_CLAIM


class CachedJWTAuthentication(JWTAuthentication):
    """simplejwt's checks (user exists, is active, password unchanged since the token was
    issued), and that the user's sessions have not been ended since (the session generation,
    see accounts.services.sessions_end), answered from `accounts.authcache` instead of a query
    on every request."""

    def get_user(self, validated_token):
        try:
            user_id = validated_token[api_settings.USER_ID_CLAIM]
        except KeyError as error:
            raise InvalidToken(_("Token contained no recognizable user identification")) from error
        user = user_for_request(user_id)
        if user is None:
            raise AuthenticationFailed(_("User not found"), code="user_not_found")
        if api_settings.CHECK_USER_IS_ACTIVE and not user.is_active:
            raise AuthenticationFailed(_("User is inactive"), code="user_inactive")
        if api_settings.CHECK_REVOKE_TOKEN and validated_token.get(
            api_settings.REVOKE_TOKEN_CLAIM
        ) != get_md5_hash_password(user.password):
            raise AuthenticationFailed(_("The user's password has been changed."), code="password_changed")
        if validated_token.get(SESSION_CLAIM, 0) != user.session_generation:
            raise AuthenticationFailed(_("This session has ended; sign in again."), code="session_ended")
        return user


class CachedJWTScheme(SimpleJWTScheme):
    """The OpenAPI security scheme: the same Bearer JWT as simplejwt's own class."""

    target_class = CachedJWTAuthentication
