"""Tokens of another issuer, checked against its JWKS (served over loopback) or a shared secret.

Every refusal is a 401 problem with `WWW-Authenticate: Bearer error="invalid_token"`;
the service's own tokens keep working beside them.
"""

import time
import uuid

import jwt
import pytest
from django.core.cache import caches
from django.urls import reverse
from rest_framework.test import APIClient

from accounts import jwks
from accounts.issuers import external_issuers
from accounts.models import User
from accounts.tests.api import bearer, client_for
from accounts.tests.issuer import AUDIENCE, ISSUER, LocalIssuer, new_private_key, payload
from api.tests.assertions import assert_problem

pytestmark = pytest.mark.django_db

SECRET = "a-shared-secret-of-the-front-end-0123456789"
SUBJECT = payload()["sub"]


@pytest.fixture
def issuer():
    local = LocalIssuer()
    yield local
    local.close()


@pytest.fixture(autouse=True)
def fresh_keys():
    jwks.forget_keys()
    caches["default"].clear()
    yield
    jwks.forget_keys()


@pytest.fixture
def with_jwks(settings, issuer):
    settings.EXTERNAL_JWT = external_issuers(
        jwks_url=issuer.jwks_url,
        issuer=ISSUER,
        audiences=[AUDIENCE, "https://other.test"],
        algorithms=["EdDSA", "ES256", "RS256"],
        signing_key=settings.SIMPLE_JWT["SIGNING_KEY"],
    )
    return issuer


@pytest.fixture
def kid(with_jwks):
    return with_jwks.add_key("EdDSA")


def me(token: str):
    return bearer(token).get(reverse("auth-me"))


def assert_refused(response):
    assert_problem(response, 401)
    assert response["WWW-Authenticate"] == 'Bearer realm="api", error="invalid_token"'


# --- Accepted -----------------------------------------------------------------


@pytest.mark.parametrize("algorithm", ["EdDSA", "ES256", "RS256"])
def test_a_token_of_the_jwks_issuer_signs_in(with_jwks, algorithm):
    kid = with_jwks.add_key(algorithm)

    response = me(with_jwks.token(kid))

    assert response.status_code == 200, response.content
    assert response.json()["email"] == "ada@example.org"
    assert response.json()["name"] == "Ada"


def test_an_audience_list_naming_one_of_the_audiences_passes(with_jwks, kid):
    token = with_jwks.token(kid, aud=["https://someone-else.test", "https://other.test"])
    assert me(token).status_code == 200


def test_an_iat_within_the_leeway_passes(with_jwks, kid):
    assert me(with_jwks.token(kid, iat=int(time.time()) + 20)).status_code == 200


def test_the_services_own_tokens_keep_working(with_jwks, kid, user):
    assert client_for(user).get(reverse("auth-me")).json()["id"] == str(user.pk)


# --- Refused (point by point) ---------------------------------------------------


@pytest.mark.parametrize(
    "claims",
    [
        {"exp": int(time.time()) - 60},
        {"exp": None},
        {"iat": int(time.time()) + 3600},
        {"iss": "https://impostor.test"},
        {"iss": None},
        {"aud": "https://someone-else.test"},
        {"aud": None},
        {"sub": None},
        {"sub": 42},
        {"sub": ""},
        {"sub": "x" * 256},
        {"sub": "line\nbreak"},
        {"sub": ["a"]},
        {"exp": "9999999999"},
        {"iat": "1"},
        {"nbf": "1"},
    ],
    ids=[
        "expired",
        "no-exp",
        "issued-in-the-future",
        "other-issuer",
        "no-issuer",
        "other-audience",
        "no-audience",
        "no-subject",
        "number-subject",
        "empty-subject",
        "long-subject",
        "unprintable-subject",
        "list-subject",
        "text-exp",
        "text-iat",
        "text-nbf",
    ],
)
def test_a_token_with_claims_that_do_not_hold_is_refused(with_jwks, kid, claims):
    assert_refused(me(with_jwks.token(kid, **claims)))
    assert not User.objects.filter(external_subject__isnull=False).exists()


def test_a_token_signed_by_another_key_is_refused(with_jwks, kid):
    stranger = new_private_key("EdDSA")
    token = jwt.encode(payload(), stranger, algorithm="EdDSA", headers={"kid": kid})
    assert_refused(me(token))


def test_an_algorithm_not_in_the_list_is_refused(settings, with_jwks):
    kid = with_jwks.add_key("PS256")
    assert_refused(me(with_jwks.token(kid)))


def test_an_alg_that_does_not_fit_the_key_is_refused(with_jwks, kid):
    other = with_jwks.add_key("ES256")
    # An ES256 signature, presented as if made by the Ed25519 key.
    token = with_jwks.token(other, header={"kid": kid})
    assert_refused(me(token))


def test_hs256_signed_with_the_public_key_as_secret_is_refused(with_jwks, kid):
    public = with_jwks.jwks()["keys"][0]
    for secret in (public["x"], str(public)):
        token = jwt.encode(payload(), secret, algorithm="HS256", headers={"kid": kid})
        assert_refused(me(token))


def test_an_unsigned_token_is_refused(with_jwks, kid):
    token = jwt.encode(payload(), None, algorithm="none", headers={"kid": kid})
    assert_refused(me(token))


@pytest.mark.parametrize("header", [{}, {"kid": "no-such-key"}, {"kid": 7}, {"kid": None}])
def test_a_token_naming_no_known_key_is_refused(with_jwks, kid, header):
    assert_refused(me(with_jwks.raw_token(kid, header)))


@pytest.mark.parametrize("raw", ["not-a-jwt", "a.b.c", "eyJhbGciOiJFZERTQSJ9.e30."])
def test_garbage_is_refused_not_a_500(with_jwks, kid, raw):
    assert_refused(me(raw))


def test_an_external_token_claiming_to_be_one_of_ours_is_checked_with_our_key(with_jwks, kid, user):
    # Shaped like the service's own token, signed by the issuer's key: simplejwt
    # checks it with the service's key, and refuses it.
    token = with_jwks.token(kid, iss=None, token_type="access", user_id=str(user.pk))
    assert_refused(me(token))


def test_an_inactive_users_tokens_are_refused(with_jwks, kid):
    assert me(with_jwks.token(kid)).status_code == 200
    User.objects.filter(external_subject=SUBJECT).update(is_active=False)

    response = me(with_jwks.token(kid))

    assert_problem(response, 401, "user_inactive")


# --- Keys -----------------------------------------------------------------------


def test_the_jwks_is_fetched_once_for_many_requests(with_jwks, kid):
    for _ in range(5):
        assert me(with_jwks.token(kid)).status_code == 200
    assert with_jwks.fetches == 1


def test_another_worker_reads_the_keys_from_the_shared_cache(with_jwks, kid):
    assert me(with_jwks.token(kid)).status_code == 200
    jwks.forget_keys()  # what a freshly started worker knows

    assert me(with_jwks.token(kid)).status_code == 200
    assert with_jwks.fetches == 1


def test_a_flood_of_unknown_key_ids_costs_the_issuer_one_fetch(with_jwks, kid):
    assert me(with_jwks.token(kid)).status_code == 200
    algorithm, private_key = with_jwks.keys[kid]

    for _ in range(30):
        token = jwt.encode(
            payload(), private_key, algorithm=algorithm, headers={"kid": uuid.uuid4().hex}
        )
        assert_refused(me(token))

    assert with_jwks.fetches <= 2


def test_a_key_added_by_rotation_is_accepted_after_the_refetch_interval(
    with_jwks, kid, monkeypatch, settings
):
    # A short interval, in a cache that keeps fractions of a second (the
    # database cache rounds expiry to whole seconds).
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }
    monkeypatch.setattr(jwks, "REFETCH_INTERVAL", 0.2)
    assert me(with_jwks.token(kid)).status_code == 200
    rotated = with_jwks.add_key("EdDSA")

    time.sleep(0.3)
    response = me(with_jwks.token(rotated))

    assert response.status_code == 200, response.content
    assert me(with_jwks.token(kid)).status_code == 200  # the old key, in its grace period


def test_while_the_issuer_is_down_known_keys_verify_and_unknown_ones_are_refused(
    with_jwks, kid, monkeypatch
):
    monkeypatch.setattr(jwks, "REFETCH_INTERVAL", 0)
    monkeypatch.setattr(jwks, "KEYS_LIFETIME", 0)  # every request would look again
    assert me(with_jwks.token(kid)).status_code == 200
    with_jwks.down = True
    caches["default"].clear()

    assert me(with_jwks.token(kid)).status_code == 200
    unknown = with_jwks.add_key("EdDSA")
    assert_refused(me(with_jwks.token(unknown)))


def test_an_issuer_that_cannot_be_reached_at_all_is_a_401(settings, issuer):
    issuer.close()  # nothing listens on its port any more
    settings.EXTERNAL_JWT = external_issuers(
        jwks_url=issuer.jwks_url, issuer=ISSUER, audiences=[AUDIENCE]
    )
    kid = issuer.add_key("EdDSA")
    assert_refused(me(issuer.token(kid)))


# --- A shared secret --------------------------------------------------------------


@pytest.fixture
def with_secret(settings):
    def configure(**options):
        settings.EXTERNAL_JWT = external_issuers(
            secret=SECRET, signing_key=settings.SIMPLE_JWT["SIGNING_KEY"], **options
        )

    configure()
    return configure


def hs256(secret: str = SECRET, **claims) -> str:
    return jwt.encode(payload(**claims), secret, algorithm="HS256")


def test_a_token_minted_with_the_shared_secret_signs_in(with_secret):
    response = me(hs256(iss=None, aud=None))
    assert response.status_code == 200, response.content
    assert User.objects.get(external_subject=SUBJECT).external_issuer == "shared-secret"


def test_another_secret_is_refused(with_secret):
    assert_refused(me(hs256("another-secret-of-thirty-two-characters-or-more")))


def test_with_an_issuer_and_audience_set_both_are_checked(with_secret):
    with_secret(issuer=ISSUER, audiences=[AUDIENCE])
    assert me(hs256()).status_code == 200
    assert_refused(me(hs256(iss="https://impostor.test")))
    assert_refused(me(hs256(aud="https://someone-else.test")))
    assert_refused(me(hs256(iss=None)))


def test_a_secret_token_shaped_like_ours_is_checked_with_our_key(with_secret, user):
    assert_refused(me(hs256(token_type="access", user_id=str(user.pk), iss=None, aud=None)))


def test_the_services_own_tokens_keep_working_beside_the_secret(with_secret, user):
    assert client_for(user).get(reverse("auth-me")).status_code == 200


def test_a_missing_token_is_a_challenge_without_an_error(with_secret):
    response = APIClient().get(reverse("auth-me"))
    assert_problem(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
