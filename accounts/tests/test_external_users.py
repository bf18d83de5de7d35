"""The users another issuer signs in: linked by (issuer, subject), never by email."""

import time

import pytest
from django.urls import reverse

from accounts.issuers import external_issuers
from accounts.models import User
from accounts.tests.api import bearer, log_in
from accounts.tests.factories import UserFactory
from accounts.tests.issuer import AUDIENCE, ISSUER, LocalIssuer, payload, trusted_issuer
from api.tests.assertions import assert_invalid, assert_problem

pytestmark = pytest.mark.django_db

SUBJECT = payload()["sub"]


@pytest.fixture
def issuer(settings):
    with trusted_issuer(settings) as local:
        yield local


def sign_in(issuer, **claims):
    client = bearer(issuer.token(issuer.kid, **claims))
    response = client.get(reverse("auth-me"))
    return client, response


def test_the_first_token_makes_a_user_linked_to_issuer_and_subject(issuer):
    _, response = sign_in(issuer)

    assert response.status_code == 200
    user = User.objects.get(external_subject=SUBJECT)
    assert user.external_issuer == ISSUER
    assert (user.external_email, user.name, user.email) == ("ada@example.org", "Ada", None)
    assert not user.has_usable_password()
    assert response.json() == {
        "id": str(user.pk),
        "email": "ada@example.org",
        "name": "Ada",
        "time_zone": "UTC",
        "date_joined": response.json()["date_joined"],
    }


def test_later_tokens_find_the_same_user_and_follow_changed_claims(issuer):
    sign_in(issuer)
    _, response = sign_in(issuer, email="Ada.Lovelace@Example.org", name="Ada Lovelace")

    [user] = User.objects.filter(external_subject=SUBJECT)
    assert (user.external_email, user.name) == ("ada.lovelace@example.org", "Ada Lovelace")
    assert response.json()["email"] == "ada.lovelace@example.org"
    _, response = sign_in(issuer, email=None, name=None)  # claims left out: kept
    assert response.json()["name"] == "Ada Lovelace"


@pytest.mark.parametrize("email", ["not-an-address", "x" * 250 + "@e.org", 42])
def test_an_email_claim_that_is_not_an_address_is_not_kept(issuer, email):
    _, response = sign_in(issuer, email=email)
    assert response.status_code == 200
    assert User.objects.get(external_subject=SUBJECT).external_email == ""


def test_an_account_with_the_same_email_is_never_taken_over(issuer, api_client):
    local = UserFactory(email="ada@example.org", name="Local Ada")

    _, response = sign_in(issuer)

    assert response.json()["id"] != str(local.pk)
    assert User.objects.filter(external_subject=SUBJECT).get().pk != local.pk
    local.refresh_from_db()
    assert (local.email, local.name, local.external_issuer) == (
        "ada@example.org",
        "Local Ada",
        None,
    )
    assert log_in(api_client, "ada@example.org")["user"]["id"] == str(local.pk)


def test_the_same_subject_at_another_issuer_is_another_user(issuer, settings):
    sign_in(issuer)
    other = LocalIssuer()
    try:
        settings.EXTERNAL_JWT = external_issuers(
            jwks_url=other.jwks_url, issuer="https://elsewhere.test", audiences=[AUDIENCE]
        )
        kid = other.add_key("EdDSA")
        response = bearer(other.token(kid, iss="https://elsewhere.test")).get(reverse("auth-me"))
    finally:
        other.close()
    assert response.status_code == 200
    assert User.objects.filter(external_subject=SUBJECT).count() == 2


def test_the_profile_of_such_a_user_follows_the_issuer(issuer):
    client, _ = sign_in(issuer)

    errors = assert_invalid(client.patch(reverse("auth-me"), {"name": "Someone"}))

    assert set(errors) == {"name"}
    assert User.objects.get(external_subject=SUBJECT).name == "Ada"


def test_deleting_the_account_removes_the_user_and_the_next_token_starts_afresh(issuer):
    client, first = sign_in(issuer)

    response = client.delete(reverse("auth-me"))

    assert response.status_code == 204
    assert not User.objects.filter(external_subject=SUBJECT).exists()
    _, again = sign_in(issuer)
    assert again.status_code == 200
    assert again.json()["id"] != first.json()["id"]


def test_deleting_the_account_needs_a_recent_token(issuer):
    client, _ = sign_in(issuer, iat=int(time.time()) - 600)

    response = client.delete(reverse("auth-me"))

    assert_problem(response, 403, "recent_sign_in_required")
    assert User.objects.filter(external_subject=SUBJECT).exists()


def test_the_admin_shows_the_issuer_and_subject(issuer, admin_session):
    sign_in(issuer)
    user = User.objects.get(external_subject=SUBJECT)

    listed = admin_session.get(reverse("admin:accounts_user_changelist")).content.decode()
    page = admin_session.get(reverse("admin:accounts_user_change", args=[user.pk]))

    assert ISSUER in listed and SUBJECT in listed
    assert page.status_code == 200
    assert ISSUER in page.content.decode() and SUBJECT in page.content.decode()
