from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q


class UsernameOrEmailBackend(ModelBackend):
    """Authenticates by username or e-mail, both case-insensitive."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        login = username or kwargs.get("email")
        if not login or password is None:
            return None
        user_model = get_user_model()
        user = user_model.objects.filter(Q(username__iexact=login) | Q(email__iexact=login)).first()
        if user is None:
            # Spend the same time as a real check, so timing does not reveal which names exist.
            user_model().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
