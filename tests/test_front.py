"""The service as `make serve` runs it: nginx in front of gunicorn (deploy/serve.py).

Slow and idle clients cannot take it down: gunicorn's sync workers each serve
one connection from its first byte to its last, so a handful of clients that
send slowly hold every worker; nginx holds them instead, buffering whole
requests and answers, and 200 such connections leave other clients' answers
as fast as ever. And the addresses and schemes the application sees are
nginx's word, never the client's. Loopback only; well under a minute.
"""

import http.client
import json
import socket
import statistics
import threading
import time

import pytest

from harness.load import UNTHROTTLED, Client
from harness.server import ProductionServer

SLOW_CONNECTIONS = 200
MEASURED_REQUESTS = 100
P99_LIMIT_SECONDS = 0.2
TRICKLE_INTERVAL_SECONDS = 0.5
LARGE_FILE = "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js"


def connect(url: str) -> socket.socket:
    host, port = url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=5)
    sock.setblocking(False)
    return sock


class SlowClients:
    """Connections that hold a server as attackers do, a quarter of each kind:

    idle (connected, silent); headers sent a byte at a time; a body announced
    and sent a byte at a time; answers asked for and never read.
    """

    def __init__(self, url: str, count: int):
        host = url.removeprefix("http://")
        self.trickled: list[tuple[socket.socket, bytes]] = []
        self.sockets: list[socket.socket] = []
        header_start = f"GET /health/ HTTP/1.1\r\nHost: {host}\r\n".encode()
        body_start = (
            f"POST /api/auth/login/ HTTP/1.1\r\nHost: {host}\r\n"
            "Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
        ).encode()
        # 1.5 MB, more than the kernel's buffers hold for a client that never reads.
        unread = f"GET {LARGE_FILE} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()
        for n in range(count):
            sock = connect(url)
            self.sockets.append(sock)
            kind = n % 4
            if kind == 1:
                sock.send(header_start)
                self.trickled.append((sock, b"X-Slow: " + b"a" * 10_000))
            elif kind == 2:
                sock.send(body_start)
                self.trickled.append((sock, b" " * 100_000))
            elif kind == 3:
                sock.send(unread)
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._trickle, daemon=True)
        self.thread.start()

    def _trickle(self) -> None:
        position = 0
        while not self.stopping.wait(TRICKLE_INTERVAL_SECONDS):
            for sock, data in self.trickled:
                try:
                    sock.send(data[position : position + 1])
                except OSError:
                    pass  # closed by the server: counted by still_open()
            position += 1

    def still_open(self) -> int:
        """How many of the connections the server has not closed."""
        count = 0
        for sock in self.sockets:
            try:
                count += sock.recv(1 << 20, socket.MSG_PEEK) != b""  # data waiting: open
            except BlockingIOError:
                count += 1  # nothing to read, not closed
            except OSError:
                pass
        return count

    def close(self) -> None:
        self.stopping.set()
        self.thread.join()
        for sock in self.sockets:
            sock.close()


def timed(client: Client, path: str) -> float:
    started = time.perf_counter()
    answer = client.request("GET", path)
    elapsed = time.perf_counter() - started
    assert answer.status == 200, (path, answer.status)
    return elapsed


@pytest.fixture
def served(tmp_path):
    def serve(*, front: bool, workers: int = 2) -> ProductionServer:
        server = ProductionServer(
            database_url=f"sqlite:///{tmp_path / 'db.sqlite3'}",
            workdir=tmp_path,
            log_path=tmp_path / "server.log",
            env={**UNTHROTTLED, "WEB_CONCURRENCY": str(workers)},
            front=front,
        )
        servers.append(server)
        server.start()
        return server

    servers: list[ProductionServer] = []
    yield serve
    for server in servers:
        server.stop()


def owner_with_tasks(url: str) -> Client:
    client = Client(url)
    answer = client.request(
        "POST",
        "/api/auth/register/",
        {"email": "owner@example.org", "password": "Slow-clients-2026!"},
    )
    assert answer.status == 201
    client.token = answer.body["access"]
    for n in range(20):
        assert client.request("POST", "/api/tasks/", {"title": f"task {n}"}).status == 201
    return client


def test_slow_and_idle_connections_do_not_delay_other_clients(served):
    server = served(front=True)
    owner = owner_with_tasks(server.url)
    anonymous = Client(server.url)

    slow = SlowClients(server.url, SLOW_CONNECTIONS)
    try:
        time.sleep(1)  # every slow connection is in, and trickling
        health = [timed(anonymous, "/health/") for _ in range(MEASURED_REQUESTS)]
        tasks = [timed(owner, "/api/tasks/") for _ in range(MEASURED_REQUESTS)]
        open_at_the_end = slow.still_open()
    finally:
        slow.close()

    for latencies in (health, tasks):
        p99 = statistics.quantiles(latencies, n=100)[98]
        assert p99 < P99_LIMIT_SECONDS, latencies
    # They were held open all along, not turned away.
    assert open_at_the_end >= SLOW_CONNECTIONS * 0.95


def test_without_the_front_a_few_slow_clients_stall_every_worker(served):
    # What the front is for: gunicorn alone, with two workers, waits on two
    # clients that send their headers slowly, and nobody else gets an answer.
    server = served(front=False)
    slow = SlowClients(server.url, 8)  # two of each kind: two trickle headers...
    try:
        time.sleep(1)
        answer = Client(server.url, timeout=2).request("GET", "/health/")
    finally:
        slow.close()

    assert answer.status == 0  # no answer within 2 s


# --- What the application is told about the client ----------------------------


def post_from(url: str, source: str, path: str, body: dict, headers: dict | None = None):
    """POST from a loopback address of our choice (Linux routes all of 127/8 to lo)."""
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10, source_address=(source, 0))
    try:
        conn.request(
            "POST",
            path,
            body=json.dumps(body),
            headers={"Content-Type": "application/json", **(headers or {})},
        )
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def front(tmp_path_factory):
    """One server for the tests below, behind nginx; failed logins lock out after 3."""
    workdir = tmp_path_factory.mktemp("front")
    server = ProductionServer(
        database_url=f"sqlite:///{workdir / 'db.sqlite3'}",
        workdir=workdir,
        log_path=workdir / "server.log",
        env={**UNTHROTTLED, "LOCKOUT_EMAIL_ADDRESS_FAILURES": "3"},
    )
    server.start()
    yield server
    server.stop()


def test_failed_logins_are_counted_per_real_client_address(front):
    owner = owner_with_tasks(front.url)
    credentials = {"email": "owner@example.org", "password": "Slow-clients-2026!"}
    wrong = {**credentials, "password": "a wrong guess"}
    # Headers claiming other addresses change nothing: nginx overwrites them.
    for n in range(3):
        forged = {"X-Real-IP": f"198.51.100.{n}", "X-Forwarded-For": f"198.51.100.{n}"}
        status, _, _ = post_from(front.url, "127.0.0.1", "/api/auth/login/", wrong, forged)
        assert status == 401
    locked, headers, _ = post_from(front.url, "127.0.0.1", "/api/auth/login/", credentials)
    assert locked == 429
    assert int(headers["Retry-After"]) > 0
    # The owner, from an address that has not been failing, logs in.
    status, _, _ = post_from(front.url, "127.0.0.2", "/api/auth/login/", credentials)
    assert status == 200

    # A scheme claimed by the client is not believed either.
    status, headers, _ = post_from(
        front.url,
        "127.0.0.1",
        "/api/tasks/",
        {"title": "t"},
        {"Authorization": f"Bearer {owner.token}", "X-Forwarded-Proto": "https"},
    )
    assert status == 201
    assert headers["Location"].startswith("http://")


def raw_request(url: str, data: bytes) -> tuple[int, dict, dict]:
    """Send bytes as they are; the status, headers and JSON body of the answer."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(data)
        # Read by Content-Length: nginx may reset the connection once it has
        # answered a request whose body it will not read.
        response = http.client.HTTPResponse(sock)
        response.begin()
        return response.status, dict(response.getheaders()), json.loads(response.read())


@pytest.mark.parametrize(
    ("request_bytes", "status", "code"),
    [
        # nginx refuses TRACE itself; the application answers, with the path's Allow.
        (b"TRACE /health/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", 405, None),
        (
            b"POST /api/auth/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            b"Content-Type: application/json\r\nContent-Length: 5000000\r\n\r\n",
            413,
            "request_too_large",
        ),
        (b"GET /health/ HTTP/1.1\r\nHost: 127.0.0.1\r\nBroken header\r\n\r\n", 400, "bad_request"),
    ],
    ids=["trace", "body far too large", "malformed"],
)
def test_what_nginx_answers_itself_is_a_problem_too(front, request_bytes, status, code):
    answered, headers, body = raw_request(front.url, request_bytes)

    assert answered == status
    assert headers["Content-Type"] == "application/problem+json"
    assert body["status"] == status
    if status == 405:
        assert body["code"] == "method_not_allowed"
        assert headers["Allow"] == "GET, HEAD, OPTIONS"
    else:
        assert body["code"] == code
