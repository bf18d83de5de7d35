"""Tags: named in a task's body, one tag whatever the letter case, and the tag API."""

import re

import pytest
from django.urls import reverse

from accounts.tests.api import client_for
from api.tests.assertions import assert_invalid, assert_problem
from tasks.filters import TAGS_PATTERN
from tasks.models import Tag, Task, TaskTag

pytestmark = pytest.mark.django_db

TAG_FIELDS = {"id", "name", "task_count", "created_at", "updated_at"}


@pytest.fixture
def client(user):
    return client_for(user)


def create_task(client, tags=None, **fields):
    body = {"title": "Task", **fields}
    if tags is not None:
        body["tags"] = tags
    response = client.post(reverse("task-list"), body)
    assert response.status_code == 201, response.content
    return response.json()


def tag_names_of(client) -> list[str]:
    return [tag["name"] for tag in client.get(reverse("tag-list")).json()]


def tag_named(user, name) -> Tag:
    return Tag.objects.get(user=user, name=name)


# --- Tags in the task body ------------------------------------------------------


def test_tags_are_made_on_first_use_and_shown_sorted_whatever_the_case(client, user):
    task = create_task(client, ["home", "Errands", "admin"])

    assert task["tags"] == ["admin", "Errands", "home"]
    assert client.get(reverse("task-detail", args=[task["id"]])).json()["tags"] == task["tags"]
    assert sorted(Tag.objects.filter(user=user).values_list("name", flat=True)) == [
        "Errands",
        "admin",
        "home",
    ]


def test_a_tag_is_the_same_whatever_the_case_and_keeps_its_first_spelling(client, user):
    create_task(client, ["Errands"])
    second = create_task(client, ["ERRANDS", "errands"])

    assert second["tags"] == ["Errands"]
    assert Tag.objects.filter(user=user).count() == 1
    assert tag_named(user, "Errands").task_count == 2


def test_case_folding_is_the_same_on_every_database_beyond_ascii(client, user):
    create_task(client, ["Ärger"])
    second = create_task(client, ["ärger"])

    assert second["tags"] == ["Ärger"]
    assert Tag.objects.filter(user=user).count() == 1


def test_tag_names_are_trimmed_and_checked(client):
    assert create_task(client, ["  home  "])["tags"] == ["home"]
    for bad in [[""], ["   "], ["x" * 51], ["a,b"], [None], "home", [1]]:
        response = client.post(reverse("task-list"), {"title": "t", "tags": bad})
        assert_invalid(response, "tags")
    assert create_task(client, ["x" * 50])["tags"] == ["x" * 50]


def test_a_task_has_at_most_twenty_tags(client):
    twenty = [f"tag {n}" for n in range(20)]

    assert len(create_task(client, twenty)["tags"]) == 20
    assert_invalid(
        client.post(reverse("task-list"), {"title": "t", "tags": [*twenty, "one more"]}), "tags"
    )
    # The same tag twice (any case) counts once.
    assert len(create_task(client, [*twenty, "TAG 0"])["tags"]) == 20


def test_put_without_tags_clears_them_and_patch_without_tags_keeps_them(client, user):
    task = create_task(client, ["home"])
    url = reverse("task-detail", args=[task["id"]])

    patched = client.patch(url, {"title": "Renamed"})
    put = client.put(url, {"title": "Again"})

    assert patched.json()["tags"] == ["home"]
    assert put.json()["tags"] == []
    assert not TaskTag.objects.filter(task_id=task["id"]).exists()
    assert tag_named(user, "home").task_count == 0


def test_patch_with_tags_replaces_them(client):
    task = create_task(client, ["home", "work"])
    url = reverse("task-detail", args=[task["id"]])

    response = client.patch(url, {"tags": ["Work", "urgent"]})

    assert response.status_code == 200
    assert response.json()["tags"] == ["urgent", "work"]  # "work" kept its spelling
    assert client.get(url).json()["tags"] == ["urgent", "work"]


def test_changing_tags_is_a_new_version_of_the_task(client):
    task = create_task(client, ["home"])
    url = reverse("task-detail", args=[task["id"]])
    etag = client.get(url)["ETag"]

    client.patch(url, {"tags": ["work"]})

    assert client.get(url)["ETag"] != etag
    assert_problem(client.patch(url, {"tags": []}, HTTP_IF_MATCH=etag), 412)


def test_tags_of_one_user_are_not_anothers(client, user, other_user):
    create_task(client, ["home"])
    theirs = create_task(client_for(other_user), ["Home"])

    assert theirs["tags"] == ["Home"]
    assert tag_named(user, "home").task_count == 1
    assert tag_named(other_user, "Home").task_count == 1


# --- Filters --------------------------------------------------------------------


def titles(client, **params) -> list[str]:
    response = client.get(reverse("task-list"), params)
    assert response.status_code == 200, response.content
    return sorted(task["title"] for task in response.json())


def test_the_tags_filter_keeps_tasks_with_all_the_tags_named(client):
    create_task(client, ["home", "errands"], title="both")
    create_task(client, ["home"], title="home")
    create_task(client, ["Errands"], title="errands")
    create_task(client, title="none")

    assert titles(client, tags="home") == ["both", "home"]
    assert titles(client, tags="HOME,errands") == ["both"]
    assert titles(client, tags=" errands , home ") == ["both"]
    assert titles(client, tags="unknown") == []
    assert titles(client, untagged="true") == ["none"]
    assert titles(client, untagged="false") == ["both", "errands", "home"]


def test_filtered_by_tag_the_total_count_is_the_tags(client):
    for n in range(3):
        create_task(client, ["home"], title=f"home {n}")
    create_task(client, title="other")

    response = client.get(reverse("task-list"), {"tags": "Home", "page_size": 2})

    assert response["X-Total-Count"] == "3"
    assert len(response.json()) == 2
    pending = client.get(reverse("task-list"), {"tags": "home", "status": "completed"})
    assert pending["X-Total-Count"] == "0"


def test_another_users_tag_filters_to_nothing(client, other_user):
    create_task(client_for(other_user), ["secret"])

    response = client.get(reverse("task-list"), {"tags": "secret"})

    assert response.json() == []
    assert response["X-Total-Count"] == "0"


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"tags": ","}, "tags"),
        ({"tags": ",".join(f"t{n}" for n in range(21))}, "tags"),
        ({"tags": "a\x00b"}, "tags"),
        ({"tags": "x" * 51}, "tags"),
        ({"untagged": "yes"}, "untagged"),
        ({"untagged": "1"}, "untagged"),
    ],
)
def test_filter_values_not_understood_are_a_400(client, params, name):
    assert_invalid(client.get(reverse("task-list"), params), name)


# --- The tag API ----------------------------------------------------------------


def test_the_tag_list_is_sorted_with_task_counts(client):
    create_task(client, ["b", "A"])
    create_task(client, ["b"])

    response = client.get(reverse("tag-list"))

    assert response.status_code == 200
    body = response.json()
    assert [(tag["name"], tag["task_count"]) for tag in body] == [("A", 1), ("b", 2)]
    assert all(tag.keys() == TAG_FIELDS for tag in body)
    assert response["X-Total-Count"] == "2"


def test_a_tag_has_an_etag_and_answers_if_none_match(client, user):
    create_task(client, ["home"])
    url = reverse("tag-detail", args=[tag_named(user, "home").pk])

    first = client.get(url)
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])

    assert first.status_code == 200
    assert first.json()["name"] == "home"
    assert again.status_code == 304


def test_renaming_a_tag_renames_it_on_every_task_and_changes_their_versions(client, user):
    task = create_task(client, ["home"])
    task_url = reverse("task-detail", args=[task["id"]])
    etag = client.get(task_url)["ETag"]
    url = reverse("tag-detail", args=[tag_named(user, "home").pk])

    response = client.patch(url, {"name": "  House "})

    assert response.status_code == 200
    assert response.json()["name"] == "House"
    assert client.get(task_url).json()["tags"] == ["House"]
    assert client.get(task_url)["ETag"] != etag


def test_renaming_onto_another_tag_merges_the_two(client, user):
    both = create_task(client, ["home", "house"])
    one = create_task(client, ["home"])
    create_task(client, ["house"])
    home = tag_named(user, "home")

    response = client.patch(reverse("tag-detail", args=[home.pk]), {"name": "HOUSE"})

    assert response.status_code == 200
    merged = response.json()
    assert (merged["name"], merged["task_count"]) == ("house", 3)
    assert not Tag.objects.filter(pk=home.pk).exists()
    assert Tag.objects.filter(user=user).count() == 1
    for task in (both, one):
        assert client.get(reverse("task-detail", args=[task["id"]])).json()["tags"] == ["house"]


def test_renaming_a_tag_to_another_spelling_of_itself_keeps_it(client, user):
    create_task(client, ["home"])
    home = tag_named(user, "home")

    response = client.patch(reverse("tag-detail", args=[home.pk]), {"name": "Home"})

    assert response.json()["id"] == str(home.pk)
    assert response.json()["name"] == "Home"


def test_a_stale_etag_renames_and_deletes_nothing(client, user):
    create_task(client, ["home"])
    url = reverse("tag-detail", args=[tag_named(user, "home").pk])

    renamed = client.patch(url, {"name": "x"}, HTTP_IF_MATCH='"9"')
    deleted = client.delete(url, HTTP_IF_MATCH='"9"')

    assert_problem(renamed, 412)
    assert_problem(deleted, 412)
    assert tag_named(user, "home")


def test_deleting_a_tag_takes_it_off_every_task(client, user):
    task = create_task(client, ["home", "work"])
    url = reverse("tag-detail", args=[tag_named(user, "home").pk])

    response = client.delete(url)

    assert response.status_code == 204
    assert client.get(reverse("task-detail", args=[task["id"]])).json()["tags"] == ["work"]
    assert Task.objects.filter(pk=task["id"]).exists()
    assert_problem(client.get(url), 404)


def test_invalid_names_are_a_400(client, user):
    create_task(client, ["home"])
    url = reverse("tag-detail", args=[tag_named(user, "home").pk])

    for bad in ["", "   ", "x" * 51, "a,b", None]:
        assert_invalid(client.patch(url, {"name": bad}), "name")


def test_another_users_tag_is_a_404(client, other_user):
    create_task(client_for(other_user), ["secret"])
    url = reverse("tag-detail", args=[tag_named(other_user, "secret").pk])

    for response in (client.get(url), client.patch(url, {"name": "mine"}), client.delete(url)):
        assert_problem(response, 404)
    assert tag_named(other_user, "secret").task_count == 1
    assert client.get(reverse("tag-list")).json() == []


def test_tags_cannot_be_created_or_replaced_directly(client):
    assert_problem(client.post(reverse("tag-list"), {"name": "x"}), 405)


def test_the_user_path_shape_serves_the_callers_tags_and_refuses_anothers(client, user, other_user):
    create_task(client, ["home"])

    own = client.get(reverse("user-tag-list", kwargs={"user_id": user.pk}))
    foreign = client.get(reverse("user-tag-list", kwargs={"user_id": other_user.pk}))

    assert [tag["name"] for tag in own.json()] == ["home"]
    assert_problem(foreign, 403)


@pytest.mark.parametrize(
    "value",
    ["home", " home , work ", "a" * 50, ",".join(f"t{n}" for n in range(20)), "Ärger", "x ,"],
)
def test_every_tags_value_the_schema_allows_is_taken(client, value):
    # Schemathesis sends what the schema's pattern allows; the API must take it.
    assert re.fullmatch(TAGS_PATTERN, value)
    assert client.get(reverse("task-list"), {"tags": value}).status_code == 200


@pytest.mark.parametrize(
    "value", [",", " , ", "a" * 51, "a\x00", ",".join(f"t{n}" for n in range(21))]
)
def test_tags_values_the_api_refuses_are_outside_the_schemas_pattern(client, value):
    assert not re.fullmatch(TAGS_PATTERN, value)
    assert client.get(reverse("task-list"), {"tags": value}).status_code == 400
