"""The application served the production way: release commands, then nginx in
front of gunicorn, as `make serve` runs them (deploy/serve.py). With
`front=False`, gunicorn alone on the port (to show what the front is for).

Used by the browser tests, the fault test, the soak test and the benchmark.
Settings are production ones (DEBUG off, secure cookies, HSTS) except that the
server speaks plain HTTP on loopback, so SECURE_SSL_REDIRECT is off.
"""

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
READY_TIMEOUT_SECONDS = 30
# Loopback only: an HTTP(S)_PROXY in the environment must not be used.
LOOPBACK = urllib.request.build_opener(urllib.request.ProxyHandler({}))
STOP_TIMEOUT_SECONDS = 30


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ProductionServer:
    def __init__(
        self,
        *,
        database_url: str,
        workdir: Path,
        log_path: Path,
        env: dict | None = None,
        front: bool = True,
    ):
        port = free_port()
        self.front = front
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = log_path
        self.process: subprocess.Popen | None = None
        self.env = {
            **os.environ,
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "false",
            "DATABASE_URL": database_url,
            "WEB_CONCURRENCY": "2",
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            # A developer's .env must not change what is being tested.
            "ENV_FILE": str(workdir / "absent.env"),
        }
        # A value of None removes the variable (e.g. WEB_CONCURRENCY, for the
        # worker count gunicorn.conf.py gives production).
        for name, value in (env or {}).items():
            if value is None:
                self.env.pop(name, None)
            else:
                self.env[name] = value

    def manage(self, *args: str, env: dict[str, str] | None = None) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=PROJECT_DIR,
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"manage.py {' '.join(args)} exited {result.returncode}:\n"
                f"{result.stdout}{result.stderr}"
            )
        return result.stdout

    def start(self) -> None:
        self.manage("migrate", "--noinput")
        # The database cache holding the authentication throttles is not a
        # model, so migrate does not create its table.
        self.manage("createcachetable")
        self.manage("collectstatic", "--noinput")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.serve()

    def serve(self, *gunicorn_args: str) -> None:
        """Start serving (gunicorn, behind nginx if `front`) and wait until ready."""
        if self.front:
            # deploy.serve listens on GUNICORN_BIND and gives gunicorn a socket.
            command = [sys.executable, "-m", "deploy.serve", *gunicorn_args]
        else:
            command = [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py"]
            command += gunicorn_args
        with self.log_path.open("w") as log:
            self.process = subprocess.Popen(
                command, cwd=PROJECT_DIR, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        self.wait_until_ready()

    def wait_until_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited {self.process.returncode}:\n{self.log()}")
            try:
                with LOOPBACK.open(f"{self.url}/health/ready/", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:  # refused, timed out, or 503 (HTTPError) while starting
                pass
            time.sleep(0.2)
        raise RuntimeError(
            f"{self.url}/health/ready/ not ready after {READY_TIMEOUT_SECONDS} s:\n{self.log()}"
        )

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()  # a graceful shutdown, gunicorn's or deploy.serve's
        try:
            self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def log(self) -> str:
        return self.log_path.read_text() if self.log_path.exists() else ""


def start_worker(env: dict, log_path: Path, threads: int = 2) -> subprocess.Popen:
    """A worker as `make worker` starts it (Huey's consumer, delivering reminders),
    with `env` (a server's, and the mail server's address); its output in log_path."""
    with log_path.open("w") as log:
        return subprocess.Popen(
            [sys.executable, "manage.py", "run_huey", "--workers", str(threads)],
            cwd=PROJECT_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
