"""The login limit is shared by every worker process, not counted per process."""

import re

from harness.load import Client
from harness.server import ProductionServer

LIMIT = 6
ATTEMPTS = 20
MAX_ATTEMPTS = 200
WORKER_OF_LOGIN = re.compile(r'"POST /api/auth/login/ HTTP/1.1" \d+ \d+ \d+ms pid=<(\d+)>')


def attempt_login(client: Client, email: str) -> int:
    return client.request("POST", "/api/auth/login/", {"email": email, "password": "wrong"}).status


def test_login_limit_holds_across_two_gunicorn_workers(tmp_path):
    server = ProductionServer(
        database_url=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        workdir=tmp_path,
        log_path=tmp_path / "server.log",
        env={"WEB_CONCURRENCY": "2", "THROTTLE_LOGIN_RATE": f"{LIMIT}/hour"},
    )
    server.start()
    statuses, workers, client = [], set(), Client(server.url)
    try:
        # Which worker accepts a connection is up to the kernel: keep going
        # until both have answered (the access log names each one's pid).
        while len(statuses) < ATTEMPTS or (len(workers) < 2 and len(statuses) < MAX_ATTEMPTS):
            statuses.append(attempt_login(client, "victim@example.org"))
            workers = set(WORKER_OF_LOGIN.findall(server.log()))
    finally:
        server.stop()

    assert len(workers) == 2, "both workers must have answered logins for this to prove anything"
    # Every attempt past the limit is refused, whichever worker answers it.
    assert statuses == [401] * LIMIT + [429] * (len(statuses) - LIMIT)
