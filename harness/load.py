"""What the fault and soak tests share: a PostgreSQL database of their own and HTTP clients.

Clients speak HTTP/1.1 with keep-alive over loopback, one connection per
thread, and never raise for an HTTP status: a load test counts answers, it
does not stop at the first refusal.
"""

import http.client
import json
import subprocess
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

import psycopg

DEFAULT_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
# Many users registering from one address, then thousands of requests each (or
# a fuzzer's thousands of wrong passwords): limits that would turn a load test
# into a throttling test are lifted.
UNTHROTTLED = {
    "THROTTLE_REGISTER_RATE": "1000000/minute",
    "THROTTLE_LOGIN_RATE": "1000000/minute",
    "THROTTLE_TASKS_RATE": "1000000/minute",
    "THROTTLE_ACCOUNT_RATE": "1000000/minute",
    # Wrong passwords by the thousand, from one address.
    "LOCKOUT_EMAIL_ADDRESS_FAILURES": "1000000",
    "LOCKOUT_ADDRESS_FAILURES": "1000000",
    "LOCKOUT_EMAIL_FAILURES": "1000000",
}


def fresh_database(name: str, admin_url: str = DEFAULT_ADMIN_URL) -> str:
    """Drop and create database `name`; its URL."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(admin_url)
    return parts._replace(path=f"/{name}").geturl()


def postgres_cluster(action: str) -> None:
    """Start or stop the local PostgreSQL cluster (Debian's pg_ctlcluster, run as root).

    Does nothing if the cluster is already in the state asked for.
    """
    version, cluster, _port, status = subprocess.run(
        ["/usr/bin/pg_lsclusters", "--no-header"], capture_output=True, text=True, check=True
    ).stdout.split()[:4]
    if (status == "online") == (action == "start"):
        return
    extra = ["-m", "fast"] if action == "stop" else []
    subprocess.run(
        ["/usr/bin/pg_ctlcluster", "--skip-systemctl-redirect", version, cluster, action, *extra],
        check=True,
        capture_output=True,
    )


@dataclass
class Answer:
    status: int  # 0: no answer (connection refused, reset or timed out)
    body: object
    headers: dict


class Client:
    def __init__(self, base_url: str, timeout: float = 10):
        parts = urlsplit(base_url)
        self.host, self.port, self.timeout = parts.hostname, parts.port, timeout
        self.token: str | None = None
        self.conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body=None, headers: dict | None = None) -> Answer:
        all_headers = {"Accept": "application/json", **(headers or {})}
        payload = None
        if body is not None:
            payload = json.dumps(body)
            all_headers["Content-Type"] = "application/json"
        if self.token:
            all_headers["Authorization"] = f"Bearer {self.token}"
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            self.conn.request(method, path, body=payload, headers=all_headers)
            response = self.conn.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException):
            self.close()
            return Answer(0, None, {})
        if response.getheader("Connection", "").lower() == "close":
            self.close()
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = raw.decode(errors="replace")
        return Answer(response.status, parsed, {k.lower(): v for k, v in response.getheaders()})

    def register(self, prefix: str) -> dict:
        email = f"{prefix}-{uuid.uuid4().hex[:12]}@example.org"
        body = {"email": email, "password": "load-test-passphrase", "name": prefix}
        answer = self.request("POST", "/api/auth/register/", body)
        if answer.status != 201:
            raise RuntimeError(f"registration failed: {answer.status} {answer.body}")
        self.token = answer.body["access"]
        return answer.body["user"]

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None
