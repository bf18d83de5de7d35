"""A front end that signs in with a real Better Auth server uses the API unchanged.

Better Auth (npm, jwt() plugin at its defaults) runs on Node.js; the API is
Django's live test server; both on loopback, spoken to over HTTP as a
Next.js front end would: sign up, sign in, take a token from
/api/auth/token, then the task API with it.
"""

import time
import uuid

import jwt
import pytest
from django.core.cache import caches

from accounts import jwks
from accounts.issuers import external_issuers
from harness.better_auth_server import BetterAuthServer, FrontEnd
from harness.load import Client

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a long passphrase for better auth"


@pytest.fixture(scope="module")
def better_auth():
    server = BetterAuthServer().start()
    yield server
    server.stop()


@pytest.fixture
def api(settings, live_server, monkeypatch, better_auth):
    """The API, told of the Better Auth server as BETTER_AUTH_URL would tell it."""
    settings.EXTERNAL_JWT = external_issuers(better_auth_url=better_auth.url)
    # A cache that keeps fractions of a second, and a short refetch interval,
    # so that a rotated key is looked for within the test's patience.
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }
    monkeypatch.setattr(jwks, "REFETCH_INTERVAL", 0.2)
    jwks.forget_keys()
    yield live_server.url
    jwks.forget_keys()
    caches["default"].clear()


def signed_up(server: BetterAuthServer) -> tuple[FrontEnd, dict]:
    front_end = FrontEnd(server)
    email = f"ada-{uuid.uuid4().hex[:8]}@example.org"
    user = front_end.sign_up(email, PASSWORD, "Ada")
    front_end.sign_in(email, PASSWORD)
    return front_end, user


def client(api: str, token: str) -> Client:
    api_client = Client(api)
    api_client.token = token
    return api_client


def test_the_task_api_through_a_better_auth_sign_in(api, better_auth):
    front_end, user = signed_up(better_auth)
    token = front_end.token()
    assert jwt.get_unverified_header(token)["alg"] == "EdDSA"
    tasks = client(api, token)

    me = tasks.request("GET", "/api/auth/me/")
    created = tasks.request("POST", "/api/tasks/", {"title": "Buy milk", "priority": "high"})
    task_id = created.body["id"]
    listed = tasks.request("GET", "/api/tasks/")
    patched = tasks.request("PATCH", f"/api/tasks/{task_id}/", {"title": "Buy oat milk"})
    toggled = tasks.request("PATCH", f"/api/tasks/{task_id}/complete/")
    by_path = tasks.request("GET", f"/api/{user['id']}/tasks/{task_id}/")
    other_path = tasks.request("GET", f"/api/{user['id'].swapcase()}/tasks/")
    deleted = tasks.request("DELETE", f"/api/tasks/{task_id}/")
    gone = tasks.request("GET", f"/api/tasks/{task_id}/")

    assert (me.status, me.body["email"], me.body["name"]) == (200, user["email"], "Ada")
    assert created.status == 201, created.body
    assert (listed.status, [t["id"] for t in listed.body]) == (200, [task_id])
    assert (patched.status, patched.body["title"]) == (200, "Buy oat milk")
    assert (toggled.status, toggled.body["completed"]) == (200, True)
    assert (by_path.status, by_path.body["id"]) == (200, task_id)
    assert other_path.status == 403
    assert (deleted.status, gone.status) == (204, 404)


def test_each_better_auth_user_sees_only_their_own_tasks(api, better_auth):
    ann = client(api, signed_up(better_auth)[0].token())
    bob_front_end, bob = signed_up(better_auth)
    bobs = client(api, bob_front_end.token())
    task_id = ann.request("POST", "/api/tasks/", {"title": "Ann's"}).body["id"]

    assert bobs.request("GET", f"/api/tasks/{task_id}/").status == 404
    assert bobs.request("GET", "/api/tasks/").body == []
    assert ann.request("GET", f"/api/{bob['id']}/tasks/").status == 403


def test_a_rotated_key_is_accepted_and_the_old_one_still_is(api, better_auth):
    front_end, _ = signed_up(better_auth)
    before = front_end.token()
    assert client(api, before).request("GET", "/api/tasks/").status == 200

    better_auth.rotate_keys()
    after = front_end.token()

    assert jwt.get_unverified_header(after)["kid"] != jwt.get_unverified_header(before)["kid"]
    assert accepted_within(ROTATION_SECONDS, client(api, after))
    assert client(api, before).request("GET", "/api/tasks/").status == 200


ROTATION_SECONDS = 5


def accepted_within(seconds: float, api_client: Client) -> bool:
    """Whether the API accepts the client's token within `seconds` (retrying as a client would)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if api_client.request("GET", "/api/tasks/").status == 200:
            return True
        time.sleep(0.1)
    return False


def test_while_better_auth_is_down_known_keys_verify_and_unknown_ones_are_a_401(api, settings):
    server = BetterAuthServer().start()
    try:
        settings.EXTERNAL_JWT = external_issuers(better_auth_url=server.url)
        front_end, _ = signed_up(server)
        token = front_end.token()
        assert client(api, token).request("GET", "/api/tasks/").status == 200
        server.rotate_keys()
        unknown = front_end.token()  # signed with a key the API has not seen
    finally:
        server.stop()

    assert client(api, token).request("GET", "/api/tasks/").status == 200
    refused = client(api, unknown).request("GET", "/api/tasks/")
    assert refused.status == 401
    assert refused.headers["www-authenticate"].endswith('error="invalid_token"')
