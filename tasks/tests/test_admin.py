"""The task admin: what the change list shows, how it filters and searches, its actions,
its reminders; and the read-only admins of what the worker records."""

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone

from accounts.tests.factories import UserFactory
from tasks.models import (
    Notification,
    Reminder,
    Tag,
    Task,
    TaskCompletion,
    TaskList,
    TaskTag,
    WorkerRun,
)
from tasks.reminders import Spec, reschedule
from tasks.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:tasks_task_changelist"


def changelist_url(**params) -> str:
    url = reverse(CHANGELIST)
    if params:
        url += "?" + "&".join(f"{name}={value}" for name, value in params.items())
    return url


ROW = re.compile(r"<tr[^>]*>(.*?)</tr>", re.S)
CELL = re.compile(r'<t[hd] class="field-(\w+)[^"]*"[^>]*>(.*?)</t[hd]>', re.S)
IMAGE_ALT = re.compile(r'<img [^>]*alt="([^"]*)"[^>]*>')
TAG = re.compile(r"<[^>]+>")


def displayed_rows(response) -> list[dict[str, str]]:
    """The change list's result table as one {column: text shown} per row."""
    assert response.status_code == 200, response.content[:500]
    if response.context["cl"].result_count == 0:
        return []
    page = response.content.decode()
    table = page.split('id="result_list"', 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1]
    return [
        {
            name: html.unescape(TAG.sub("", IMAGE_ALT.sub(r"\1", content))).strip()
            for name, content in CELL.findall(row)
        }
        for row in ROW.findall(body)
    ]


def shown_titles(response) -> set[str]:
    return {row["title"] for row in displayed_rows(response)}


def shown_datetime(value) -> str:
    return formats.localize(timezone.template_localtime(value))


# --- What the change list shows -----------------------------------------------


def test_change_list_shows_title_owner_email_completion_priority_due_date_and_creation(
    admin_session,
):
    owner = UserFactory(email="ann@example.org")
    due = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    full = TaskFactory(
        user=owner, title="Write report", priority="medium", due_date=due, completed=True
    )
    bare = TaskFactory(user=owner, title="Sketch ideas")

    rows = {row["title"]: row for row in displayed_rows(admin_session.get(changelist_url()))}

    assert rows.keys() == {"Write report", "Sketch ideas"}
    assert rows["Write report"] == {
        "title": "Write report",
        "owner_email": "ann@example.org",
        "completed": "True",
        "priority": "Medium",
        "due_date": shown_datetime(due),
        "created_at": shown_datetime(full.created_at),
    }
    assert rows["Sketch ideas"] == {
        "title": "Sketch ideas",
        "owner_email": "ann@example.org",
        "completed": "False",
        "priority": "-",
        "due_date": "-",
        "created_at": shown_datetime(bare.created_at),
    }


def test_change_list_can_be_sorted_by_owner_email(admin_session):
    TaskFactory(user=UserFactory(email="zoe@example.org"), title="Zoe's")
    TaskFactory(user=UserFactory(email="adam@example.org"), title="Adam's")
    owner_column = 2  # 1-based, after the title

    response = admin_session.get(changelist_url(o=owner_column))

    assert [row["owner_email"] for row in displayed_rows(response)] == [
        "adam@example.org",
        "zoe@example.org",
    ]


def test_change_list_offers_completed_priority_due_recurrence_owner_and_list_filters(
    admin_session,
):
    # The owner and list filters only show once there is more than one to choose from.
    TaskFactory.create_batch(2)

    response = admin_session.get(changelist_url())

    titles = [str(spec.title) for spec in response.context["cl"].filter_specs]
    assert titles == ["completed", "priority", "due", "recurrence", "user", "list"]


# --- Filters ----------------------------------------------------------------


def test_completed_filter_shows_only_tasks_in_that_state(admin_session):
    TaskFactory(title="Done", completed=True)
    TaskFactory(title="Open")

    assert shown_titles(admin_session.get(changelist_url(completed__exact=1))) == {"Done"}
    assert shown_titles(admin_session.get(changelist_url(completed__exact=0))) == {"Open"}


def test_priority_filter_shows_one_priority_or_tasks_without_one(admin_session):
    TaskFactory(title="Urgent", priority="high")
    TaskFactory(title="Someday", priority="low")
    TaskFactory(title="Unranked", priority=None)

    assert shown_titles(admin_session.get(changelist_url(priority__exact="high"))) == {"Urgent"}
    assert shown_titles(admin_session.get(changelist_url(priority__isnull="True"))) == {"Unranked"}


@pytest.fixture
def tasks_due_around_now():
    """Tasks due either side of each edge of the due filter's choices, whatever the time."""
    now = timezone.now()
    start_of_today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    end_of_today = start_of_today + timedelta(days=1)
    due = {
        "last week": now - timedelta(days=7),
        "done last week": now - timedelta(days=7),
        "just before today": start_of_today - timedelta(minutes=1),
        "earlier today": start_of_today + (now - start_of_today) / 2,
        "later today": now + (end_of_today - now) / 2,
        "start of tomorrow": end_of_today + timedelta(minutes=1),
        "in six days": now + timedelta(days=6),
        "in eight days": now + timedelta(days=8),
        "no due date": None,
    }
    for title, due_date in due.items():
        TaskFactory(title=title, due_date=due_date, completed=title.startswith("done"))


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        ("overdue", {"last week", "just before today", "earlier today"}),
        ("today", {"earlier today", "later today"}),
        ("week", {"later today", "start of tomorrow", "in six days"}),
        ("none", {"no due date"}),
    ],
)
@pytest.mark.usefixtures("tasks_due_around_now")
def test_due_filter_shows_tasks_due_in_that_period(admin_session, choice, expected):
    assert shown_titles(admin_session.get(changelist_url(due=choice))) == expected


def test_due_filter_lists_its_four_choices(admin_session):
    TaskFactory()

    response = admin_session.get(changelist_url())

    due_filter = next(s for s in response.context["cl"].filter_specs if str(s.title) == "due")
    assert [value for value, _ in due_filter.lookup_choices] == [
        "overdue",
        "today",
        "week",
        "none",
    ]


def test_owner_filter_shows_only_that_users_tasks(admin_session):
    ann, bob = UserFactory(), UserFactory()
    TaskFactory(user=ann, title="Ann's")
    TaskFactory(user=bob, title="Bob's")

    response = admin_session.get(changelist_url(user__id__exact=ann.pk))

    assert shown_titles(response) == {"Ann's"}
    owner_filter = next(s for s in response.context["cl"].filter_specs if str(s.title) == "user")
    assert {str(pk) for pk, _ in owner_filter.lookup_choices} == {str(ann.pk), str(bob.pk)}


def test_recurring_tasks_can_be_filtered_from_the_others(admin_session):
    TaskFactory(title="Weekly", recurrence="FREQ=WEEKLY", due_date=timezone.now())
    TaskFactory(title="Once")

    assert shown_titles(admin_session.get(changelist_url(recurrence__isempty=0))) == {"Weekly"}
    assert shown_titles(admin_session.get(changelist_url(recurrence__isempty=1))) == {"Once"}


# --- Search and date hierarchy ---------------------------------------------


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("groceries", {"Buy groceries"}),
        ("plumber", {"Fix the sink"}),
        ("carol@", {"Carol's chore"}),
        ("nothing-like-this", set()),
    ],
)
def test_search_looks_in_title_description_and_owner_email(admin_session, term, expected):
    TaskFactory(title="Buy groceries")
    TaskFactory(title="Fix the sink", description="Call the plumber first")
    TaskFactory(title="Carol's chore", user=UserFactory(email="carol@example.org"))

    assert shown_titles(admin_session.get(changelist_url(q=term))) == expected


def test_date_hierarchy_drills_down_by_creation_date(admin_session):
    old = TaskFactory(title="Last year")
    TaskFactory(title="This year")
    Task.objects.filter(pk=old.pk).update(created_at=datetime(2024, 3, 5, 12, tzinfo=UTC))

    top = admin_session.get(changelist_url())
    year = admin_session.get(changelist_url(created_at__year=2024))

    assert top.context["cl"].date_hierarchy == "created_at"
    assert 'href="?created_at__year=2024"' in top.content.decode()
    assert shown_titles(year) == {"Last year"}


# --- Actions ----------------------------------------------------------------


def run_action(client, action: str, tasks):
    return client.post(
        changelist_url(),
        {"action": action, "_selected_action": [str(task.pk) for task in tasks]},
        follow=True,
    )


def test_mark_completed_completes_the_selected_tasks_and_stamps_them(admin_session):
    pending = TaskFactory(title="Pending")
    done = TaskFactory(title="Done before", completed=True)
    Task.objects.filter(pk=done.pk).update(completed_at=datetime(2025, 1, 2, tzinfo=UTC))
    untouched = TaskFactory(title="Not selected")
    before = timezone.now()

    response = run_action(admin_session, "mark_completed", [pending, done])

    assert response.status_code == 200
    assert "2 task(s) marked as completed." in [str(m) for m in response.context["messages"]]
    pending.refresh_from_db()
    done.refresh_from_db()
    untouched.refresh_from_db()
    assert pending.completed is True
    assert before <= pending.completed_at <= timezone.now()
    assert done.completed is True
    assert done.completed_at == datetime(2025, 1, 2, tzinfo=UTC)
    assert untouched.completed is False
    assert untouched.completed_at is None


def test_mark_completed_moves_a_recurring_task_on_as_the_api_does(admin_session):
    due = timezone.now().replace(microsecond=0) + timedelta(days=1)
    task = TaskFactory(title="Water the plants", due_date=due, recurrence="FREQ=DAILY")
    Task.objects.filter(pk=task.pk).update(recurrence_start_date=due)

    response = run_action(admin_session, "mark_completed", [task])

    messages = [str(m) for m in response.context["messages"]]
    assert messages == [
        "1 task(s) marked as completed. 1 recurring: moved on to their next occurrence."
    ]
    task.refresh_from_db()
    assert (task.completed, task.due_date) == (False, due + timedelta(days=1))
    [completion] = TaskCompletion.objects.filter(task=task)
    assert completion.due_date == due


def test_mark_pending_reopens_the_selected_tasks_and_clears_their_stamp(admin_session):
    done = TaskFactory(title="Done", completed=True)
    already_pending = TaskFactory(title="Pending")
    untouched = TaskFactory(title="Not selected", completed=True)

    response = run_action(admin_session, "mark_pending", [done, already_pending])

    assert "2 task(s) marked as pending." in [str(m) for m in response.context["messages"]]
    done.refresh_from_db()
    already_pending.refresh_from_db()
    untouched.refresh_from_db()
    assert (done.completed, done.completed_at) == (False, None)
    assert (already_pending.completed, already_pending.completed_at) == (False, None)
    assert untouched.completed is True
    assert untouched.completed_at is not None


def test_actions_apply_to_a_searched_change_list(admin_session):
    owner = UserFactory(email="dora@example.org")
    mine = TaskFactory(user=owner, title="Dora's")

    admin_session.post(
        changelist_url(q="dora@"),
        {"action": "mark_completed", "_selected_action": [str(mine.pk)]},
    )

    mine.refresh_from_db()
    assert mine.completed is True
    assert mine.completed_at is not None


# --- Query count ------------------------------------------------------------


def changelist_queries(client) -> tuple[int, int]:
    """How many queries one change list page ran, and how many tasks it showed."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(changelist_url())
    assert response.status_code == 200
    return len(queries), len(response.context["cl"].result_list)


def create_spread_tasks(count: int, owners: int) -> None:
    users = UserFactory.create_batch(owners)
    for number in range(count):
        TaskFactory(
            user=users[number % owners],
            priority=["low", "medium", "high", None][number % 4],
            completed=number % 3 == 0,
        )


def test_change_list_runs_the_same_number_of_queries_for_5_and_100_tasks(admin_session):
    create_spread_tasks(5, owners=5)
    admin_session.get(changelist_url())  # warm-up: per-process caches such as content types

    few, shown_few = changelist_queries(admin_session)
    create_spread_tasks(95, owners=10)
    many, shown_many = changelist_queries(admin_session)

    assert (shown_few, shown_many) == (5, 100)
    assert many == few


# --- Change form ------------------------------------------------------------


def test_change_form_completing_a_task_stamps_it_and_reopening_clears_it(admin_session):
    task = TaskFactory(title="Edit me", priority="low")
    url = reverse("admin:tasks_task_change", args=[task.pk])
    form = {
        "user": str(task.user.pk),
        "list": str(task.list_id),
        "title": "Edited",
        "description": "",
        "priority": "high",
        "due_date_0": "",
        "due_date_1": "",
        "_save": "Save",
        **reminder_rows(),
    }

    completing = admin_session.post(url, {**form, "completed": "on"})
    task.refresh_from_db()
    stamped = task.completed_at
    reopening = admin_session.post(url, form)
    task.refresh_from_db()

    assert completing.status_code == reopening.status_code == 302
    assert stamped is not None
    assert (task.title, task.priority, task.completed, task.completed_at) == (
        "Edited",
        "high",
        False,
        None,
    )


def test_owner_autocomplete_finds_users_by_email(admin_session):
    wanted = UserFactory(email="erin@example.org")
    UserFactory(email="frank@example.org")

    response = admin_session.get(
        reverse("admin:autocomplete"),
        {"app_label": "tasks", "model_name": "task", "field_name": "user", "term": "erin"},
    )

    assert response.status_code == 200
    assert [result["id"] for result in response.json()["results"]] == [str(wanted.pk)]


# --- Lists ------------------------------------------------------------------


def test_the_list_change_list_shows_task_counts_without_a_query_per_row(admin_session):
    url = reverse("admin:tasks_tasklist_changelist")

    def page():
        with CaptureQueriesContext(connection) as queries:
            response = admin_session.get(url)
        return response, len(queries)

    for user in UserFactory.create_batch(3):
        TaskFactory.create_batch(2, user=user)
    page()  # the session and the content types, read once
    response, queries = page()
    TaskFactory.create_batch(2, user=UserFactory())
    _, queries_with_one_more_list = page()

    counts = [task_list.task_count for task_list in response.context["cl"].result_list]
    assert sorted(counts) == [0, 2, 2, 2]  # the superuser's own Inbox has none
    assert queries_with_one_more_list == queries


def test_an_inbox_is_not_deleted_from_the_list_admin(admin_session):
    owner = UserFactory()
    inbox = TaskList.objects.get(user=owner, is_inbox=True)
    other = TaskList.objects.create(user=owner, name="Other", position=10)

    admin_session.post(
        reverse("admin:tasks_tasklist_changelist"),
        {"action": "delete_selected", "_selected_action": [inbox.pk, other.pk], "post": "yes"},
    )

    assert list(TaskList.objects.filter(user=owner)) == [inbox]


def test_a_task_whose_list_is_another_users_is_refused_by_the_form(admin_session):
    task = TaskFactory()
    foreign = TaskList.objects.get(user=UserFactory(), is_inbox=True)
    url = reverse("admin:tasks_task_change", args=[task.pk])

    response = admin_session.post(
        url,
        {"user": str(task.user.pk), "list": str(foreign.pk), "title": "t", "_save": "Save"},
    )

    assert response.status_code == 200
    assert "list" in response.context["adminform"].form.errors
    task.refresh_from_db()
    assert task.list_id != foreign.pk


def test_the_tag_change_list_shows_task_counts_without_a_query_per_row(admin_session):
    url = reverse("admin:tasks_tag_changelist")

    def page():
        with CaptureQueriesContext(connection) as queries:
            response = admin_session.get(url)
        return response, len(queries)

    def tag_tasks(user, name, count):
        tag = Tag.objects.create(user=user, name=name)
        for task in TaskFactory.create_batch(count, user=user):
            TaskTag.objects.create(task=task, tag=tag)

    owner = UserFactory()
    tag_tasks(owner, "home", 2)
    tag_tasks(owner, "work", 1)
    page()
    response, queries = page()
    tag_tasks(UserFactory(), "else", 3)
    _, queries_with_one_more_tag = page()

    counts = {tag.name: tag.task_count for tag in response.context["cl"].result_list}
    assert counts == {"home": 2, "work": 1}
    assert queries_with_one_more_tag == queries


def test_tasks_are_filtered_by_tag(admin_session):
    owner = UserFactory()
    home, work = (Tag.objects.create(user=owner, name=name) for name in ("home", "work"))
    tagged, other, _ = (TaskFactory(user=owner, title=title) for title in ("a", "b", "c"))
    TaskTag.objects.create(task=tagged, tag=home)
    TaskTag.objects.create(task=other, tag=work)

    response = admin_session.get(changelist_url(tags__id__exact=home.pk))

    assert shown_titles(response) == {"a"}
    titles = [str(spec.title) for spec in response.context["cl"].filter_specs]
    assert titles[-1] == "tags"


def test_a_subtask_whose_parent_is_in_another_list_is_refused_by_the_form(admin_session):
    owner = UserFactory()
    parent = TaskFactory(user=owner)
    elsewhere = TaskList.objects.create(user=owner, name="Elsewhere", position=10)
    task = TaskFactory(user=owner)
    url = reverse("admin:tasks_task_change", args=[task.pk])

    response = admin_session.post(
        url,
        {
            "user": str(owner.pk),
            "list": str(elsewhere.pk),
            "parent": str(parent.pk),
            "title": "t",
            "_save": "Save",
        },
    )

    assert response.status_code == 200  # the form again, with its error
    assert Task.objects.get(pk=task.pk).parent_id is None


# --- Reminders --------------------------------------------------------------


def soon(**delta) -> datetime:
    return (timezone.now() + timedelta(**delta)).replace(microsecond=0)


def remind(task: Task, *specs: Spec) -> None:
    with transaction.atomic():
        reschedule(task, time_zone=task.user.time_zone, specs=list(specs), locked=False)


def change_url(task: Task) -> str:
    return reverse("admin:tasks_task_change", args=[task.pk])


def split(moment: datetime | None, name: str) -> dict:
    """A datetime as the admin's two inputs (date and time) named after `name`."""
    local = timezone.localtime(moment) if moment else None
    return {
        f"{name}_0": local.strftime("%Y-%m-%d") if local else "",
        f"{name}_1": local.strftime("%H:%M:%S") if local else "",
    }


def reminder_rows(*rows: dict, stored: int = 0) -> dict:
    """The reminder inline's part of a change form POST: a form for each of `rows`,
    the first `stored` of them the task's stored reminders (with their ids)."""
    data = {
        "reminders-TOTAL_FORMS": str(len(rows)),
        "reminders-INITIAL_FORMS": str(stored),
        "reminders-MIN_NUM_FORMS": "0",
        "reminders-MAX_NUM_FORMS": "5",
    }
    for number, row in enumerate(rows):
        data |= {f"reminders-{number}-{name}": value for name, value in row.items()}
    return data


def change_form(task: Task, *, due_date=None, reminders=None) -> dict:
    """A change form POST that keeps the task as it is but for its due and reminders."""
    return {
        "user": str(task.user_id),
        "list": str(task.list_id),
        "title": task.title,
        **split(due_date or task.due_date, "due_date"),
        "_save": "Save",
        **(reminders or reminder_rows()),
    }


def stored_row(reminder: Reminder, **changes) -> dict:
    row = {"id": str(reminder.pk), "task": str(reminder.task_id)}
    row |= {"before_due_minutes": reminder.before_due_minutes or "", **split(reminder.at, "at")}
    return row | changes


def scheduled(task: Task) -> list[tuple]:
    return [(r.at, r.before_due_minutes, r.fire_at, r.pending) for r in task.reminders.all()]


def test_the_change_page_shows_the_tasks_reminders_and_when_they_fire(admin_session):
    due = soon(days=2)
    task = TaskFactory(due_date=due)
    remind(task, Spec(before_due_minutes=30), Spec(at=soon(days=1)))

    response = admin_session.get(change_url(task))

    assert response.status_code == 200
    [inline] = response.context["inline_admin_formsets"]
    assert [form.instance.before_due_minutes for form in inline.formset.forms] == [30, None]
    assert inline.formset.max_num == 5
    assert shown_datetime(due - timedelta(minutes=30)) in response.content.decode()


def test_reminders_added_in_the_admin_get_when_they_fire(admin_session):
    due, at = soon(days=2), soon(days=1)
    task = TaskFactory(due_date=due)
    rows = reminder_rows({"before_due_minutes": "30"}, split(at, "at"))

    response = admin_session.post(change_url(task), change_form(task, reminders=rows))

    assert response.status_code == 302
    assert scheduled(task) == [
        (None, 30, due - timedelta(minutes=30), True),
        (at, None, at, True),
    ]


def test_changing_the_due_in_the_admin_moves_its_reminders(admin_session):
    due = soon(days=2)
    task = TaskFactory(due_date=due)
    remind(task, Spec(before_due_minutes=30))
    later = due + timedelta(days=1, hours=2)
    rows = reminder_rows(stored_row(task.reminders.get()), stored=1)

    response = admin_session.post(
        change_url(task), change_form(task, due_date=later, reminders=rows)
    )

    assert response.status_code == 302
    assert scheduled(task) == [(None, 30, later - timedelta(minutes=30), True)]


@pytest.mark.parametrize(
    "row",
    [
        pytest.param(
            lambda task: {"before_due_minutes": "30", **split(soon(days=1), "at")}, id="both"
        ),
        pytest.param(
            lambda task: stored_row(task.reminders.get(), before_due_minutes=""), id="none"
        ),
        pytest.param(lambda task: {"before_due_minutes": "40321"}, id="past-four-weeks"),
    ],
)
def test_a_reminder_row_that_cannot_be_is_a_form_error(admin_session, row):
    task = TaskFactory(due_date=soon(days=2))
    remind(task, Spec(before_due_minutes=10))
    before = scheduled(task)
    data = row(task)
    rows = reminder_rows(data, stored=1 if "id" in data else 0)

    response = admin_session.post(change_url(task), change_form(task, reminders=rows))

    assert response.status_code == 200
    [inline] = response.context["inline_admin_formsets"]
    assert any(inline.formset.errors)
    assert scheduled(task) == before


def test_more_than_five_reminders_are_a_form_error(admin_session):
    task = TaskFactory(due_date=soon(days=2))
    rows = reminder_rows(*({"before_due_minutes": str(n)} for n in range(6)))

    response = admin_session.post(change_url(task), change_form(task, reminders=rows))

    assert response.status_code == 200
    [inline] = response.context["inline_admin_formsets"]
    assert inline.formset.non_form_errors()
    assert not task.reminders.exists()


def test_the_completion_actions_cancel_and_rearm_reminders(admin_session):
    due = soon(days=2)
    task = TaskFactory(due_date=due)
    remind(task, Spec(before_due_minutes=30), Spec(at=soon(hours=-1)))
    ahead, gone = due - timedelta(minutes=30), soon(hours=-1)

    # Listed as pending: the tasks the action completes leave that list.
    admin_session.post(
        changelist_url(completed__exact=0),
        {"action": "mark_completed", "_selected_action": [str(task.pk)]},
    )
    completed = [pending for *_, pending in scheduled(task)]
    run_action(admin_session, "mark_pending", [task])

    assert completed == [False, False]
    assert [(fire_at, pending) for *_, fire_at, pending in scheduled(task)] == [
        (ahead, True),
        (gone, False),  # its time went by: it does not fire
    ]


# --- What the worker records --------------------------------------------------


def notification(user, title: str, **fields) -> Notification:
    now = timezone.now()
    return Notification.objects.create(
        user=user, title=title, fire_at=now, delivered_at=now, **fields
    )


def test_the_notification_admin_lists_them_and_only_shows_them(admin_session):
    owner = UserFactory(email="gina@example.org")
    shown = notification(owner, "Call the bank", late=True, read_at=timezone.now())
    url = reverse("admin:tasks_notification_changelist")

    response = admin_session.get(url)

    [row] = displayed_rows(response)
    assert row == {
        "title": "Call the bank",
        "owner_email": "gina@example.org",
        "fire_at": shown_datetime(shown.fire_at),
        "delivered_at": shown_datetime(shown.delivered_at),
        "late": "True",
        "read": "True",
    }
    assert response.context["has_add_permission"] is False
    assert admin_session.get(reverse("admin:tasks_notification_add")).status_code == 403
    change = reverse("admin:tasks_notification_change", args=[shown.pk])
    assert admin_session.get(change).status_code == 200
    assert admin_session.post(change, {"title": "Changed"}).status_code == 403
    shown.refresh_from_db()
    assert shown.title == "Call the bank"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"late__exact": 1}, {"late, read"}),
        ({"read": "yes"}, {"late, read"}),
        ({"read": "no"}, {"on time, unread"}),
        ({"q": "hal@"}, {"on time, unread"}),
        ({"q": "late"}, {"late, read"}),
    ],
)
def test_notifications_are_filtered_by_lateness_and_read_state_and_searched(
    admin_session, params, expected
):
    notification(UserFactory(), "late, read", late=True, read_at=timezone.now())
    notification(UserFactory(email="hal@example.org"), "on time, unread")
    url = reverse("admin:tasks_notification_changelist")
    url += "?" + "&".join(f"{name}={value}" for name, value in params.items())

    assert shown_titles(admin_session.get(url)) == expected


def test_the_worker_run_admin_lists_runs_and_only_shows_them(admin_session):
    run = WorkerRun.objects.create(job="reminders", finished_at=timezone.now(), delivered=3)

    response = admin_session.get(reverse("admin:tasks_workerrun_changelist"))

    assert [
        {name: value for name, value in row.items() if name != "action_checkbox"}
        for row in displayed_rows(response)
    ] == [{"job": "reminders", "finished_at": shown_datetime(run.finished_at), "delivered": "3"}]
    assert response.context["has_add_permission"] is False
    assert admin_session.get(reverse("admin:tasks_workerrun_add")).status_code == 403


def test_the_completion_admin_shows_each_occurrences_task_and_owner(admin_session):
    task = TaskFactory(title="Water the plants", user=UserFactory(email="ivy@example.org"))
    due = datetime(2026, 3, 2, 9, tzinfo=UTC)
    TaskCompletion.objects.create(task=task, due_date=due, due_at=due, completed_at=due)

    response = admin_session.get(reverse("admin:tasks_taskcompletion_changelist"))

    [row] = displayed_rows(response)
    assert (row["task"], row["owner_email"]) == ("Water the plants", "ivy@example.org")
    assert response.context["has_add_permission"] is False


def page_queries(client, url: str) -> tuple[int, int]:
    """How many queries one change list page ran, and how many rows it showed."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), len(response.context["cl"].result_list)


@pytest.mark.parametrize("model", ["notification", "taskcompletion"])
def test_the_record_change_lists_run_the_same_number_of_queries_for_3_and_30_rows(
    admin_session, model
):
    def add(count):
        for number in range(count):
            task = TaskFactory()
            if model == "notification":
                notification(task.user, task.title, read_at=timezone.now() if number % 2 else None)
            else:
                due = timezone.now() - timedelta(days=number)
                TaskCompletion.objects.create(task=task, due_date=due, due_at=due, completed_at=due)

    url = reverse(f"admin:tasks_{model}_changelist")
    add(3)
    admin_session.get(url)  # warm-up: per-process caches such as content types

    few, shown_few = page_queries(admin_session, url)
    add(27)
    many, shown_many = page_queries(admin_session, url)

    assert (shown_few, shown_many) == (3, 30)
    assert many == few
