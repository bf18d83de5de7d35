"""A real Better Auth server (harness/better_auth/server.mjs, on the machine's Node.js), and
a front end's calls to it: sign up, sign in, get a token, rotate its keys.

`make better-auth-deps` (run by `make test`) installs its npm packages from
the committed lock file. Loopback only.
"""

import http.cookiejar
import json
import os
import secrets
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

from harness.server import free_port

SERVER_DIR = Path(__file__).resolve().parent / "better_auth"
READY_TIMEOUT_SECONDS = 30


class BetterAuthServer:
    def __init__(self):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> "BetterAuthServer":
        node = shutil.which("node")
        if node is None or not (SERVER_DIR / "node_modules" / "better-auth").is_dir():
            raise RuntimeError("Node.js and `make better-auth-deps` are needed for Better Auth.")
        env = {
            **os.environ,
            "PORT": str(self.port),
            "BETTER_AUTH_SECRET": secrets.token_urlsafe(32),
            "BETTER_AUTH_TELEMETRY": "0",
        }
        self.process = subprocess.Popen(  # noqa: S603 - our own script, on loopback
            [node, "server.mjs"],
            cwd=SERVER_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if line.strip() == "ready":
                return self
            if not line and self.process.poll() is not None:
                break
        self.stop()
        raise RuntimeError("The Better Auth server did not start.")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def rotate_keys(self) -> None:
        """Retire the signing key: the next token is signed with a new one (server.mjs)."""
        FrontEnd(self).call("POST", "/test/rotate-keys")


class FrontEnd:
    """A browser session with the Better Auth server, as a Next.js front end holds it."""

    def __init__(self, server: BetterAuthServer):
        self.server = server
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}), urllib.request.HTTPCookieProcessor(self.cookies)
        )

    def call(self, method: str, path: str, body: dict | None = None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(  # noqa: S310 - loopback
            self.server.url + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json", "Origin": self.server.url},
        )
        with self.opener.open(request, timeout=10) as response:
            raw = response.read()
        return json.loads(raw) if raw else None

    def sign_up(self, email: str, password: str, name: str) -> dict:
        """Create the account (and its session); the user Better Auth answers with."""
        body = {"email": email, "password": password, "name": name}
        return self.call("POST", "/api/auth/sign-up/email", body)["user"]

    def sign_in(self, email: str, password: str) -> dict:
        body = {"email": email, "password": password}
        return self.call("POST", "/api/auth/sign-in/email", body)["user"]

    def token(self) -> str:
        """A JWT for the session, from the jwt() plugin's /api/auth/token."""
        return self.call("GET", "/api/auth/token")["token"]
