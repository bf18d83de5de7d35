"""The optional trailing slash, and sessions that exist only under /admin/."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.urls("api.tests.urls")


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_path_without_its_trailing_slash_is_served_not_redirected(api_client, method):
    response = getattr(api_client, method)("/api/notes", {"title": "x"})
    assert response.status_code == {"get": 200, "post": 201}[method]


def test_api_requests_get_no_session_or_session_user(api_client):
    response = api_client.get(reverse("notes"))
    request = response.wsgi_request
    assert not hasattr(request, "session")
    assert "Set-Cookie" not in response
