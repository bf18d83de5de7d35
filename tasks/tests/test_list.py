"""The task list: the caller's tasks only, filtered, sorted and paged by query parameters."""

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from rest_framework.utils.urls import replace_query_param

from api.tests.assertions import assert_invalid
from tasks.models import Task
from tasks.tests.assertions import TASK_FIELDS
from tasks.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db

START = datetime(2026, 1, 1, tzinfo=UTC)


def titles(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [task["title"] for task in response.json()]


def links(response) -> dict[str, dict[str, list[str]]]:
    """The Link header as {rel: query parameters of its URL}."""
    found = re.findall(r'<([^>]+)>; rel="(\w+)"', response["Link"])
    assert len(found) == response["Link"].count("rel=")
    return {rel: parse_qs(urlparse(url).query) for url, rel in found}


def create_titled(user, *titles_in_creation_order: str, **fields) -> list[Task]:
    """Tasks created one hour apart, in this order."""
    tasks = []
    for hours, title in enumerate(titles_in_creation_order):
        task = TaskFactory(user=user, title=title, **fields)
        Task.objects.filter(pk=task.pk).update(created_at=START + timedelta(hours=hours))
        tasks.append(task)
    return tasks


# --- Contents ---------------------------------------------------------------


def test_list_is_a_bare_array_of_the_callers_tasks_only(auth_client, routes, user, other_user):
    mine = TaskFactory.create_batch(3, user=user)
    TaskFactory.create_batch(2, user=other_user)

    response = auth_client.get(routes.list_url())

    assert response.status_code == 200
    body = response.json()
    assert isinstance(body, list)
    assert {task["id"] for task in body} == {str(task.id) for task in mine}
    assert all(task["user_id"] == str(user.id) for task in body)
    assert response["X-Total-Count"] == "3"


def test_list_items_carry_every_task_field(auth_client, routes, task):
    response = auth_client.get(routes.list_url())

    assert response.status_code == 200
    [item] = response.json()
    assert item.keys() == TASK_FIELDS
    assert item == auth_client.get(routes.detail_url(task.id)).json()


def test_list_without_tasks_is_empty(auth_client, routes, other_user):
    TaskFactory(user=other_user)

    response = auth_client.get(routes.list_url())

    assert response.status_code == 200
    assert response.json() == []
    assert response["X-Total-Count"] == "0"


def test_list_is_newest_first_by_default(auth_client, routes, user):
    create_titled(user, "first", "second", "third")

    assert titles(auth_client.get(routes.list_url())) == ["third", "second", "first"]


# --- Filters ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("all", ["done", "open"]),
        ("pending", ["open"]),
        ("completed", ["done"]),
    ],
)
def test_status_filter(auth_client, routes, user, status, expected):
    create_titled(user, "open")
    create_titled(user, "done", completed=True)

    response = auth_client.get(routes.list_url(), {"status": status})

    assert sorted(titles(response)) == expected
    assert response["X-Total-Count"] == str(len(expected))


@pytest.mark.parametrize("priority", ["low", "medium", "high"])
def test_priority_filter(auth_client, routes, user, priority):
    for value in ["low", "medium", "high", None]:
        TaskFactory(user=user, title=f"{value}", priority=value)

    response = auth_client.get(routes.list_url(), {"priority": priority})

    assert titles(response) == [priority]


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("milk", ["Buy Milk", "Shopping"]),
        ("MILK", ["Buy Milk", "Shopping"]),
        ("Mil", ["Buy Milk", "Call mum", "Shopping"]),
    ],
)
def test_search_finds_text_in_title_or_description_ignoring_case(
    auth_client, routes, user, search, expected
):
    TaskFactory(user=user, title="Buy Milk")
    TaskFactory(user=user, title="Shopping", description="oat milk and bread")
    TaskFactory(user=user, title="Call mum", description="about the Mill")
    TaskFactory(user=user, title="Unrelated", description=None)

    response = auth_client.get(routes.list_url(), {"search": search, "sort": "title"})

    assert titles(response) == expected


def test_search_without_match_is_empty(auth_client, routes, task):
    assert titles(auth_client.get(routes.list_url(), {"search": "zebra"})) == []


@pytest.fixture
def due_tasks(user):
    """Tasks due at 08:00, 10:00 and 12:00 UTC on 1 December 2026, and one never due."""
    for hour in (8, 10, 12):
        TaskFactory(
            user=user, title=f"{hour:02}h", due_date=datetime(2026, 12, 1, hour, tzinfo=UTC)
        )
    TaskFactory(user=user, title="undated", due_date=None)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"due_before": "2026-12-01T10:00:00Z"}, ["08h", "10h"]),
        ({"due_before": "2026-12-01T12:00:00+02:00"}, ["08h", "10h"]),
        ({"due_before": "2026-12-01T09:59:59Z"}, ["08h"]),
        ({"due_after": "2026-12-01T10:00:00Z"}, ["10h", "12h"]),
        ({"due_after": "2026-12-01T05:00:00-05:00"}, ["10h", "12h"]),
        ({"due_after": "2026-12-01T10:00:01Z"}, ["12h"]),
        ({"due_after": "2026-12-01T10:00:00Z", "due_before": "2026-12-01T10:00:00Z"}, ["10h"]),
        ({"due_after": "2026-12-01T09:00:00Z", "due_before": "2026-12-01T11:00:00Z"}, ["10h"]),
    ],
)
def test_due_date_filters_are_inclusive(auth_client, routes, due_tasks, params, expected):
    response = auth_client.get(routes.list_url(), {**params, "sort": "due_date"})

    assert titles(response) == expected


def test_due_date_offset_sent_without_url_encoding_still_counts(auth_client, routes, due_tasks):
    # A bare "+" in a query string decodes to a space; clients often forget to encode it.
    response = auth_client.get(f"{routes.list_url()}?due_before=2026-12-01T12:00:00+02:00")

    assert sorted(titles(response)) == ["08h", "10h"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        # ISO 8601 offsets go up to 23:59, PostgreSQL's only to 15:59.
        ({"due_before": "2026-12-02T07:00:00+21:00"}, ["08h", "10h"]),
        ({"due_after": "2026-11-30T12:00:00-22:00"}, ["10h", "12h"]),
        # Instants outside years 1 to 9999 in UTC bound nothing away.
        ({"due_after": "0001-01-01T00:00:00+05:00"}, ["08h", "10h", "12h"]),
        ({"due_before": "9999-12-31T23:00:00-05:00"}, ["08h", "10h", "12h"]),
    ],
)
def test_due_date_filters_take_any_iso_8601_offset(
    auth_client, routes, due_tasks, params, expected
):
    response = auth_client.get(routes.list_url(), {**params, "sort": "due_date"})

    assert response.status_code == 200
    assert titles(response) == expected


def test_empty_parameters_are_ignored_as_documented(auth_client, routes, due_tasks):
    names = ["status", "priority", "search", "due_before", "due_after", "sort", "page", "page_size"]
    everything = auth_client.get(routes.list_url())

    response = auth_client.get(routes.list_url() + "?" + "&".join(f"{name}=" for name in names))

    assert response.status_code == 200
    assert response.json() == everything.json()


def test_filters_combine(auth_client, routes, user):
    TaskFactory(user=user, title="Pay rent", priority="high")
    TaskFactory(user=user, title="Pay tax", priority="high", completed=True)
    TaskFactory(user=user, title="Pay bills", priority="low")
    TaskFactory(user=user, title="Walk", priority="high")

    response = auth_client.get(
        routes.list_url(), {"status": "pending", "priority": "high", "search": "pay"}
    )

    assert titles(response) == ["Pay rent"]
    assert response["X-Total-Count"] == "1"


# --- Sorting ----------------------------------------------------------------


def test_sort_by_created(auth_client, routes, user):
    create_titled(user, "a", "b", "c")

    assert titles(auth_client.get(routes.list_url(), {"sort": "created"})) == ["a", "b", "c"]
    assert titles(auth_client.get(routes.list_url(), {"sort": "-created"})) == ["c", "b", "a"]


def test_sort_by_updated(auth_client, routes, user):
    tasks = create_titled(user, "a", "b", "c")
    for hours, task in zip([3, 1, 2], tasks, strict=True):
        Task.objects.filter(pk=task.pk).update(updated_at=START + timedelta(hours=hours))

    assert titles(auth_client.get(routes.list_url(), {"sort": "updated"})) == ["b", "c", "a"]
    assert titles(auth_client.get(routes.list_url(), {"sort": "-updated"})) == ["a", "c", "b"]


def test_sort_by_title_ignores_case(auth_client, routes, user):
    create_titled(user, "banana", "Cherry", "apple", "Apricot")

    ascending = ["apple", "Apricot", "banana", "Cherry"]
    assert titles(auth_client.get(routes.list_url(), {"sort": "title"})) == ascending
    assert titles(auth_client.get(routes.list_url(), {"sort": "-title"})) == ascending[::-1]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("due_date", ["08h", "10h", "12h", "undated"]),
        ("-due_date", ["12h", "10h", "08h", "undated"]),
    ],
)
def test_sort_by_due_date_puts_undated_tasks_last(auth_client, routes, due_tasks, sort, expected):
    response = auth_client.get(routes.list_url(), {"sort": sort})

    assert titles(response) == expected


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("priority", ["low", "medium", "high", "none"]),
        ("-priority", ["high", "medium", "low", "none"]),
    ],
)
def test_sort_by_priority_follows_importance_with_no_priority_last(
    auth_client, routes, user, sort, expected
):
    for priority in ["medium", None, "high", "low"]:
        TaskFactory(user=user, title=priority or "none", priority=priority)

    assert titles(auth_client.get(routes.list_url(), {"sort": sort})) == expected


def test_ties_keep_a_stable_order_across_pages(auth_client, routes, user):
    TaskFactory.create_batch(7, user=user, priority="low")
    Task.objects.update(created_at=START)

    pages = [
        auth_client.get(routes.list_url(), {"sort": "priority", "page_size": 3, "page": page})
        for page in (1, 2, 3)
    ]

    ids = [task["id"] for page in pages for task in page.json()]
    assert sorted(ids) == sorted(
        str(task_id) for task_id in Task.objects.values_list("id", flat=True)
    )


# --- Paging -----------------------------------------------------------------


def test_default_page_has_100_tasks(auth_client, routes, user):
    Task.objects.bulk_create(TaskFactory.build_batch(101, user=user))

    response = auth_client.get(routes.list_url())

    assert len(response.json()) == 100
    assert response["X-Total-Count"] == "101"
    assert links(response)["next"]["page"] == ["2"]


def test_page_size_500_is_accepted(auth_client, routes, user):
    Task.objects.bulk_create(TaskFactory.build_batch(501, user=user))

    response = auth_client.get(routes.list_url(), {"page_size": 500})

    assert response.status_code == 200
    assert len(response.json()) == 500
    assert response["X-Total-Count"] == "501"


def test_pages_split_the_list_in_order(auth_client, routes, user):
    create_titled(user, *"abcde")

    page_2 = auth_client.get(routes.list_url(), {"sort": "title", "page": 2, "page_size": 2})
    page_3 = auth_client.get(routes.list_url(), {"sort": "title", "page": 3, "page_size": 2})

    assert titles(page_2) == ["c", "d"]
    assert titles(page_3) == ["e"]
    assert page_2["X-Total-Count"] == page_3["X-Total-Count"] == "5"


def test_link_header_names_first_prev_next_and_last_pages(auth_client, routes, user):
    TaskFactory.create_batch(7, user=user, title="Pay", priority="high")
    TaskFactory(user=user, title="Pay", priority="low")
    TaskFactory(user=user, title="Walk", priority="high")
    params = {"page": 2, "page_size": 2, "sort": "-title", "priority": "high", "search": "pay"}

    response = auth_client.get(routes.list_url(), params)

    assert response["X-Total-Count"] == "7"
    found = links(response)
    pages = {rel: query.pop("page") for rel, query in found.items()}
    assert pages == {"first": ["1"], "prev": ["1"], "next": ["3"], "last": ["4"]}
    for query in found.values():
        assert query == {
            "page_size": ["2"],
            "sort": ["-title"],
            "priority": ["high"],
            "search": ["pay"],
        }


@pytest.mark.parametrize(
    "query",
    [
        "",
        "page=2&page_size=1",
        "search=a+b%26c&priority=high&page_size=1&sort=-title",
        "page_size=1&due_after=2026-01-01T10:00:00%2B02:00&search=&page=3",
        "status=pending&page_size=1&due_before=2030-01-01T00:00:00Z&search=%C3%A9t%C3%A9",
    ],
)
def test_link_urls_are_drfs_replace_query_param(auth_client, routes, user, query):
    TaskFactory.create_batch(3, user=user)

    response = auth_client.get(f"{routes.list_url()}?{query}")

    assert response.status_code == 200, response.content
    here = response.wsgi_request.build_absolute_uri()
    found = re.findall(r'<([^>]+)>; rel="(\w+)"', response["Link"])
    assert {rel for _, rel in found} >= {"first", "last"}
    for url, rel in found:
        number = parse_qs(urlparse(url).query)["page"][0]
        assert url == replace_query_param(here, "page", number), rel


def test_link_urls_point_at_the_list(auth_client, routes, user):
    TaskFactory.create_batch(3, user=user)

    response = auth_client.get(
        routes.list_url(), {"page_size": 1, "due_after": "2026-01-01T10:00:00+02:00"}
    )

    for url, _rel in re.findall(r'<([^>]+)>; rel="(\w+)"', response["Link"]):
        assert urlparse(url).path == routes.list_url()
        assert parse_qs(urlparse(url).query)["due_after"] == ["2026-01-01T10:00:00+02:00"]


def test_first_page_has_no_prev_and_last_page_no_next(auth_client, routes, user):
    TaskFactory.create_batch(3, user=user)

    first = auth_client.get(routes.list_url(), {"page_size": 2})
    last = auth_client.get(routes.list_url(), {"page_size": 2, "page": 2})

    assert {rel: query["page"] for rel, query in links(first).items()} == {
        "first": ["1"],
        "next": ["2"],
        "last": ["2"],
    }
    assert {rel: query["page"] for rel, query in links(last).items()} == {
        "first": ["1"],
        "prev": ["1"],
        "last": ["2"],
    }


def test_page_past_the_end_is_empty_but_counts_the_total(auth_client, routes, user):
    TaskFactory.create_batch(3, user=user)

    response = auth_client.get(routes.list_url(), {"page": 5, "page_size": 2})

    assert response.status_code == 200
    assert response.json() == []
    assert response["X-Total-Count"] == "3"
    assert links(response)["last"]["page"] == ["2"]


# --- Parameters the API does not understand --------------------------------


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"status": "foo"}, "status"),
        ({"status": "Pending"}, "status"),
        ({"sort": "bar"}, "sort"),
        ({"sort": "+title"}, "sort"),
        ({"sort": "--created"}, "sort"),
        ({"priority": "urgent"}, "priority"),
        ({"due_before": "notadate"}, "due_before"),
        ({"due_after": "2026-02-30T00:00:00Z"}, "due_after"),
        ({"page": "0"}, "page"),
        ({"page": "-1"}, "page"),
        ({"page": "abc"}, "page"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "501"}, "page_size"),
        ({"page_size": "ten"}, "page_size"),
        ({"search": "x" * 201}, "search"),
    ],
    ids=lambda value: str(value)[:40] if isinstance(value, dict) else value,
)
def test_value_the_api_does_not_understand_is_400_naming_the_parameter(
    auth_client, routes, task, params, name
):
    response = auth_client.get(routes.list_url(), params)

    assert_invalid(response, name)


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("status=pending&status=completed", "status"),
        ("sort=title&sort=title", "sort"),
        ("priority=low&priority=high", "priority"),
        ("search=a&search=b", "search"),
        ("due_before=2026-01-01T00:00:00Z&due_before=2027-01-01T00:00:00Z", "due_before"),
        ("page=1&page=2", "page"),
        ("page_size=5&page_size=10", "page_size"),
    ],
)
def test_repeated_parameter_is_400_naming_it(auth_client, routes, task, query, name):
    response = auth_client.get(f"{routes.list_url()}?{query}")

    assert_invalid(response, name)
