"""What the EXTERNAL_JWT_* variables (and BETTER_AUTH_URL) configure, and what they refuse."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from accounts.issuers import DEFAULT_ALGORITHMS, SHARED_SECRET_ISSUER, external_issuers

SECRET = "s" * 40


def test_nothing_set_is_no_external_issuer():
    issuers = external_issuers()
    assert not issuers
    assert (issuers.jwks, issuers.shared_secret) == (None, None)


def test_better_auth_url_sets_the_jwks_url_issuer_and_audience():
    jwks = external_issuers(better_auth_url="https://app.example.org/").jwks

    assert jwks.jwks_url == "https://app.example.org/api/auth/jwks"
    assert (jwks.issuer, jwks.audiences) == (
        "https://app.example.org",
        ("https://app.example.org",),
    )
    assert jwks.algorithms == DEFAULT_ALGORITHMS


def test_the_explicit_variables_win_over_better_auth_url():
    jwks = external_issuers(
        better_auth_url="http://localhost:3000",
        jwks_url="https://keys.example.org/jwks",
        issuer="https://id.example.org",
        audiences=["web", "mobile"],
        algorithms=["ES256"],
    ).jwks
    assert jwks.jwks_url == "https://keys.example.org/jwks"
    assert (jwks.issuer, jwks.audiences, jwks.algorithms) == (
        "https://id.example.org",
        ("web", "mobile"),
        ("ES256",),
    )


def test_a_shared_secret_checks_issuer_and_audience_only_when_set():
    bare = external_issuers(secret=SECRET).shared_secret
    assert (bare.name, bare.issuer, bare.audiences) == (SHARED_SECRET_ISSUER, None, ())
    named = external_issuers(secret=SECRET, issuer="https://fe.test", audiences=["api"])
    assert (named.shared_secret.issuer, named.shared_secret.audiences) == (
        "https://fe.test",
        ("api",),
    )


@pytest.mark.parametrize(
    ("options", "reason"),
    [
        ({"jwks_url": "ftp://keys.example.org/jwks"}, "must be an http(s) URL"),
        ({"better_auth_url": "localhost:3000"}, "must be an http(s) URL"),
        ({"jwks_url": "https://keys.test/jwks", "issuer": "x"}, "needs EXTERNAL_JWT_ISSUER"),
        ({"better_auth_url": "http://localhost:3000", "algorithms": ["HS256"]}, "HS256"),
        ({"better_auth_url": "http://localhost:3000", "algorithms": ["none"]}, "none"),
        ({"better_auth_url": "http://localhost:3000", "algorithms": ["XS1"]}, "XS1"),
        ({"secret": "short"}, "at least 32 characters"),
        ({"secret": SECRET, "signing_key": SECRET}, "must differ"),
        (
            {
                "better_auth_url": "http://localhost:3000",
                "secret": SECRET,
                "issuer": "http://localhost:3000",
            },
            "cannot share one issuer",
        ),
        ({"secret": SECRET, "leeway_seconds": -1}, "0 or more"),
        ({"secret": SECRET, "user_id_claim": ""}, "must name a claim"),
    ],
)
def test_a_value_that_cannot_work_is_refused_with_a_reason(options, reason):
    with pytest.raises(ImproperlyConfigured, match=reason.replace("(", r"\(").replace(")", r"\)")):
        external_issuers(**options)
