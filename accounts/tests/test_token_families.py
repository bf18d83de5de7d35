"""A refresh token spent twice revokes its whole sign-in; logging out does too."""

import logging

import pytest
from django.urls import reverse

from accounts.tests.api import bearer, claims, log_in, refresh
from api.tests.assertions import assert_problem

pytestmark = pytest.mark.django_db


def logout(client, token: str):
    return client.post(reverse("auth-logout"), {"refresh": token})


def test_every_token_of_a_sign_in_shares_its_family(api_client, user):
    first = log_in(api_client, user.email)
    second = refresh(api_client, first["refresh"]).json()

    assert claims(first["refresh"])["family"] == claims(second["refresh"])["family"]
    assert (
        claims(log_in(api_client, user.email)["refresh"])["family"]
        != claims(first["refresh"])["family"]
    )


def test_a_spent_refresh_token_presented_again_revokes_its_family(api_client, user, caplog):
    stolen = log_in(api_client, user.email)["refresh"]
    current = refresh(api_client, stolen).json()["refresh"]  # the client rotates
    newer = refresh(api_client, current).json()["refresh"]
    other_sign_in = log_in(api_client, user.email)["refresh"]

    with caplog.at_level(logging.WARNING, logger="accounts.tokens"):
        reused = refresh(api_client, stolen)  # the thief spends the copy
    [record] = [r for r in caplog.records if getattr(r, "event", None) == "refresh_reuse"]

    assert_problem(reused, 401, "token_not_valid")
    assert_problem(refresh(api_client, newer), 401, "token_not_valid")
    assert refresh(api_client, other_sign_in).status_code == 200
    assert record.user_id == str(user.pk)
    assert str(user.pk) in record.getMessage()
    assert "1 refresh token(s)" in record.getMessage()  # newer: the others were spent


def test_a_forged_or_expired_token_revokes_nothing(api_client, user):
    pair = log_in(api_client, user.email)
    assert_problem(refresh(api_client, pair["refresh"][:-4] + "abcd"), 401, "token_not_valid")
    assert refresh(api_client, pair["refresh"]).status_code == 200


def test_logout_revokes_the_family(api_client, user):
    first = log_in(api_client, user.email)
    rotated = refresh(api_client, first["refresh"]).json()
    other_sign_in = log_in(api_client, user.email)["refresh"]

    assert logout(api_client, rotated["refresh"]).status_code == 204

    assert_problem(refresh(api_client, rotated["refresh"]), 401, "token_not_valid")
    assert refresh(api_client, other_sign_in).status_code == 200


def test_access_tokens_live_until_they_expire(api_client, user):
    pair = log_in(api_client, user.email)
    logout(api_client, pair["refresh"])
    assert bearer(pair["access"]).get(reverse("auth-me")).status_code == 200
