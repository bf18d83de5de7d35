"""The login limit is shared by every worker process, not counted per process."""

import re
import threading

from harness.load import Client
from harness.server import ProductionServer

LIMIT = 6
BURSTS = 10
BURST_CLIENTS = 4
# gunicorn's access log; nginx forwards requests as HTTP/1.0.
WORKER_OF_LOGIN = re.compile(r'"POST /api/auth/login/ HTTP/1.[01]" (\d+) \d+ \d+ms pid=<(\d+)>')


def attempt_login(client: Client) -> int:
    body = {"email": "victim@example.org", "password": "wrong"}
    return client.request("POST", "/api/auth/login/", body).status


def burst(url: str) -> list[int]:
    """Several attempts at once: a busy worker makes the kernel hand some to the other."""
    statuses = []

    def send():
        statuses.append(attempt_login(Client(url)))

    threads = [threading.Thread(target=send) for _ in range(BURST_CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def test_login_limit_holds_across_two_gunicorn_workers(tmp_path):
    server = ProductionServer(
        database_url=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        workdir=tmp_path,
        log_path=tmp_path / "server.log",
        env={"WEB_CONCURRENCY": "2", "THROTTLE_LOGIN_RATE": f"{LIMIT}/hour"},
    )
    server.start()
    try:
        client = Client(server.url)
        # Up to the limit, one at a time (so no two attempts race for the count).
        first = [attempt_login(client) for _ in range(LIMIT + 1)]
        # Past it, in bursts, until both workers have refused attempts.
        later, refusing_workers = [], set()
        for _ in range(BURSTS):
            later += burst(server.url)
            refusing_workers = {
                pid for status, pid in WORKER_OF_LOGIN.findall(server.log()) if status == "429"
            }
            if len(refusing_workers) == 2:
                break
    finally:
        server.stop()

    assert first == [401] * LIMIT + [429]
    assert set(later) == {429}
    # Both workers refused: each counted attempts the other one answered.
    assert len(refusing_workers) == 2
