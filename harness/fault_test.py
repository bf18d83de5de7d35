"""Fault test: PostgreSQL stops and restarts under write load; nothing acknowledged is lost.

Runs gunicorn (production settings) on a database of its own, drives task
creation from several concurrent clients, stops the PostgreSQL cluster for a
few seconds mid-run and starts it again. Every create carries an
Idempotency-Key and is retried with the same key until it is acknowledged
(201), as a careful client would. At the end every acknowledged task must
exist exactly once. Meanwhile the API must answer 503 (never 500) while the
database is down, and succeed again once it is back, with no restart.

    python -m harness.fault_test        (make fault-test; needs root for pg_ctlcluster)

It stops on its own well within two minutes; PostgreSQL is always started
again, whatever happens.
"""

import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import psycopg

from harness.load import UNTHROTTLED, Client, fresh_database, postgres_cluster
from harness.server import PROJECT_DIR, ProductionServer

CLIENTS = 8
OUTAGE_STARTS_AFTER = 5.0  # seconds of load before the database stops
OUTAGE_SECONDS = 5.0
LOAD_AFTER_RECOVERY = 8.0
RETRY_PAUSE = 0.2
HARD_DEADLINE = 100.0  # seconds from the first request; the run never takes longer


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.statuses: Counter = Counter()
        self.acknowledged: list[tuple[str, str, float]] = []  # id, title, time
        self.gave_up = 0

    def count(self, status: int) -> None:
        with self.lock:
            self.statuses[status] += 1


def drive(client: Client, name: str, stats: Stats, stop_new: threading.Event, deadline: float):
    sequence = 0
    while not stop_new.is_set() and time.monotonic() < deadline:
        sequence += 1
        title = f"{name}-{sequence}"
        key = uuid.uuid4().hex
        while time.monotonic() < deadline:
            answer = client.request(
                "POST", "/api/tasks/", {"title": title}, headers={"Idempotency-Key": key}
            )
            stats.count(answer.status)
            if answer.status == 201:
                with stats.lock:
                    stats.acknowledged.append((answer.body["id"], title, time.monotonic()))
                break
            if stop_new.is_set():
                with stats.lock:
                    stats.gave_up += 1  # the run is over; an unacknowledged write may not exist
                break
            time.sleep(RETRY_PAUSE)


def probe_readiness(client: Client, statuses: list, stop: threading.Event) -> None:
    while not stop.is_set():
        statuses.append((time.monotonic(), client.request("GET", "/health/ready").status))
        time.sleep(0.25)


def verify(database_url: str, acknowledged) -> tuple[int, int]:
    """(lost, duplicated) among the acknowledged tasks."""
    ids = [task_id for task_id, _, _ in acknowledged]
    with psycopg.connect(database_url) as conn:
        found = Counter(
            str(row[0])
            for row in conn.execute("SELECT id FROM tasks_task WHERE id = ANY(%s::uuid[])", [ids])
        )
        duplicated_titles = conn.execute(
            "SELECT count(*) FROM (SELECT title FROM tasks_task GROUP BY title "
            "HAVING count(*) > 1) AS repeated"
        ).fetchone()[0]
    lost = sum(1 for task_id in ids if found[task_id] == 0)
    return lost, duplicated_titles


def main() -> int:
    database_url = fresh_database("todo_fault")
    artifacts = PROJECT_DIR / "artifacts"
    with tempfile.TemporaryDirectory() as workdir:
        server = ProductionServer(
            database_url=database_url,
            workdir=Path(workdir),
            log_path=artifacts / "fault-test-server.log",
            env={**UNTHROTTLED, "WEB_CONCURRENCY": "3"},
        )
        server.start()
        try:
            return run(server, database_url)
        finally:
            postgres_cluster("start")  # whatever happened, leave the database running
            server.stop()


def run(server: ProductionServer, database_url: str) -> int:
    clients = [Client(server.url) for _ in range(CLIENTS)]
    for n, client in enumerate(clients):
        client.register(f"fault{n}")
    stats, readiness = Stats(), []
    stop_new, stop_probe = threading.Event(), threading.Event()
    started = time.monotonic()
    deadline = started + HARD_DEADLINE
    threads = [
        threading.Thread(target=drive, args=(c, f"c{n}", stats, stop_new, deadline))
        for n, c in enumerate(clients)
    ]
    threads.append(
        threading.Thread(target=probe_readiness, args=(Client(server.url), readiness, stop_probe))
    )
    for thread in threads:
        thread.start()

    time.sleep(OUTAGE_STARTS_AFTER)
    print(f"[{time.monotonic() - started:5.1f}s] stopping PostgreSQL", flush=True)
    postgres_cluster("stop")
    outage_started = time.monotonic()
    print(f"[{outage_started - started:5.1f}s] PostgreSQL stopped", flush=True)
    time.sleep(OUTAGE_SECONDS)
    restarting = time.monotonic()
    postgres_cluster("start")
    recovered = time.monotonic()
    print(f"[{recovered - started:5.1f}s] PostgreSQL started again", flush=True)
    time.sleep(LOAD_AFTER_RECOVERY)
    stop_new.set()
    for thread in threads[:-1]:
        thread.join()
    stop_probe.set()
    threads[-1].join()

    lost, duplicated = verify(database_url, stats.acknowledged)
    statuses = stats.statuses
    during_outage = Counter(s for t, s in readiness if outage_started + 0.5 < t < restarting)
    after_recovery = sum(1 for _, _, t in stats.acknowledged if t > recovered)
    refused = sum(n for status, n in statuses.items() if status != 201)
    server_errors = sum(n for status, n in statuses.items() if 500 <= status and status != 503)

    print(f"requests sent:           {sum(statuses.values())}")
    print(f"acknowledged (201):      {len(stats.acknowledged)}")
    print(f"refused:                 {refused}  by status: {dict(sorted(statuses.items()))}")
    print(f"connection errors:       {statuses[0]}")
    print(f"given up at the end:     {stats.gave_up}")
    print(f"acknowledged after recovery: {after_recovery}")
    print(f"/health/ready while down:    {dict(during_outage)}")
    print(f"lost:                    {lost}")
    print(f"duplicated:              {duplicated}")
    print(f"duration:                {time.monotonic() - started:.1f}s")

    problems = []
    if lost or duplicated:
        problems.append("acknowledged writes were lost or duplicated")
    if server_errors:
        problems.append(f"{server_errors} answers were 5xx other than 503")
    if statuses[503] == 0 or set(during_outage) != {503}:
        problems.append("the outage was not answered with 503")
    if after_recovery == 0:
        problems.append("no write succeeded after the database came back")
    for problem in problems:
        print(f"FAIL: {problem}")
    print("fault test:", "FAILED" if problems else "passed")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
