"""Schema-based fuzzing: Schemathesis against the application served the production way.

    python -m harness.fuzz            # `make fuzz`; extra arguments go to `st run`

The server runs on a fresh SQLite file, or on the PostgreSQL database
FUZZ_DATABASE_URL names. A user is registered through the API and
Schemathesis (configured in harness/schemathesis.toml: every check, every
phase including the stateful one, fixed seed and example budget) runs
against the server's own /api/schema/ as that user. The exit status is
Schemathesis's: non-zero on any failure.

The fuzzing user's password is a random secret that only this script
knows, so the generated requests can never delete that account or change
its password (they get the documented 400, like any wrong password); the
stateful phase exercises those operations to success on accounts it
registers itself, through the links in the schema. The access token
outlives the run (15 minutes), and a run takes about two.
"""

import json
import os
import secrets
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

from harness.server import LOOPBACK, PROJECT_DIR, ProductionServer

CONFIG = Path(__file__).resolve().parent / "schemathesis.toml"
ARTIFACTS_DIR = PROJECT_DIR / "artifacts" / "fuzz"
# Far above what the run sends: the limits are tested by the suite, and a
# 429 here would only hide what the fuzzer is looking for.
UNTHROTTLED = {
    f"THROTTLE_{scope}_RATE": "1000000/minute"
    for scope in ("LOGIN", "REGISTER", "REFRESH", "PASSWORD", "TASKS")
}


def post_json(url: str, body: dict) -> dict:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with LOOPBACK.open(request, timeout=10) as response:
            return json.load(response)
    except urllib.error.HTTPError as exc:
        raise RuntimeError(f"POST {url} answered {exc.code}: {exc.read().decode()}") from exc


def register_user(server_url: str) -> dict:
    """A fresh account; its email carries a random run id so a shared database can be reused."""
    return post_json(
        f"{server_url}/api/auth/register/",
        {
            "email": f"fuzz-{secrets.token_hex(6)}@example.org",
            "password": secrets.token_urlsafe(24),
            "name": "Schemathesis",
        },
    )


def run_schemathesis(server_url: str, account: dict, extra_args: list[str]) -> int:
    env = {
        **os.environ,
        "FUZZ_ACCESS_TOKEN": account["access"],
        "FUZZ_USER_ID": account["user"]["id"],
        "FUZZ_REPORT_DIR": str(ARTIFACTS_DIR / "report"),
    }
    command = [
        str(Path(sys.executable).with_name("st")),
        "--config-file",
        str(CONFIG),
        "run",
        f"{server_url}/api/schema/",
        *extra_args,
    ]
    print("$", " ".join(command), flush=True)
    return subprocess.run(command, cwd=PROJECT_DIR, env=env, check=False).returncode


def main(extra_args: list[str]) -> int:
    with tempfile.TemporaryDirectory(prefix="fuzz-") as workdir:
        workdir = Path(workdir)
        database_url = os.environ.get("FUZZ_DATABASE_URL") or f"sqlite:///{workdir / 'db.sqlite3'}"
        server = ProductionServer(
            database_url=database_url,
            workdir=workdir,
            log_path=ARTIFACTS_DIR / "server.log",
            env=UNTHROTTLED,
        )
        try:
            server.start()
            account = register_user(server.url)
            return run_schemathesis(server.url, account, extra_args)
        finally:
            server.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
