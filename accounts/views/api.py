"""Auth and user endpoints: parse, call a service, render. See API.md "Auth and users"."""

from drf_spectacular.utils import (
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken

from .. import selectors, services
from ..filters import UserFilter
from ..mfa import services as mfa
from ..permissions import CanViewCustomers, IsCEO, IsCustomer
from ..serializers import (
    AuthResponseSerializer,
    LoginInputSerializer,
    MfaRequiredSerializer,
    MfaSetupRequiredSerializer,
    ProfileUpdateInputSerializer,
    RefreshInputSerializer,
    RegisterInputSerializer,
    TokenPairSerializer,
    UserCreateInputSerializer,
    UserOutputSerializer,
    UserUpdateInputSerializer,
)


def auth_response(user, *, status_code: int) -> Response:
    body = {**services.tokens_issue(user=user), "user": UserOutputSerializer(user).data}
    return Response(body, status=status_code)


class PublicAuthView(APIView):
    """For anonymous callers. A stale token in the header must not stop anyone from
    registering or logging in, so no authentication runs; refusals still answer 401 with
    the Bearer challenge, as elsewhere in the API."""

    authentication_classes = ()
    permission_classes = (AllowAny,)

    def get_authenticate_header(self, request) -> str:
        return JWTAuthentication().authenticate_header(request)


class RegisterView(PublicAuthView):
    @extend_schema(
        tags=["auth"],
        request=RegisterInputSerializer,
        responses={201: AuthResponseSerializer},
        summary="Register a customer account",
    )
    def post(self, request):
        serializer = RegisterInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.user_register(**serializer.validated_data)
        return auth_response(user, status_code=status.HTTP_201_CREATED)


class LoginView(PublicAuthView):
    @extend_schema(
        tags=["auth"],
        request=LoginInputSerializer,
        responses={
            200: PolymorphicProxySerializer(
                component_name="LoginResponse",
                serializers=[AuthResponseSerializer, MfaRequiredSerializer],
                resource_type_field_name=None,
            ),
            401: OpenApiResponse(description="Wrong credentials"),
            403: OpenApiResponse(
                MfaSetupRequiredSerializer,
                description="STAFF_REQUIRE_2FA: a staff member without a second factor; the "
                "`mfa_token` may only set one up (auth/mfa/setup/, confirm/, then verify/)",
            ),
            429: OpenApiResponse(description="Too many failed attempts"),
        },
        summary="Log in with username or e-mail",
        description="Failed attempts are throttled per account (LOGIN_THROTTLE_PER_NAME, 10/min; "
        "its username and e-mail share one budget) and per client IP (LOGIN_THROTTLE_PER_IP, "
        "100/min), counted atomically; /admin/login/ and a wrong `current_password` on "
        "PATCH users/me/ use the same budgets. Past either budget every attempt, right or "
        "wrong, answers 429 until the window passes. With two-factor sign-in on, a right "
        "password answers `{mfa_required: true, mfa_token}` and no tokens: "
        "POST auth/mfa/verify/ with a code within 5 minutes.",
    )
    def post(self, request):
        serializer = LoginInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            user = services.user_login(**serializer.validated_data)
        except services.InvalidCredentials:
            raise AuthenticationFailed(
                "No active account found with the given credentials.", code="invalid_credentials"
            ) from None
        except services.SecondFactorSetupRequired as refusal:
            body = {
                "detail": "Set up two-factor sign-in first.",
                "code": "mfa_setup_required",
                "mfa_token": mfa.mfa_token_issue(user=refusal.user, purpose=mfa.Purpose.SETUP),
            }
            return Response(body, status=status.HTTP_403_FORBIDDEN)
        if user.mfa_enabled:
            ticket = mfa.mfa_token_issue(user=user, purpose=mfa.Purpose.VERIFY)
            return Response({"mfa_required": True, "mfa_token": ticket})
        return auth_response(user, status_code=status.HTTP_200_OK)


class RefreshView(PublicAuthView):
    @extend_schema(
        tags=["auth"],
        request=RefreshInputSerializer,
        responses={
            200: TokenPairSerializer,
            401: OpenApiResponse(description="A used, revoked, expired or malformed refresh token"),
        },
        summary="Trade a refresh token for a new pair",
        description="Refresh tokens rotate: the one sent is revoked. Sent several times at once, "
        "exactly one request gets a new pair; the others answer 401.",
    )
    def post(self, request):
        serializer = RefreshInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            tokens = services.tokens_refresh(refresh=serializer.validated_data["refresh"])
        except services.InvalidRefreshToken as error:
            raise InvalidToken(str(error)) from None
        return Response(tokens)


class LogoutView(APIView):
    permission_classes = (IsAuthenticated,)

    @extend_schema(
        tags=["auth"],
        request=RefreshInputSerializer,
        responses={205: OpenApiResponse(description="The refresh token is revoked")},
        summary="Log out: revoke a refresh token",
    )
    def post(self, request):
        serializer = RefreshInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            services.user_logout(user=request.user, refresh=serializer.validated_data["refresh"])
        except services.InvalidRefreshToken as error:
            raise InvalidToken(str(error)) from None
        return Response(status=status.HTTP_205_RESET_CONTENT)


class MeView(APIView):
    def get_permissions(self):
        if self.request.method == "DELETE":
            return [IsCustomer()]
        return [IsAuthenticated()]

    @extend_schema(tags=["users"], responses=UserOutputSerializer, summary="Your profile")
    def get(self, request):
        return Response(UserOutputSerializer(request.user).data)

    @extend_schema(
        tags=["users"],
        request=ProfileUpdateInputSerializer,
        responses=UserOutputSerializer,
        summary="Change your names, e-mail or password",
        description="Changing the password needs `current_password` and revokes every token "
        "issued before: log in again afterwards.",
    )
    def patch(self, request):
        serializer = ProfileUpdateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        current_password = data.pop("current_password", None)
        user = services.user_profile_update(user=request.user, data=data, current_password=current_password)
        return Response(UserOutputSerializer(user).data)

    @extend_schema(
        tags=["users"],
        responses={204: None},
        summary="Close your customer account",
        description="Customers only. The account is deactivated, its orders are kept and "
        "its tokens stop working.",
    )
    def delete(self, request):
        services.user_deactivate_own_account(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(summary="List users (salespersons see customers only)"),
    create=extend_schema(
        request=UserCreateInputSerializer, responses={201: UserOutputSerializer}, summary="Create a user"
    ),
    retrieve=extend_schema(summary="One user"),
    partial_update=extend_schema(
        request=UserUpdateInputSerializer,
        responses=UserOutputSerializer,
        summary="Change a user's role, active flag (ban) or names",
    ),
)
@extend_schema(tags=["users"])
class UserViewSet(viewsets.GenericViewSet):
    serializer_class = UserOutputSerializer
    filterset_class = UserFilter
    lookup_value_regex = r"\d+"
    ordering_fields = ("id", "username", "email", "date_joined")

    def get_permissions(self):
        if self.action == "list":
            return [CanViewCustomers()]
        return [IsCEO()]

    def get_queryset(self):
        return selectors.user_list(viewer=self.request.user)

    def list(self, request):
        users = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(UserOutputSerializer(users, many=True).data)

    def create(self, request):
        serializer = UserCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.user_create(**serializer.validated_data, actor=request.user)
        return Response(UserOutputSerializer(user).data, status=status.HTTP_201_CREATED)

    def retrieve(self, request, pk=None):
        return Response(UserOutputSerializer(self.get_object()).data)

    @extend_schema(
        methods=["DELETE"],
        request=None,
        responses={204: None, 403: OpenApiResponse(description="Your own second factor, or not a CEO")},
        summary="Turn another user's two-factor sign-in off (a lost phone)",
        description="CEO only, never for oneself (turn your own off with auth/mfa/disable/). The "
        "user's tokens and admin sessions end.",
    )
    @action(detail=True, methods=["delete"], url_path="mfa")
    def mfa_reset(self, request, pk=None):
        user = self.get_object()
        mfa.mfa_reset(user=user, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def partial_update(self, request, pk=None):
        user = self.get_object()
        serializer = UserUpdateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.user_update(user=user, actor=request.user, data=serializer.validated_data)
        return Response(UserOutputSerializer(user).data)
