import uuid

import pytest
from django.urls import reverse

from accounts.models import User
from accounts.services import CURRENT_PASSWORD_NEEDED, EMAIL_TAKEN, WRONG_PASSWORD
from accounts.tests.api import assert_bearer_challenge, assert_user_body, client_for, log_in
from accounts.tests.factories import PASSWORD, UserFactory
from api.tests.assertions import assert_invalid, assert_problem

pytestmark = pytest.mark.django_db


def update_me(client, **data):
    return client.patch(reverse("auth-me"), data)


def test_me_returns_the_callers_profile(auth_client, user, other_user):
    response = auth_client.get(reverse("auth-me"))

    assert response.status_code == 200
    assert_user_body(response.json(), user)


def test_me_patch_changes_the_name(auth_client, user):
    response = update_me(auth_client, name="Ann Renamed")

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.name == "Ann Renamed"
    assert_user_body(response.json(), user)


def test_me_patch_changes_the_email_stored_lowercased(api_client, auth_client, user):
    old_email = user.email

    response = update_me(auth_client, email="Ann.New@Example.ORG", current_password=PASSWORD)

    assert response.status_code == 200
    assert response.json()["email"] == "ann.new@example.org"
    user.refresh_from_db()
    assert user.email == "ann.new@example.org"
    assert log_in(api_client, "ann.new@example.org")["user"]["id"] == str(user.pk)
    response = api_client.post(reverse("auth-login"), {"email": old_email, "password": PASSWORD})
    assert_problem(response, 401, "invalid_credentials")


def test_me_patch_with_an_email_taken_in_another_case_is_400(auth_client, user, other_user):
    old_email = user.email

    response = update_me(
        auth_client, email=other_user.email.upper(), name="Ann Renamed", current_password=PASSWORD
    )

    assert assert_invalid(response) == {"email": [EMAIL_TAKEN]}
    user.refresh_from_db()
    assert user.email == old_email
    assert user.name != "Ann Renamed"


def test_me_patch_losing_a_race_for_the_email_is_400(auth_client, user, other_user, monkeypatch):
    monkeypatch.setattr("accounts.services._email_taken", lambda *args, **kwargs: False)
    old_email = user.email

    response = update_me(auth_client, email=other_user.email.upper(), current_password=PASSWORD)

    assert assert_invalid(response) == {"email": [EMAIL_TAKEN]}
    user.refresh_from_db()
    assert user.email == old_email


@pytest.mark.parametrize(
    ("password", "message"),
    [(None, CURRENT_PASSWORD_NEEDED), ("wrong password", WRONG_PASSWORD)],
    ids=["missing", "wrong"],
)
def test_me_patch_changing_the_email_needs_the_current_password(
    auth_client, user, other_user, password, message
):
    # Checked before the address: without it, no answer tells whether an
    # address is taken.
    old_email = user.email
    extra = {} if password is None else {"current_password": password}

    for email in ("fresh@example.org", other_user.email):
        response = update_me(auth_client, email=email, name="Ann Renamed", **extra)

        assert assert_invalid(response) == {"current_password": [message]}
    user.refresh_from_db()
    assert (user.email, user.name) == (old_email, user.name)
    assert user.name != "Ann Renamed"


def test_me_patch_of_the_name_alone_needs_no_password(auth_client, user):
    response = update_me(auth_client, name="Ann", current_password="wrong password")

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.name == "Ann"


def test_me_patch_never_shows_the_current_password(auth_client, user):
    response = update_me(auth_client, email="new@example.org", current_password=PASSWORD)

    assert response.status_code == 200
    assert "current_password" not in response.json()


def test_me_patch_with_the_callers_own_email_in_another_case_keeps_it():
    user = UserFactory(email="ann@example.org")

    response = update_me(client_for(user), email="ANN@Example.org", name="Ann")

    assert response.status_code == 200
    assert response.json()["email"] == "ann@example.org"
    user.refresh_from_db()
    assert user.email == "ann@example.org"
    assert user.name == "Ann"


def test_me_patch_ignores_id_and_date_joined(auth_client, user):
    original_id, original_date_joined = user.pk, user.date_joined

    response = update_me(
        auth_client, id=str(uuid.uuid4()), date_joined="2000-01-01T00:00:00Z", name="Ann"
    )

    assert response.status_code == 200
    assert response.json()["id"] == str(original_id)
    user.refresh_from_db()
    assert user.pk == original_id
    assert user.date_joined == original_date_joined
    assert user.name == "Ann"
    assert User.objects.count() == 1


def test_me_patch_with_an_invalid_email_is_400(auth_client, user):
    old_email = user.email

    response = update_me(auth_client, email="not-an-email")

    assert assert_invalid(response).keys() == {"email"}
    user.refresh_from_db()
    assert user.email == old_email


@pytest.mark.parametrize("data", [{"name": 12}, {"email": ["ann@example.org"]}])
def test_me_patch_with_a_value_that_is_not_a_string_is_400(auth_client, user, data):
    old_name = user.name

    response = update_me(auth_client, **data)

    assert assert_invalid(response).keys() == data.keys()
    user.refresh_from_db()
    assert user.name == old_name


def test_me_put_is_405(auth_client, user):
    old_name = user.name

    response = auth_client.put(reverse("auth-me"), {"email": user.email, "name": "Ann"})

    assert_problem(response, 405, "method_not_allowed")
    user.refresh_from_db()
    assert user.name == old_name


@pytest.mark.parametrize("method", ["get", "patch"])
def test_me_without_credentials_is_401(api_client, user, method):
    old_name = user.name

    response = getattr(api_client, method)(reverse("auth-me"), {"name": "Intruder"})

    assert_problem(response, 401, "not_authenticated")
    assert_bearer_challenge(response)
    user.refresh_from_db()
    assert user.name == old_name
