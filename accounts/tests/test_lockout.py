"""Failed password checks lock out the client that fails, not the account's owner.

Every endpoint that checks a password counts its failures (accounts.lockout):
the API's login, the admin's login, the password change, the account's
deletion and the change of its email.
"""

import threading

import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts import lockout
from accounts.models import PasswordFailures, User
from accounts.tests.api import client_for
from accounts.tests.factories import PASSWORD, UserFactory
from api.tests.assertions import assert_invalid, assert_problem

pytestmark = pytest.mark.django_db

PER_EMAIL_AND_ADDRESS, PER_ADDRESS, PER_EMAIL = 3, 6, 5
WINDOW = 900


@pytest.fixture(autouse=True)
def limits(settings):
    settings.PASSWORD_FAILURE_LIMITS = {
        "email_address": (PER_EMAIL_AND_ADDRESS, WINDOW),
        "address": (PER_ADDRESS, WINDOW),
        "email": (PER_EMAIL, WINDOW),
    }
    # The request rates stay out of the way: failures are what is counted here.
    settings.THROTTLE_RATES = {scope: "1000/minute" for scope in settings.THROTTLE_RATES}


@pytest.fixture
def clock(monkeypatch):
    """The lockout's clock, moved by hand."""

    class Clock:
        now = 2_000_000_000.0

        def time(self):
            return self.now

    clock = Clock()
    monkeypatch.setattr(lockout, "time", clock)
    return clock


def login(client, email, password="wrong password", address="10.0.0.1"):
    return client.post(
        reverse("auth-login"), {"email": email, "password": password}, REMOTE_ADDR=address
    )


def assert_locked(response):
    assert_problem(response, 429, "throttled")
    assert 0 < int(response["Retry-After"]) <= WINDOW


def test_failures_from_one_address_lock_that_address_out_of_that_account(api_client, user):
    for _ in range(PER_EMAIL_AND_ADDRESS):
        assert_problem(login(api_client, user.email), 401, "invalid_credentials")

    # Even the right password waits, from there...
    assert_locked(login(api_client, user.email, PASSWORD))
    assert_locked(login(api_client, user.email.upper()))
    # ...but not from an address that has not been failing: the owner logs in.
    assert login(api_client, user.email, PASSWORD, address="10.0.0.2").status_code == 200
    # And the failing address may still log in to other accounts.
    other = UserFactory()
    assert login(api_client, other.email, PASSWORD).status_code == 200


def test_refused_attempts_are_not_counted(api_client, user):
    for _ in range(PER_EMAIL_AND_ADDRESS):
        login(api_client, user.email)
    for _ in range(10):
        assert_locked(login(api_client, user.email))

    # Only the failures that were checked count against the email.
    assert PasswordFailures.objects.get(bucket__startswith="email:").failures == (
        PER_EMAIL_AND_ADDRESS
    )


def test_failures_against_many_accounts_lock_the_address_out(api_client):
    for n in range(PER_ADDRESS):
        assert login(api_client, f"user{n}@example.org").status_code == 401

    owner = UserFactory()
    assert_locked(login(api_client, owner.email, PASSWORD))
    assert login(api_client, owner.email, PASSWORD, address="10.0.0.2").status_code == 200


def test_a_guessing_attack_spread_over_many_addresses_is_bounded(api_client, user):
    # Each address stays under its own limits; the email's count stops them all.
    statuses = [login(api_client, user.email, address=f"10.1.0.{n}").status_code for n in range(8)]

    assert statuses == [401] * PER_EMAIL + [429] * (8 - PER_EMAIL)
    assert_locked(login(api_client, user.email, PASSWORD, address="10.2.0.1"))
    # Other accounts are not affected.
    other = UserFactory()
    assert login(api_client, other.email, PASSWORD, address="10.2.0.1").status_code == 200


def test_counts_start_again_when_their_window_ends(api_client, user, clock):
    for _ in range(PER_EMAIL_AND_ADDRESS):
        login(api_client, user.email)
    response = login(api_client, user.email, PASSWORD)
    assert_locked(response)
    assert int(response["Retry-After"]) == WINDOW

    clock.now += WINDOW - 100
    assert int(login(api_client, user.email, PASSWORD)["Retry-After"]) == 100
    clock.now += 100
    assert login(api_client, user.email, PASSWORD).status_code == 200
    # Ended windows are dropped at the next failure.
    login(api_client, "someone@example.org")
    assert PasswordFailures.objects.count() == 3


def test_the_right_password_empties_the_count_of_its_email_and_address(api_client, user):
    for _ in range(PER_EMAIL_AND_ADDRESS - 1):
        login(api_client, user.email)
    assert login(api_client, user.email, PASSWORD).status_code == 200

    for _ in range(PER_EMAIL_AND_ADDRESS):
        assert login(api_client, user.email).status_code == 401
    assert_locked(login(api_client, user.email))


def test_logging_in_to_an_own_account_does_not_empty_the_address_count(api_client):
    own = UserFactory()
    for n in range(PER_ADDRESS - 1):
        login(api_client, f"victim{n}@example.org")
    assert login(api_client, own.email, PASSWORD).status_code == 200

    login(api_client, "victim-last@example.org")
    assert_locked(login(api_client, "victim-next@example.org"))


def test_trusted_proxy_header_gives_the_address_counted(api_client, settings, user):
    settings.CLIENT_IP_HEADER = "X-Forwarded-For"
    for _ in range(PER_EMAIL_AND_ADDRESS):
        api_client.post(
            reverse("auth-login"),
            {"email": user.email, "password": "wrong"},
            HTTP_X_FORWARDED_FOR="192.0.2.7",
        )

    locked = api_client.post(
        reverse("auth-login"),
        {"email": user.email, "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="192.0.2.7",
    )
    assert_locked(locked)
    response = api_client.post(
        reverse("auth-login"),
        {"email": user.email, "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="192.0.2.8",
    )
    assert response.status_code == 200


# --- The other endpoints that check a password --------------------------------


def admin_login(email, password, address="10.0.0.1"):
    return Client().post(
        reverse("admin:login"), {"username": email, "password": password}, REMOTE_ADDR=address
    )


def test_admin_login_is_limited():
    staff = UserFactory(is_staff=True)
    for _ in range(PER_EMAIL_AND_ADDRESS):
        response = admin_login(staff.email, "wrong password")
        assert response.status_code == 200  # the form again, with its error
        assert response.context["form"].errors

    response = admin_login(staff.email, PASSWORD)
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= WINDOW
    assert "_auth_user_id" not in response.client.session
    # The admin's own address logs in.
    response = admin_login(staff.email, PASSWORD, address="10.0.0.2")
    assert response.status_code == 302
    assert response.client.session["_auth_user_id"] == str(staff.pk)


def test_admin_login_attempts_count_against_the_login_rate(settings):
    # Like the API's login: every attempt of an address, right or wrong.
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "login": "3/minute"}
    staff = UserFactory(is_staff=True)
    for password in ("wrong", "wrong", PASSWORD):
        assert admin_login(staff.email, password).status_code in (200, 302)

    response = admin_login(staff.email, PASSWORD)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    # Reading the form is not an attempt; another address has its own rate.
    assert Client().get(reverse("admin:login"), REMOTE_ADDR="10.0.0.1").status_code == 200
    assert admin_login(staff.email, PASSWORD, address="10.0.0.2").status_code == 302


def test_admin_and_api_logins_share_the_counts(api_client):
    staff = UserFactory(is_staff=True)
    for _ in range(PER_EMAIL_AND_ADDRESS):
        login(api_client, staff.email)

    assert admin_login(staff.email, PASSWORD).status_code == 429


def test_account_deletion_is_limited(user):
    client = client_for(user)
    for _ in range(PER_EMAIL_AND_ADDRESS):
        response = client.delete(reverse("auth-me"), {"password": "wrong password"})
        assert set(assert_invalid(response)) == {"password"}

    assert_locked(client.delete(reverse("auth-me"), {"password": PASSWORD}))
    assert User.objects.filter(pk=user.pk).exists()


def test_email_change_is_limited(user):
    client = client_for(user)
    change = {"email": "taken-or-not@example.org", "current_password": "wrong password"}
    for _ in range(PER_EMAIL_AND_ADDRESS):
        assert set(assert_invalid(client.patch(reverse("auth-me"), change))) == {"current_password"}

    assert_locked(client.patch(reverse("auth-me"), {**change, "current_password": PASSWORD}))
    user.refresh_from_db()
    assert user.email != "taken-or-not@example.org"
    # A change of the name alone checks no password: still served.
    assert client.patch(reverse("auth-me"), {"name": "Ann"}).status_code == 200


def test_password_change_failures_count_with_the_logins(api_client, user):
    client = client_for(user)
    for _ in range(PER_EMAIL_AND_ADDRESS):
        response = client.post(
            reverse("auth-password"), {"old_password": "wrong", "new_password": "x"}
        )
        assert set(assert_invalid(response)) == {"old_password"}

    # The test client's own address (REMOTE_ADDR) is the one that failed.
    assert_locked(login(api_client, user.email, PASSWORD, address="127.0.0.1"))


def test_request_rates_limit_deletion_and_email_changes(settings, user):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "account": "2/minute"}
    client = client_for(user)
    change = {"email": "new@example.org", "current_password": PASSWORD}
    assert client.patch(reverse("auth-me"), change).status_code == 200
    assert client.patch(reverse("auth-me"), {**change, "email": user.email}).status_code == 200

    assert_problem(client.patch(reverse("auth-me"), change), 429, "throttled")
    assert_problem(client.delete(reverse("auth-me"), {"password": PASSWORD}), 429, "throttled")
    # Reading and renaming are not limited by it.
    assert client.get(reverse("auth-me")).status_code == 200
    assert client.patch(reverse("auth-me"), {"name": "Ann"}).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_failures_at_the_same_moment_are_all_counted():
    # One upsert per failure: concurrent failures (other workers, other
    # hosts) never overwrite each other's count, as a read-then-write would.
    request = RequestFactory().post("/", REMOTE_ADDR="10.9.9.9")
    failures = 12
    barrier = threading.Barrier(failures)

    def fail():
        try:
            barrier.wait()
            lockout.PasswordAttempt(request, "target@example.org").record(succeeded=False)
        finally:
            connection.close()

    threads = [threading.Thread(target=fail) for _ in range(failures)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    counts = dict(PasswordFailures.objects.values_list("bucket", "failures"))
    assert sorted(counts.values()) == [failures] * 3


def test_an_operator_lifts_a_lockout_in_the_admin(api_client, admin_session, user):
    for _ in range(PER_EMAIL_AND_ADDRESS):
        login(api_client, user.email)
    assert_locked(login(api_client, user.email, PASSWORD))

    changelist = reverse("admin:accounts_passwordfailures_changelist")
    assert admin_session.get(changelist).status_code == 200
    response = admin_session.post(
        changelist,
        {
            "action": "delete_selected",
            "_selected_action": list(PasswordFailures.objects.values_list("pk", flat=True)),
            "post": "yes",
        },
    )

    assert response.status_code == 302
    assert not PasswordFailures.objects.exists()
    assert login(api_client, user.email, PASSWORD).status_code == 200
