"""A program using the Python client generated from the schema (openapi-python-client).

    PYTHONPATH=clients/generated python clients/consumer.py http://127.0.0.1:8000

It registers a new user, logs in, sets their time zone, then creates, lists,
updates, completes and deletes a task, makes, fills, filters, moves and
deletes a list, tags, nests and reorders tasks, completes a weekly all-day
task with reminders and lists its completions, and lists the (still empty)
notifications, checking each answer against what the API documents, and
exits 1 at the first that differs. `make typed-clients` generates the
client, checks this file with `mypy --strict` and runs it against gunicorn.
"""

import secrets
import sys
from datetime import UTC, date, datetime, time, timedelta
from http import HTTPStatus
from typing import TypeVar
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

from todo_api_client import AuthenticatedClient, Client
from todo_api_client.api.auth import auth_login, auth_me_partial_update, auth_register
from todo_api_client.api.lists import lists_create, lists_destroy, lists_list, lists_move
from todo_api_client.api.notifications import (
    notifications_list,
    notifications_read,
    notifications_retrieve,
)
from todo_api_client.api.tags import tags_list, tags_partial_update
from todo_api_client.api.tasks import (
    tasks_complete,
    tasks_completions_list,
    tasks_create,
    tasks_destroy,
    tasks_list,
    tasks_move,
    tasks_partial_update,
    tasks_retrieve,
)
from todo_api_client.models import (
    ListMoveRequest,
    LoginRequest,
    PatchedTagRequest,
    PatchedTaskRequest,
    PatchedUserRequest,
    PriorityEnum,
    Problem,
    RegisterRequest,
    Reminder,
    ReminderRequest,
    TaskListRequest,
    TaskMoveRequest,
    TaskRequest,
    TaskSortEnum,
    TaskStatusEnum,
)
from todo_api_client.types import Response

T = TypeVar("T")

TIME_ZONE = "Europe/Paris"
# The server's default REMINDER_ALL_DAY_TIME: an all-day task's reminders count from it.
ALL_DAY_TIME = time(9, 0)


class Mismatch(Exception):
    """An answer other than the one the API documents."""


def expect(condition: bool, what: str) -> None:
    if not condition:
        raise Mismatch(what)


def body(response: Response[Problem | T], status: HTTPStatus) -> T:
    """The parsed body of an answer that has the expected status."""
    parsed = response.parsed
    if response.status_code != status or parsed is None or isinstance(parsed, Problem):
        raise Mismatch(f"expected {status}, got {response.status_code}: {response.content!r}")
    return parsed


def all_day_reminder(day: date, minutes_before: int) -> datetime:
    """When a reminder `minutes_before` an all-day task due on `day` fires, in UTC."""
    start = datetime.combine(day, ALL_DAY_TIME, tzinfo=ZoneInfo(TIME_ZONE)).astimezone(UTC)
    return start - timedelta(minutes=minutes_before)


def shown(reminders: list[Reminder]) -> list[tuple[int | None, datetime | None, datetime | None]]:
    return [(item.before_due_minutes, item.at, item.fires_at) for item in reminders]


def run(base_url: str) -> None:
    email = f"client-{secrets.token_hex(6)}@example.org"
    password = secrets.token_urlsafe(18)
    public = Client(base_url=base_url)

    registered = body(
        auth_register.sync_detailed(
            client=public,
            body=RegisterRequest(email=email, password=password, name="Typed client"),
        ),
        HTTPStatus.CREATED,
    )
    expect(registered.user.email == email, "the account has the email registered")
    expect(registered.user.name == "Typed client", "the account has the name registered")

    logged_in = body(
        auth_login.sync_detailed(client=public, body=LoginRequest(email=email, password=password)),
        HTTPStatus.OK,
    )
    expect(logged_in.user.id == registered.user.id, "login signs in the registered user")
    client = AuthenticatedClient(base_url=base_url, token=logged_in.access)
    me = body(
        auth_me_partial_update.sync_detailed(
            client=client, body=PatchedUserRequest(time_zone=TIME_ZONE)
        ),
        HTTPStatus.OK,
    )
    expect(me.time_zone == TIME_ZONE, f"the time zone set: {me.time_zone}")

    due = datetime(2030, 1, 1, 18, 0, tzinfo=UTC)
    response = tasks_create.sync_detailed(
        client=client, body=TaskRequest(title="Buy milk", priority=PriorityEnum.HIGH, due_date=due)
    )
    task = body(response, HTTPStatus.CREATED)
    expect(task.title == "Buy milk" and task.priority is PriorityEnum.HIGH, "the task as sent")
    expect(task.due_date == due and task.description is None, "the due date, no description")
    expect(not task.completed and task.completed_at is None, "a new task is pending")
    expect(task.user_id == logged_in.user.id, "the task is the caller's")
    [inbox] = body(lists_list.sync_detailed(client=client), HTTPStatus.OK)
    expect(inbox.is_inbox and task.list_id == inbox.id, "a task goes to the Inbox by default")
    expect(response.headers["Location"].endswith(f"/api/tasks/{task.id}/"), "its Location")
    etag = response.headers["ETag"]

    response_list = tasks_list.sync_detailed(
        client=client, status=TaskStatusEnum.PENDING, sort=TaskSortEnum.DUE_DATE_DESC
    )
    listed = body(response_list, HTTPStatus.OK)
    expect([item.id for item in listed] == [task.id], "the list holds the new task alone")
    expect(response_list.headers["X-Total-Count"] == "1", "X-Total-Count counts it")

    updated = body(
        tasks_partial_update.sync_detailed(
            task.id,
            client=client,
            body=PatchedTaskRequest(title="Buy oat milk", description="Two litres", priority=None),
            if_match=etag,
        ),
        HTTPStatus.OK,
    )
    expect(updated.title == "Buy oat milk", "the new title")
    expect(updated.description == "Two litres" and updated.priority is None, "the other changes")
    expect(updated.due_date == due, "what the update leaves out is kept")

    completed = body(tasks_complete.sync_detailed(task.id, client=client), HTTPStatus.OK)
    expect(completed.completed and completed.completed_at is not None, "toggled to completed")

    deleted = tasks_destroy.sync_detailed(task.id, client=client)
    expect(deleted.status_code == HTTPStatus.NO_CONTENT, f"deleted: {deleted.status_code}")
    gone = tasks_retrieve.sync_detailed(task.id, client=client)
    expect(
        isinstance(gone.parsed, Problem) and gone.parsed.status == HTTPStatus.NOT_FOUND,
        f"a deleted task is a 404 problem, not {gone.status_code}",
    )
    check_lists(client, inbox.id)
    check_organizing(client)
    check_recurring(client)
    check_notifications(client)


def check_recurring(client: AuthenticatedClient) -> None:
    """A weekly all-day task with reminders, completed once."""
    monday = date(2030, 1, 7)
    at = datetime(2030, 1, 6, 20, 0, tzinfo=UTC)
    weekly = body(
        tasks_create.sync_detailed(
            client=client,
            body=TaskRequest(
                title="Team meeting",
                due_on=monday,
                recurrence="FREQ=WEEKLY;BYDAY=MO",
                reminders=[ReminderRequest(before_due_minutes=30), ReminderRequest(at=at)],
            ),
        ),
        HTTPStatus.CREATED,
    )
    expect(weekly.due_on == monday and weekly.due_date is None, "an all-day task")
    expect(weekly.recurrence == "FREQ=WEEKLY;BYDAY=MO", "its recurrence")
    expect(
        shown(weekly.reminders) == [(30, None, all_day_reminder(monday, 30)), (None, at, at)],
        f"the reminders in order, each with when it fires: {shown(weekly.reminders)}",
    )

    moved = body(tasks_complete.sync_detailed(weekly.id, client=client), HTTPStatus.OK)
    next_monday = monday + timedelta(weeks=1)
    expect(moved.due_on == next_monday, f"completing moves it to the next Monday: {moved.due_on}")
    expect(not moved.completed and moved.completed_at is None, "and it is pending again")
    expect(
        shown(moved.reminders) == [(30, None, all_day_reminder(next_monday, 30)), (None, at, at)],
        f"the reminder before the due follows it: {shown(moved.reminders)}",
    )

    response = tasks_completions_list.sync_detailed(weekly.id, client=client)
    completions = [(item.due_on, item.due_date) for item in body(response, HTTPStatus.OK)]
    expect(completions == [(monday, None)], f"one completion, of the old day: {completions}")
    expect(response.headers["X-Total-Count"] == "1", "X-Total-Count counts it")


def check_notifications(client: AuthenticatedClient) -> None:
    """Only the worker delivers reminders, and none is due: no notifications."""
    for response in (
        notifications_list.sync_detailed(client=client),
        notifications_list.sync_detailed(client=client, read=False),
    ):
        expect(body(response, HTTPStatus.OK) == [], "no notifications, read or unread")
        expect(response.headers["X-Total-Count"] == "0", "X-Total-Count says none")
    unknown = uuid4()
    for answer in (
        notifications_retrieve.sync_detailed(unknown, client=client),
        notifications_read.sync_detailed(unknown, client=client),
    ):
        expect(
            isinstance(answer.parsed, Problem) and answer.parsed.status == HTTPStatus.NOT_FOUND,
            f"an unknown notification is a 404 problem, not {answer.status_code}",
        )


def check_organizing(client: AuthenticatedClient) -> None:
    """Tags, a subtask, and the manual order."""
    trip = body(
        tasks_create.sync_detailed(
            client=client, body=TaskRequest(title="Trip", tags=["travel", "Family"])
        ),
        HTTPStatus.CREATED,
    )
    expect(trip.tags == ["Family", "travel"], f"tags sorted whatever the case: {trip.tags}")
    tickets = body(
        tasks_create.sync_detailed(
            client=client, body=TaskRequest(title="Tickets", parent_id=trip.id)
        ),
        HTTPStatus.CREATED,
    )
    expect(tickets.parent_id == trip.id, "a subtask of the trip")
    shown = body(tasks_retrieve.sync_detailed(trip.id, client=client), HTTPStatus.OK)
    expect(shown.subtask_count == 1 and shown.completed_subtask_count == 0, "its subtask counts")
    tagged = body(tasks_list.sync_detailed(client=client, tags="TRAVEL"), HTTPStatus.OK)
    expect([item.id for item in tagged] == [trip.id], "filtered by tag, any case")
    subtasks = body(tasks_list.sync_detailed(client=client, parent=str(trip.id)), HTTPStatus.OK)
    expect([item.id for item in subtasks] == [tickets.id], "filtered by parent")

    hotel = body(
        tasks_create.sync_detailed(
            client=client, body=TaskRequest(title="Hotel", parent_id=trip.id)
        ),
        HTTPStatus.CREATED,
    )
    body(
        tasks_move.sync_detailed(hotel.id, client=client, body=TaskMoveRequest(after=None)),
        HTTPStatus.OK,
    )
    ordered = body(
        tasks_list.sync_detailed(client=client, parent=str(trip.id), sort=TaskSortEnum.POSITION),
        HTTPStatus.OK,
    )
    expect([item.id for item in ordered] == [hotel.id, tickets.id], "the moved subtask first")

    [family] = [
        tag
        for tag in body(tags_list.sync_detailed(client=client), HTTPStatus.OK)
        if tag.name == "Family"
    ]
    expect(family.task_count == 1, "a tag counts its tasks")
    renamed = body(
        tags_partial_update.sync_detailed(
            family.id, client=client, body=PatchedTagRequest(name="Relatives")
        ),
        HTTPStatus.OK,
    )
    expect(renamed.name == "Relatives", "a renamed tag")
    again = body(tasks_retrieve.sync_detailed(trip.id, client=client), HTTPStatus.OK)
    expect(again.tags == ["Relatives", "travel"], "the task shows the new name")


def check_lists(client: AuthenticatedClient, inbox_id: UUID) -> None:
    errands = body(
        lists_create.sync_detailed(client=client, body=TaskListRequest(name="Errands")),
        HTTPStatus.CREATED,
    )
    expect(errands.color is None and not errands.is_inbox, "a new list, no color")
    task = body(
        tasks_create.sync_detailed(
            client=client, body=TaskRequest(title="Post the letter", list_id=errands.id)
        ),
        HTTPStatus.CREATED,
    )
    expect(task.list_id == errands.id, "a task made in the list")
    in_list = body(tasks_list.sync_detailed(client=client, list_=errands.id), HTTPStatus.OK)
    expect([item.id for item in in_list] == [task.id], "the list's tasks, filtered")

    moved = body(
        lists_move.sync_detailed(errands.id, client=client, body=ListMoveRequest(after=None)),
        HTTPStatus.OK,
    )
    order = [item.id for item in body(lists_list.sync_detailed(client=client), HTTPStatus.OK)]
    expect(order == [moved.id, inbox_id], "the moved list comes first")
    expect(moved.task_count == 1 and moved.pending_count == 1, "its counts")

    deleted = lists_destroy.sync_detailed(errands.id, client=client)
    expect(deleted.status_code == HTTPStatus.NO_CONTENT, f"list deleted: {deleted.status_code}")
    gone = tasks_retrieve.sync_detailed(task.id, client=client)
    expect(gone.status_code == HTTPStatus.NOT_FOUND, "its tasks went with it")


def main() -> int:
    try:
        run(sys.argv[1])
    except Mismatch as mismatch:
        print(f"Python client: {mismatch}", file=sys.stderr)
        return 1
    print(
        "Python client: register, log in, time zone, create, list, update, complete, delete, "
        "lists, tags, subtasks, order, all-day recurrence, reminders, completions, "
        "notifications: ok"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
