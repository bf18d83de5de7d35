"""Schema-based fuzzing: Schemathesis against the application served the production way.

    python -m harness.fuzz            # `make fuzz`; extra arguments go to `st run`

The server runs on a fresh SQLite file, or on the PostgreSQL database
FUZZ_DATABASE_URL names. A user is registered through the API and
Schemathesis (configured in harness/schemathesis.toml: every check, every
phase including the stateful one, fixed seed and example budget) runs
against the server's own /api/schema/ as that user. The exit status is
Schemathesis's: non-zero on any failure.

The fuzzing user's password is a random secret that Schemathesis is never
given, so no generated request can delete that account or change its
password (those get the documented 400 for a wrong password), and its
tokens stay valid: harness/fuzz_auth.py sends the access token and renews
it with the refresh token. Changing its email (PATCH /api/auth/me/) is
harmless. Throttle rates are raised out of the way; the suite tests them.
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

from harness.load import UNTHROTTLED
from harness.server import LOOPBACK, PROJECT_DIR, ProductionServer

CONFIG = Path(__file__).resolve().parent / "schemathesis.toml"
ARTIFACTS_DIR = PROJECT_DIR / "artifacts" / "fuzz"


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
        "FUZZ_REFRESH_TOKEN": account["refresh"],
        "FUZZ_USER_ID": account["user"]["id"],
        "FUZZ_REPORT_DIR": str(ARTIFACTS_DIR / "report"),
        "HYPOTHESIS_STORAGE_DIRECTORY": str(ARTIFACTS_DIR / "hypothesis"),
        # Every request goes to the server on loopback, never through a proxy.
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
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
            # Far above what a run sends: a 429 would only hide what is looked for.
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
