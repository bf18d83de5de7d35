"""Accounts-only fixtures: tokens issued the way a client gets them, over the API."""

import pytest

from accounts.tests.api import expired_access_token, log_in


@pytest.fixture
def tokens(api_client, user) -> dict:
    """The body of a successful login of `user`: access, refresh and user."""
    return log_in(api_client, user.email)


@pytest.fixture(params=["garbage", "expired"])
def stale_authorization(request, other_user) -> str:
    """An Authorization header that access-token authentication would refuse."""
    if request.param == "garbage":
        return "Bearer not-a-token"
    return f"Bearer {expired_access_token(other_user)}"
