"""Every asset the browser-facing pages request loads, from this server.

collectstatic plus WhiteNoise's manifest storage must have produced every
file the pages link to; a missing one, or one fetched from elsewhere, fails.
"""

import pytest

# ReDoc's bundle asks for its attribution logo on Redocly's server; the page's
# Content-Security-Policy stops that request in the browser, so it never leaves.
BLOCKED_BY_POLICY = "csp"  # how Chromium names a request the policy refused


def fetched(url: str) -> bool:
    return url.startswith(("http://", "https://"))


@pytest.mark.parametrize("path", ["/admin/login/", "/api/docs/", "/api/redoc/"])
def test_every_asset_loads(page, server, path):
    answers, failures = [], []
    page.on("response", lambda response: answers.append((response.status, response.url)))
    page.on("requestfailed", lambda request: failures.append((request.failure, request.url)))

    page.goto(path, wait_until="networkidle")
    # blob: and data: URLs are made by the page's own scripts, not fetched.
    answers = [(status, url) for status, url in answers if fetched(url)]
    failures = [
        (failure, url) for failure, url in failures if fetched(url) and failure != BLOCKED_BY_POLICY
    ]

    static = [url for _, url in answers if url.startswith(f"{server.url}/static/")]
    assert static, f"{path} requested no static files: {answers}"
    assert failures == []
    assert [(status, url) for status, url in answers if status != 200] == []
    assert [url for _, url in answers if not url.startswith(server.url)] == []
