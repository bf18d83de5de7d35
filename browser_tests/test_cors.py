"""A page of another origin uses the API with bearer tokens, as a front end does (CORS)."""

from browser_tests.front_end import FrontEndServer

SCRIPT = """
async ([api, email]) => {
  const json = { "Content-Type": "application/json" };
  const registered = await fetch(`${api}/api/auth/register/`, {
    method: "POST", headers: json,
    body: JSON.stringify({ email, password: "a long passphrase 42", name: "Cora" }),
  });
  const { access } = await registered.json();
  const auth = { ...json, Authorization: `Bearer ${access}` };

  const created = await fetch(`${api}/api/tasks/`, {
    method: "POST",
    headers: { ...auth, "Idempotency-Key": "create-1", "X-Request-ID": "cors-test-1" },
    body: JSON.stringify({ title: "From another origin" }),
  });
  const task = await created.json();
  const replayed = await fetch(`${api}/api/tasks/`, {
    method: "POST", headers: { ...auth, "Idempotency-Key": "create-1" },
    body: JSON.stringify({ title: "From another origin" }),
  });
  const etag = created.headers.get("ETag");
  const updated = await fetch(`${api}/api/tasks/${task.id}/`, {
    method: "PATCH", headers: { ...auth, "If-Match": etag },
    body: JSON.stringify({ title: "Renamed" }),
  });
  const stale = await fetch(`${api}/api/tasks/${task.id}/`, {
    method: "PATCH", headers: { ...auth, "If-Match": etag },
    body: JSON.stringify({ title: "Too late" }),
  });
  const listed = await fetch(`${api}/api/tasks/`, { headers: auth });
  return {
    registered: registered.status,
    created: created.status,
    location: created.headers.get("Location"),
    requestId: created.headers.get("X-Request-ID"),
    etag,
    replayed: replayed.status,
    replayedHeader: replayed.headers.get("Idempotent-Replayed"),
    updated: updated.status,
    updatedTitle: (await updated.json()).title,
    newEtag: updated.headers.get("ETag"),
    stale: stale.status,
    total: listed.headers.get("X-Total-Count"),
    link: listed.headers.get("Link"),
  };
}
"""


def test_a_page_of_another_origin_creates_and_updates_a_task(browser, server, front_end, run_id):
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(front_end.url)
        outcome = page.evaluate(SCRIPT, [server.url, f"cora-{run_id}@example.org"])
    finally:
        context.close()

    assert outcome["registered"] == 201
    assert outcome["created"] == 201
    assert outcome["location"].startswith(server.url + "/api/tasks/")
    assert outcome["requestId"] == "cors-test-1"
    assert outcome["etag"] == '"1"'
    assert (outcome["replayed"], outcome["replayedHeader"]) == (201, "true")
    assert (outcome["updated"], outcome["updatedTitle"], outcome["newEtag"]) == (
        200,
        "Renamed",
        '"2"',
    )
    assert outcome["stale"] == 412
    assert outcome["total"] == "1"
    assert outcome["link"]


def test_a_page_of_an_unlisted_origin_cannot_read_the_api(browser, server):
    stranger = FrontEndServer()  # another port: an origin the API does not list
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(stranger.url)
        outcome = page.evaluate(
            """async (api) => {
                try { await fetch(`${api}/api/tasks/`); return "read"; }
                catch (error) { return "blocked"; }
            }""",
            server.url,
        )
    finally:
        context.close()
        stranger.close()
    assert outcome == "blocked"
