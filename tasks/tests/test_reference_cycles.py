"""A finished task request leaves nothing for Python's cyclic garbage collector.

The view, DRF's request and the response are freed by reference counting as
soon as the response is sent (TaskViewSet.release), so a list's rows do not
pile up until the next collection. Requests go through Django's WSGI handler
as a server sends them: the test client keeps every response in a reference
cycle of its own.
"""

import gc
import io
import json
import weakref

import pytest
from django.core.handlers.wsgi import WSGIHandler
from rest_framework_simplejwt.tokens import AccessToken

from conftest import TaskFactory
from tasks.views import TaskViewSet

# Through the WSGI handler, whose end-of-request signal closes a connection
# left inside a transaction: the test runs outside one.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def views_seen(monkeypatch):
    """Weak references to each task view and DRF request of the requests sent."""
    seen = []
    initial = TaskViewSet.initial

    def recording_initial(view, request, *args, **kwargs):
        seen.append((weakref.ref(view), weakref.ref(request)))
        return initial(view, request, *args, **kwargs)

    monkeypatch.setattr(TaskViewSet, "initial", recording_initial)
    return seen


@pytest.fixture
def no_cycle_collection():
    gc.collect()
    gc.disable()
    yield
    gc.enable()


def send(user, method: str, path: str, query: str = "", body: dict | None = None) -> int:
    """Send one request through a fresh WSGI handler; its status code."""
    payload = b"" if body is None else json.dumps(body).encode()
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_AUTHORIZATION": f"Bearer {AccessToken.for_user(user)}",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(payload)),
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.input": io.BytesIO(payload),
        "wsgi.errors": io.StringIO(),
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    statuses = []
    response = WSGIHandler()(environ, lambda status, headers: statuses.append(status))
    b"".join(response)
    response.close()
    return int(statuses[0].split()[0])


def test_views_and_requests_are_freed_without_the_cycle_collector(
    user, views_seen, no_cycle_collection
):
    task = TaskFactory(user=user, title="a task")
    TaskFactory.create_batch(5, user=user)

    statuses = [
        send(user, "GET", "/api/tasks/"),
        send(user, "GET", "/api/tasks/", "status=pending&sort=title"),
        # django-filter's filter set and its filters point at each other (and
        # at DRF's request): those few wait for the collector, not the rows.
        send(user, "GET", "/api/tasks/", "search=a"),
        send(user, "GET", f"/api/tasks/{task.id}/"),
        # A serializer and its fields point at each other, and its context
        # names DRF's request (the JSON fields read the request from it).
        send(user, "PATCH", f"/api/tasks/{task.id}/complete/"),
        send(user, "POST", "/api/tasks/", body={"title": "New"}),
        send(user, "GET", f"/api/{user.id}/tasks/"),
        # An error: Django's form errors and the exception's traceback hold
        # each other, and the frames hold DRF's request.
        send(user, "GET", "/api/tasks/", "page=zero"),
    ]

    assert statuses == [200, 200, 200, 200, 200, 201, 200, 400]
    # DRF's schema descriptor of an extra action (complete) keeps the last
    # view it was read from: emptied, it holds nothing.
    assert [view() is None or vars(view()) == {} for view, _ in views_seen] == [True] * 8
    alive = [request() is not None for _, request in views_seen]
    assert alive == [False, False, True, False, True, True, False, True]
