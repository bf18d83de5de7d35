"""The worker, for real: the API served the production way, Huey consumers as
`make worker` starts them, and an SMTP server inside the test receiving the mail.

Reminders are set through the API and their delivery is checked three ways:
the mail received, the notifications the API lists, and timing. The queue is
the database's (a SQLite file beside it, or tables in PostgreSQL when the
suite runs there) or Redis.
"""

import asyncio
import email
import os
import signal
import subprocess
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import psycopg
import pytest
from aiosmtpd.controller import Controller

from harness.load import UNTHROTTLED, Client, fresh_database
from harness.server import ProductionServer, free_port, start_worker

REDIS_URL = "redis://127.0.0.1:6379/0"
DELIVERY_TIMEOUT_SECONDS = 90


class Mailbox:
    """An SMTP server on loopback keeping what it receives; `delay` per message."""

    def __init__(self, delay: float = 0.0):
        self.delay = delay
        self.messages: list[email.message.Message] = []
        self.lock = threading.Lock()
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        message = email.message_from_bytes(envelope.content)
        with self.lock:
            self.messages.append(message)
        return "250 OK"

    def to(self, address: str) -> list[email.message.Message]:
        with self.lock:
            return [m for m in self.messages if m["To"] == address]


@pytest.fixture
def mailbox():
    box = Mailbox()
    box.controller.start()
    yield box
    box.controller.stop()


@pytest.fixture(scope="module")
def database_url(tmp_path_factory):
    """A database of the suite's kind: PostgreSQL when DATABASE_URL names it."""
    suite = os.environ.get("DATABASE_URL", "")
    if not suite.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{tmp_path_factory.mktemp('worker') / 'db.sqlite3'}"
        return
    admin = urlsplit(suite)._replace(path="/postgres").geturl()
    name = f"todo_worker_{uuid.uuid4().hex[:8]}"
    yield fresh_database(name, admin)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def queue_env(workdir, queue: str) -> dict:
    env = {
        "JOBS_IMMEDIATE": "false",
        "JOBS_QUEUE": f"test-{uuid.uuid4().hex[:8]}",
        "JOBS_FILE": str(workdir / "jobs.sqlite3"),
    }
    if queue == "redis":
        env["REDIS_URL"] = REDIS_URL
    return env


@pytest.fixture(scope="module", params=["database", "redis"])
def served(request, database_url, tmp_path_factory):
    workdir = tmp_path_factory.mktemp(f"served-{request.param}")
    env = {**UNTHROTTLED, **queue_env(workdir, request.param)}
    server = ProductionServer(
        database_url=database_url, workdir=workdir, log_path=workdir / "server.log", env=env
    )
    server.start()
    yield server
    server.stop()


class Workers:
    """Huey consumers on the served database, mailing through `mailbox`."""

    def __init__(self, server: ProductionServer, mailbox: Mailbox, log_dir, **env):
        self.server, self.log_dir = server, log_dir
        self.env = {
            **server.env,
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(mailbox.port),
            **env,
        }
        self.processes: list[subprocess.Popen] = []

    def start(self, threads: int = 2) -> subprocess.Popen:
        log = self.log_dir / f"worker-{len(self.processes)}.log"
        process = start_worker(self.env, log, threads)
        self.processes.append(process)
        return process

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def logs(self) -> str:
        return "\n".join(path.read_text() for path in sorted(self.log_dir.glob("worker-*.log")))


@pytest.fixture
def workers(served, mailbox, tmp_path):
    started = []

    def start(**env) -> Workers:
        group = Workers(served, mailbox, tmp_path, **env)
        started.append(group)
        return group

    yield start
    for group in started:
        group.stop()


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def owner(server) -> tuple[Client, str]:
    client = Client(server.url)
    user = client.register("reminded")
    return client, user["email"]


def set_reminders(client: Client, tasks: int, first: datetime) -> set[tuple[str, str]]:
    """`tasks` tasks with five reminders each, a second apart from `first`: what
    was set, as (title, time) pairs."""
    expected = set()
    for number in range(tasks):
        times = [first + timedelta(seconds=k) for k in range(5)]
        body = {
            "title": f"Task {number}",
            "due_date": iso(first + timedelta(days=1)),
            "reminders": [{"at": iso(moment)} for moment in times],
        }
        answer = client.request("POST", "/api/tasks/", body)
        assert answer.status == 201, answer.body
        expected |= {(body["title"], iso(moment)) for moment in times}
    return expected


def notifications(client: Client) -> list[dict]:
    client.close()  # a connection left idle while waiting may have been closed by the server
    found, page = [], 1
    while True:
        answer = client.request("GET", f"/api/notifications/?page={page}&page_size=100")
        assert answer.status == 200, answer.body
        found += answer.body
        if len(found) >= int(answer.headers["x-total-count"]):
            return found
        page += 1


def wait_for(condition, what: str, group: Workers, timeout=DELIVERY_TIMEOUT_SECONDS):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.25)
    raise AssertionError(f"{what} after {timeout} s; worker logs:\n{group.logs()}")


def mailed(messages) -> list[tuple[str, str]]:
    """Each message as (title, the time its reminder was set for)."""
    found = []
    for message in messages:
        title = message["Subject"].removeprefix("Reminder: ")
        found.append((title, message["X-Reminder-Time"]))
    return found


def test_two_workers_deliver_each_of_200_reminders_exactly_once_within_a_minute(
    served, mailbox, workers
):
    group = workers()
    group.start()
    group.start()
    client, address = owner(served)
    first = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=10)
    expected = set_reminders(client, tasks=40, first=first)
    assert len(expected) == 200

    wait_for(lambda: len(mailbox.to(address)) >= 200, "not 200 mails", group)
    time.sleep(3)  # anything delivered twice would arrive by now

    assert sorted(mailed(mailbox.to(address))) == sorted(expected)
    delivered = notifications(client)
    assert sorted((n["title"], n["fire_at"]) for n in delivered) == sorted(expected)
    for notification in delivered:
        late_by = parse(notification["delivered_at"]) - parse(notification["fire_at"])
        assert timedelta(0) <= late_by < timedelta(seconds=60), notification
        assert notification["late"] is False
        assert notification["read"] is False
    # Newest first.
    stamps = [n["delivered_at"] for n in delivered]
    assert stamps == sorted(stamps, reverse=True)


def test_a_worker_killed_in_the_middle_of_a_batch_loses_no_reminder(served, tmp_path):
    slow = Mailbox(delay=0.1)
    slow.controller.start()
    group = Workers(served, slow, tmp_path)
    try:
        client, address = owner(served)
        first = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=2)
        expected = set_reminders(client, tasks=12, first=first)
        time.sleep(max(0, (first + timedelta(seconds=5) - datetime.now(UTC)).total_seconds()))
        worker = group.start(threads=1)
        wait_for(lambda: len(slow.to(address)) >= 10, "no mail", group)

        worker.send_signal(signal.SIGKILL)
        worker.wait()
        assert len(slow.to(address)) < len(expected)  # killed in the middle
        group.start(threads=1)
        wait_for(lambda: len(notifications(client)) >= len(expected), "not every reminder", group)
        time.sleep(2)

        delivered = notifications(client)
        assert sorted((n["title"], n["fire_at"]) for n in delivered) == sorted(expected)
        # Every reminder mailed; the one being sent when the worker died may go twice.
        received = mailed(slow.to(address))
        assert set(received) == expected
        assert len(received) <= len(expected) + 1
    finally:
        group.stop()
        slow.controller.stop()


def test_reminders_due_while_no_worker_runs_are_delivered_once_late_when_one_starts(
    served, mailbox, workers
):
    client, address = owner(served)
    at = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=1)
    answer = client.request(
        "POST", "/api/tasks/", {"title": "Pay rent", "reminders": [{"at": iso(at)}]}
    )
    assert answer.status == 201
    time.sleep(max(0, (at - datetime.now(UTC)).total_seconds()) + 3)

    group = workers()
    group.start()
    group.start()
    wait_for(lambda: mailbox.to(address), "no mail", group)
    time.sleep(2)

    [message] = mailbox.to(address)
    assert "late" in message.get_payload()
    [notification] = notifications(client)
    assert notification["late"] is True
    assert notification["fire_at"] == iso(at)
    assert notification["task_id"] == answer.body["id"]

    # The worker's last run, as an operator sees it.
    assert "Last run:" in served.manage("worker_status")
