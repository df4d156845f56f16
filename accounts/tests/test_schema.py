from django.urls import include, path
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator


def test_auth_users_and_audit_endpoints_document_themselves_without_warnings():
    GENERATOR_STATS.reset()
    generator = SchemaGenerator(
        patterns=[path("api/v1/", include("accounts.urls")), path("api/v1/", include("audit.urls"))]
    )

    schema = generator.get_schema(request=None, public=True)

    assert not GENERATOR_STATS, "drf-spectacular warned about these views"
    assert {
        "/api/v1/auth/register/",
        "/api/v1/auth/login/",
        "/api/v1/auth/refresh/",
        "/api/v1/auth/logout/",
        "/api/v1/auth/mfa/setup/",
        "/api/v1/auth/mfa/confirm/",
        "/api/v1/auth/mfa/verify/",
        "/api/v1/auth/mfa/disable/",
        "/api/v1/users/",
        "/api/v1/users/{id}/",
        "/api/v1/users/{id}/mfa/",
        "/api/v1/users/me/",
        "/api/v1/audit/",
        "/api/v1/audit/{id}/",
    } == set(schema["paths"])
    login = schema["paths"]["/api/v1/auth/login/"]["post"]
    # Tokens, or with two-factor sign-in on, the ticket for the code step.
    assert login["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/LoginResponse"
    }
    assert schema["components"]["schemas"]["LoginResponse"]["oneOf"] == [
        {"$ref": "#/components/schemas/AuthResponse"},
        {"$ref": "#/components/schemas/MfaRequired"},
    ]
    verify = schema["paths"]["/api/v1/auth/mfa/verify/"]["post"]
    assert verify["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/AuthResponse"
    }
