"""Request rates of the auth endpoints: per client address, and per email but for login."""

import pytest
import redis
from django.core.cache import caches
from django.urls import reverse

from accounts.models import User
from accounts.tests.api import client_for
from accounts.tests.factories import PASSWORD
from api.tests.assertions import assert_problem

pytestmark = pytest.mark.django_db

LIMIT = 3


@pytest.fixture(autouse=True)
def low_rates(settings):
    settings.THROTTLE_RATES = {
        **settings.THROTTLE_RATES,
        "login": f"{LIMIT}/minute",
        "register": f"{LIMIT}/minute",
        "refresh": f"{LIMIT}/minute",
        "password": f"{LIMIT}/minute",
        "tasks": f"{LIMIT}/minute",
    }
    caches["throttle"].clear()


def login(client, email, address="10.0.0.1", **headers):
    return client.post(
        reverse("auth-login"),
        {"email": email, "password": "wrong password"},
        REMOTE_ADDR=address,
        **headers,
    )


def assert_throttled(response):
    body = assert_problem(response, 429, "throttled")
    assert int(response["Retry-After"]) > 0
    return body


@pytest.mark.parametrize("url_name", ["auth-login", "auth-register"])
@pytest.mark.parametrize(
    "email", ["x" * 300 + "@example.org", "nul\u0000@example.org"], ids=["long", "nul"]
)
def test_an_email_no_cache_key_could_hold_is_a_400(api_client, url_name, email):
    # The email is counted before the body is validated; the database cache
    # (a 255-character key column, no NUL on PostgreSQL) must still take it.
    response = api_client.post(reverse(url_name), {"email": email, "password": PASSWORD})

    assert_problem(response, 400, "invalid")


def test_login_is_limited_per_client_address(api_client):
    for n in range(LIMIT):
        assert login(api_client, f"user{n}@example.org").status_code == 401
    assert_throttled(login(api_client, "someone-else@example.org"))
    # Another address is not affected.
    assert login(api_client, "user0@example.org", address="10.0.0.2").status_code == 401


def test_login_attempts_are_not_limited_per_email(api_client, user):
    # Failures against one email are counted per address first
    # (accounts.lockout, test_lockout.py): attempts from other addresses do
    # not lock the owner out.
    for n in range(LIMIT):
        assert login(api_client, user.email, address=f"10.0.1.{n}").status_code == 401
    response = api_client.post(
        reverse("auth-login"),
        {"email": user.email.upper(), "password": PASSWORD},
        REMOTE_ADDR="10.0.2.1",
    )
    assert response.status_code == 200


def test_spoofed_forwarded_for_is_ignored_without_a_trusted_header(api_client):
    for n in range(LIMIT):
        login(api_client, f"u{n}@example.org", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    assert_throttled(login(api_client, "new@example.org", HTTP_X_FORWARDED_FOR="192.0.2.99"))


def test_trusted_proxy_header_gives_the_client_address(api_client, settings):
    settings.CLIENT_IP_HEADER = "X-Forwarded-For"
    # Only the last entry (the one the proxy added) counts; what the client
    # put before it changes nothing.
    for n in range(LIMIT):
        login(api_client, f"p{n}@example.org", HTTP_X_FORWARDED_FOR=f"6.6.6.{n}, 192.0.2.50")
    assert_throttled(login(api_client, "q@example.org", HTTP_X_FORWARDED_FOR="192.0.2.50"))
    # Another client behind the same proxy (same REMOTE_ADDR) has its own budget.
    response = login(api_client, "r@example.org", HTTP_X_FORWARDED_FOR="6.6.6.0, 192.0.2.51")
    assert response.status_code == 401


def test_register_is_limited_per_address(api_client):
    for n in range(LIMIT):
        response = api_client.post(
            reverse("auth-register"),
            {"email": f"new{n}@example.org", "password": PASSWORD},
            REMOTE_ADDR="10.0.3.1",
        )
        assert response.status_code == 201
    response = api_client.post(
        reverse("auth-register"),
        {"email": "late@example.org", "password": PASSWORD},
        REMOTE_ADDR="10.0.3.1",
    )
    assert_throttled(response)
    assert not User.objects.filter(email="late@example.org").exists()


def test_refresh_is_limited_per_address(api_client):
    for _ in range(LIMIT):
        api_client.post(reverse("auth-refresh"), {"refresh": "junk"}, REMOTE_ADDR="10.0.4.1")
    assert_throttled(
        api_client.post(reverse("auth-refresh"), {"refresh": "junk"}, REMOTE_ADDR="10.0.4.1")
    )


def test_password_change_is_limited(user):
    client = client_for(user)
    for _ in range(LIMIT):
        response = client.post(
            reverse("auth-password"), {"old_password": "wrong", "new_password": "x"}
        )
        assert response.status_code == 400
    assert_throttled(
        client.post(reverse("auth-password"), {"old_password": "wrong", "new_password": "x"})
    )


REDIS_TEST_URL = "redis://127.0.0.1:6379/15"


def test_counters_live_in_redis_when_configured(api_client, settings):
    redis_cache = {"BACKEND": "django.core.cache.backends.redis.RedisCache"}
    settings.CACHES = {
        "default": redis_cache | {"LOCATION": REDIS_TEST_URL},
        "throttle": redis_cache | {"LOCATION": REDIS_TEST_URL},
    }
    server = redis.Redis.from_url(REDIS_TEST_URL)
    server.flushdb()
    try:
        for n in range(LIMIT):
            login(api_client, f"redis{n}@example.org", address="10.0.9.1")
        assert_throttled(login(api_client, "redis-late@example.org", address="10.0.9.1"))
        assert server.keys("*throttle:login:address:10.0.9.1")
    finally:
        server.flushdb()
