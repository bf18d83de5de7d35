"""Soak test: many clients, a mix of every task operation, for a fixed time.

Runs gunicorn (production settings) on a PostgreSQL database of its own.
Each client is one user who lists, creates, updates, toggles and deletes
tasks, and keeps its own record of what its tasks must be. At the end the
database must hold exactly that for every user, no answer may have been a
5xx or a dropped connection, and the database connections in use must have
stayed below the server's limit throughout.

    python -m harness.soak [--seconds 60] [--clients 50]     (make soak)
"""

import argparse
import random
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import psycopg

from harness.load import UNTHROTTLED, Client, fresh_database
from harness.server import PROJECT_DIR, ProductionServer

MIX = [("list", 30), ("create", 25), ("update", 20), ("toggle", 15), ("delete", 10)]
PRIORITIES = ["low", "medium", "high", None]


class SoakClient:
    """One user: sends the operations and remembers what its tasks must look like."""

    def __init__(self, client: Client, seed: int):
        self.client = client
        self.random = random.Random(seed)
        self.expected: dict[str, dict] = {}
        self.statuses: Counter = Counter()
        self.latencies: list[float] = []
        self.mismatches: list[str] = []

    def send(self, method, path, body=None):
        started = time.perf_counter()
        answer = self.client.request(method, path, body)
        self.latencies.append(time.perf_counter() - started)
        self.statuses[answer.status] += 1
        return answer

    def step(self, sequence: int) -> None:
        names, weights = zip(*MIX, strict=True)
        operation = self.random.choices(names, weights)[0]
        if operation != "create" and operation != "list" and not self.expected:
            operation = "create"
        getattr(self, operation)(sequence)

    def list(self, sequence):
        answer = self.send("GET", "/api/tasks/?page_size=500")
        if answer.status == 200 and {t["id"] for t in answer.body} != set(self.expected):
            self.mismatches.append(f"list #{sequence} differs from what was written")

    def create(self, sequence):
        body = {"title": f"task {sequence}", "priority": self.random.choice(PRIORITIES)}
        answer = self.send("POST", "/api/tasks/", body)
        if answer.status == 201:
            self.expected[answer.body["id"]] = {**body, "completed": False}

    def update(self, sequence):
        task_id = self.random.choice(list(self.expected))
        body = {"title": f"updated {sequence}", "priority": self.random.choice(PRIORITIES)}
        if self.send("PATCH", f"/api/tasks/{task_id}/", body).status == 200:
            self.expected[task_id].update(body)

    def toggle(self, sequence):
        task_id = self.random.choice(list(self.expected))
        answer = self.send("PATCH", f"/api/tasks/{task_id}/complete/")
        if answer.status == 200:
            self.expected[task_id]["completed"] = not self.expected[task_id]["completed"]

    def delete(self, sequence):
        task_id = self.random.choice(list(self.expected))
        if self.send("DELETE", f"/api/tasks/{task_id}/").status == 204:
            del self.expected[task_id]


def run_client(soak: SoakClient, stop: threading.Event) -> None:
    sequence = 0
    while not stop.is_set():
        sequence += 1
        soak.step(sequence)


def watch_connections(database_url: str, samples: list, stop: threading.Event) -> None:
    database = database_url.rsplit("/", 1)[1]
    with psycopg.connect(database_url, autocommit=True) as conn:
        while not stop.is_set():
            row = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [database]
            ).fetchone()
            samples.append(row[0] - 1)  # not counting this watcher
            time.sleep(0.5)


def stored_tasks(database_url: str, user_id: str) -> dict[str, dict]:
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT id, title, priority, completed FROM tasks_task WHERE user_id = %s", [user_id]
        ).fetchall()
    return {
        str(task_id): {"title": title, "priority": priority, "completed": completed}
        for task_id, title, priority, completed in rows
    }


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000 if ordered else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=50)
    args = parser.parse_args()

    database_url = fresh_database("todo_soak")
    with tempfile.TemporaryDirectory() as workdir:
        server = ProductionServer(
            database_url=database_url,
            workdir=Path(workdir),
            log_path=PROJECT_DIR / "artifacts" / "soak-server.log",
            # As many workers as gunicorn.conf.py gives production.
            env={**UNTHROTTLED, "WEB_CONCURRENCY": None, "GUNICORN_ACCESS_LOG": "/dev/null"},
        )
        server.start()
        try:
            return soak(server, database_url, args.seconds, args.clients)
        finally:
            server.stop()


def soak(server, database_url: str, seconds: float, client_count: int) -> int:
    soakers, users = [], []
    for n in range(client_count):
        client = Client(server.url, timeout=30)
        users.append(client.register(f"soak{n}")["id"])
        soakers.append(SoakClient(client, seed=n))
    with psycopg.connect(database_url) as conn:
        max_connections = int(conn.execute("SHOW max_connections").fetchone()[0])

    stop, connections = threading.Event(), []
    threads = [threading.Thread(target=run_client, args=(s, stop)) for s in soakers]
    watcher = threading.Thread(target=watch_connections, args=(database_url, connections, stop))
    started = time.monotonic()
    for thread in [*threads, watcher]:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in [*threads, watcher]:
        thread.join()
    elapsed = time.monotonic() - started

    statuses = sum((s.statuses for s in soakers), Counter())
    latencies = [latency for s in soakers for latency in s.latencies]
    server_errors = sum(n for status, n in statuses.items() if status >= 500)
    wrong_users = [
        user
        for user, s in zip(users, soakers, strict=True)
        if stored_tasks(database_url, user) != s.expected
    ]
    mismatches = [m for s in soakers for m in s.mismatches]

    print(f"clients: {client_count}, duration: {elapsed:.1f}s")
    print(f"requests: {sum(statuses.values())} ({sum(statuses.values()) / elapsed:.0f}/s)")
    print(f"by status: {dict(sorted(statuses.items()))}")
    p50, p90, p99 = (percentile(latencies, f) for f in (0.5, 0.9, 0.99))
    print(f"latency ms: p50 {p50:.1f}, p90 {p90:.1f}, p99 {p99:.1f}")
    print(f"5xx: {server_errors}, connection errors: {statuses[0]}")
    print(f"database connections: max {max(connections, default=0)} of {max_connections} allowed")
    print(f"users whose stored tasks differ from what they wrote: {len(wrong_users)}")
    print(f"lists that differed from what was written: {len(mismatches)}")

    problems = []
    if server_errors or statuses[0]:
        problems.append("server errors or dropped connections")
    if max(connections, default=0) >= max_connections:
        problems.append("database connections reached the server's limit")
    if wrong_users or mismatches:
        problems.append("stored data differs from what the clients wrote")
    for problem in problems:
        print(f"FAIL: {problem}")
    print("soak test:", "FAILED" if problems else "passed")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
