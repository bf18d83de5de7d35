import pytest
from django.urls import reverse
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from accounts.tests.api import assert_bearer_challenge, assert_user_body, bearer, claims
from accounts.tests.api import log_in as logged_in
from accounts.tests.factories import PASSWORD, UserFactory
from api.tests.assertions import assert_invalid, assert_problem

pytestmark = pytest.mark.django_db


def log_in(client, **data):
    return client.post(reverse("auth-login"), data)


def test_login_returns_a_token_pair_and_the_user(api_client, user):
    response = log_in(api_client, email=user.email, password=PASSWORD)

    assert response.status_code == 200
    body = response.json()
    assert body.keys() == {"access", "refresh", "user"}
    assert_user_body(body["user"], user)
    assert claims(body["access"])["user_id"] == str(user.pk)
    # The refresh token is recorded, so it can be revoked later.
    assert OutstandingToken.objects.filter(user=user, jti=claims(body["refresh"])["jti"]).exists()


def test_login_returns_an_access_token_that_works(api_client, user):
    body = log_in(api_client, email=user.email, password=PASSWORD).json()

    me = bearer(body["access"]).get(reverse("auth-me"))

    assert me.status_code == 200
    assert me.json()["id"] == str(user.pk)


@pytest.mark.parametrize("email", ["ANN@EXAMPLE.ORG", "Ann@Example.Org", " ann@example.org "])
def test_login_accepts_the_email_in_another_case(api_client, email):
    user = UserFactory(email="ann@example.org")

    response = log_in(api_client, email=email, password=PASSWORD)

    assert response.status_code == 200
    assert response.json()["user"]["id"] == str(user.pk)


def test_login_with_a_wrong_password_is_401(api_client, user):
    response = log_in(api_client, email=user.email, password="not-the-Passw0rd")

    assert_problem(response, 401, "invalid_credentials")
    assert_bearer_challenge(response)
    assert not OutstandingToken.objects.exists()


def test_login_with_unknown_email_is_401_like_wrong_password(api_client, user):
    wrong_password = log_in(api_client, email=user.email, password="not-the-Passw0rd")
    unknown_email = log_in(api_client, email="nobody@example.org", password=PASSWORD)

    assert_problem(unknown_email, 401, "invalid_credentials")
    assert unknown_email.json() == wrong_password.json()
    assert unknown_email["WWW-Authenticate"] == wrong_password["WWW-Authenticate"]
    assert not OutstandingToken.objects.exists()


def test_login_of_an_inactive_user_is_401_like_wrong_password(api_client, user):
    inactive = UserFactory(is_active=False)

    wrong_password = log_in(api_client, email=user.email, password="not-the-Passw0rd")
    response = log_in(api_client, email=inactive.email, password=PASSWORD)

    assert_problem(response, 401, "invalid_credentials")
    assert_bearer_challenge(response)
    assert response.json() == wrong_password.json()
    assert not OutstandingToken.objects.exists()


@pytest.mark.parametrize("missing", ["email", "password"])
def test_login_without_a_field_is_400(api_client, user, missing):
    data = {"email": user.email, "password": PASSWORD}
    del data[missing]

    response = log_in(api_client, **data)

    assert assert_invalid(response) == {missing: ["This field is required."]}
    assert not OutstandingToken.objects.exists()


def test_login_ignores_a_stale_authorization_header(api_client, user, stale_authorization):
    api_client.credentials(HTTP_AUTHORIZATION=stale_authorization)

    response = log_in(api_client, email=user.email, password=PASSWORD)

    assert response.status_code == 200
    assert response.json()["user"]["id"] == str(user.pk)


def test_login_records_the_time_of_login(api_client, user):
    assert user.last_login is None

    log_in(api_client, email=user.email, password=PASSWORD)

    user.refresh_from_db()
    assert user.last_login is not None


def test_answers_that_carry_tokens_are_never_stored(api_client, user):
    tokens = logged_in(api_client, user.email)
    answers = [
        api_client.post(reverse("auth-login"), {"email": user.email, "password": PASSWORD}),
        api_client.post(reverse("auth-refresh"), {"refresh": tokens["refresh"]}),
        api_client.post(
            reverse("auth-register"),
            {"email": "new@example.org", "password": "a long passphrase", "name": "New"},
        ),
        bearer(tokens["access"]).post(
            reverse("auth-password"),
            {"old_password": PASSWORD, "new_password": "another long passphrase"},
        ),
    ]
    assert [answer.status_code for answer in answers] == [200, 200, 201, 200]
    assert all(answer["Cache-Control"] == "no-store" for answer in answers)
