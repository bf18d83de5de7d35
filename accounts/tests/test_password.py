import pytest
from django.urls import reverse
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from accounts.tests.api import assert_bearer_challenge, bearer, claims, client_for, log_in, refresh
from accounts.tests.factories import PASSWORD, UserFactory
from api.tests.assertions import assert_invalid, assert_problem

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "another-Strong-passw0rd?"


def change_password(client, old_password=PASSWORD, new_password=NEW_PASSWORD):
    return client.post(
        reverse("auth-password"), {"old_password": old_password, "new_password": new_password}
    )


def test_password_change_sets_the_password_and_returns_a_fresh_pair(auth_client, user):
    response = change_password(auth_client)

    assert response.status_code == 200
    body = response.json()
    assert body.keys() == {"access", "refresh"}
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert not user.check_password(PASSWORD)


def test_tokens_from_a_password_change_work(api_client, auth_client, user):
    body = change_password(auth_client).json()

    me = bearer(body["access"]).get(reverse("auth-me"))
    assert me.status_code == 200
    assert me.json()["id"] == str(user.pk)
    assert refresh(api_client, body["refresh"]).status_code == 200


def test_password_change_with_a_wrong_old_password_is_400(auth_client, user):
    response = change_password(auth_client, old_password="not-the-Passw0rd")

    assert assert_invalid(response) == {"old_password": ["The current password is incorrect."]}
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert not BlacklistedToken.objects.exists()


@pytest.mark.parametrize(
    ("new_password", "message"),
    [
        ("x7#Qz1", "This password is too short. It must contain at least 8 characters."),
        ("password123", "This password is too common."),
        ("80417362951", "This password is entirely numeric."),
        ("ann.smith.example", "The password is too similar to the email address."),
    ],
    ids=["too-short", "common", "numeric", "similar-to-email"],
)
def test_password_change_to_a_weak_password_is_400(new_password, message):
    user = UserFactory(email="ann.smith@example.org")

    response = change_password(client_for(user), new_password=new_password)

    errors = assert_invalid(response)
    assert errors.keys() == {"new_password"}
    assert message in errors["new_password"]
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert not BlacklistedToken.objects.exists()


@pytest.mark.parametrize("missing", ["old_password", "new_password"])
def test_password_change_without_a_field_is_400(auth_client, user, missing):
    data = {"old_password": PASSWORD, "new_password": NEW_PASSWORD}
    del data[missing]

    response = auth_client.post(reverse("auth-password"), data)

    assert assert_invalid(response) == {missing: ["This field is required."]}
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_password_change_without_credentials_is_401(api_client, user):
    response = change_password(api_client)

    assert_problem(response, 401, "not_authenticated")
    assert_bearer_challenge(response)
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_password_change_revokes_every_earlier_refresh_token(api_client, user, other_user):
    sessions = [log_in(api_client, user.email) for _ in range(3)]
    other_session = log_in(api_client, other_user.email)

    assert change_password(bearer(sessions[0]["access"])).status_code == 200

    jtis = [claims(session["refresh"])["jti"] for session in sessions]
    assert BlacklistedToken.objects.filter(token__jti__in=jtis).count() == len(sessions)
    for session in sessions:
        response = refresh(api_client, session["refresh"])
        assert_problem(response, 401, "token_not_valid")
        assert_bearer_challenge(response)
    assert refresh(api_client, other_session["refresh"]).status_code == 200


def test_password_change_refuses_earlier_access_tokens(api_client, user):
    sessions = [log_in(api_client, user.email) for _ in range(2)]

    assert change_password(bearer(sessions[0]["access"])).status_code == 200

    for session in sessions:
        response = bearer(session["access"]).get(reverse("auth-me"))
        assert_problem(response, 401, "password_changed")
        assert_bearer_challenge(response)


def test_earlier_refresh_token_never_recorded_is_refused_after_password_change(api_client, user):
    # Even a refresh token missing from the outstanding list (e.g. issued before
    # the blacklist existed) carries a digest of the old password.
    session = log_in(api_client, user.email)
    OutstandingToken.objects.filter(jti=claims(session["refresh"])["jti"]).delete()

    assert change_password(bearer(session["access"])).status_code == 200

    assert_problem(refresh(api_client, session["refresh"]), 401, "token_not_valid")


def test_login_after_password_change_works_with_the_new_password_only(
    api_client, auth_client, user
):
    assert change_password(auth_client).status_code == 200

    response = api_client.post(reverse("auth-login"), {"email": user.email, "password": PASSWORD})
    assert_problem(response, 401, "invalid_credentials")
    assert log_in(api_client, user.email, NEW_PASSWORD)["user"]["id"] == str(user.pk)
