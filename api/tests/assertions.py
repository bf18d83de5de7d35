"""The one way every app's tests check an error answer: RFC 9457 problem+json."""

from http import HTTPStatus

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_KEYS = {"type", "title", "status", "detail", "code"}


def assert_problem(response, status: int, code: str | None = None) -> dict:
    """The response is a problem with this status (and code, if given); returns its body.

    Exactly the problem's keys, with `errors` for a validation error (code
    "invalid") and only then.
    """
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM_CONTENT_TYPE
    body = response.json()
    expected_keys = PROBLEM_KEYS | {"errors"} if body.get("code") == "invalid" else PROBLEM_KEYS
    assert body.keys() == expected_keys, body
    assert body["type"] == "about:blank"
    assert body["title"] == HTTPStatus(status).phrase
    assert body["status"] == status
    assert body["detail"]
    if code is not None:
        assert body["code"] == code
    return body


def assert_invalid(response, *names: str) -> dict[str, list[str]]:
    """A 400 validation problem; returns its field errors, which name exactly `names` if given."""
    errors = assert_problem(response, 400, "invalid")["errors"]
    if names:
        assert set(errors) == set(names), errors
        assert all(errors[name] for name in names)
    return errors
