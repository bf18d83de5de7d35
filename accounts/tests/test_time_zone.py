"""The user's time zone: an IANA name, UTC unless set, at registration or later."""

import pytest
from django.urls import reverse

from accounts.models import User
from accounts.tests.api import client_for
from accounts.tests.factories import PASSWORD
from api.tests.assertions import assert_invalid

pytestmark = pytest.mark.django_db


def register(api_client, **fields):
    return api_client.post(
        reverse("auth-register"), {"email": "tz@example.org", "password": PASSWORD, **fields}
    )


def test_a_new_user_is_in_utc_unless_they_say(api_client):
    response = register(api_client)

    assert response.status_code == 201
    assert response.json()["user"]["time_zone"] == "UTC"
    assert User.objects.get(email="tz@example.org").time_zone == "UTC"


def test_the_time_zone_is_set_at_registration_and_kept_as_iana_spells_it(api_client):
    response = register(api_client, time_zone="america/new_york")

    assert response.status_code == 201
    assert response.json()["user"]["time_zone"] == "America/New_York"
    assert User.objects.get(email="tz@example.org").time_zone == "America/New_York"


@pytest.mark.parametrize("name", ["Mars/Olympus", "", "localtime", "Factory", "+02:00", 5, None])
def test_a_name_that_is_no_iana_zone_is_a_400(api_client, user, name):
    assert_invalid(register(api_client, time_zone=name), "time_zone")
    patched = client_for(user).patch(reverse("auth-me"), {"time_zone": name})
    assert_invalid(patched, "time_zone")
    user.refresh_from_db()
    assert user.time_zone == "UTC"


def test_the_time_zone_is_changed_through_me_without_the_password(user):
    client = client_for(user)

    response = client.patch(reverse("auth-me"), {"time_zone": "Asia/Kolkata"})

    assert response.status_code == 200
    assert response.json()["time_zone"] == "Asia/Kolkata"
    assert client.get(reverse("auth-me")).json()["time_zone"] == "Asia/Kolkata"
    user.refresh_from_db()
    assert user.time_zone == "Asia/Kolkata"


def test_a_user_signed_in_by_another_issuer_sets_their_own_time_zone(user):
    User.objects.filter(pk=user.pk).update(
        external_issuer="https://issuer.example.org", external_subject="abc"
    )
    user.refresh_from_db()

    response = client_for(user).patch(reverse("auth-me"), {"time_zone": "Europe/Berlin"})

    assert response.status_code == 200
    assert response.json()["time_zone"] == "Europe/Berlin"
