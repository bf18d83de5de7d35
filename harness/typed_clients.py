"""Typed clients: generated from the served schema, type-checked, then run against it.

    python -m harness.typed_clients        (make typed-clients, after `npm ci` in clients/)

Serves the application the production way on a fresh SQLite file, takes its
/api/schema/, and:

1. lints it with Redocly's recommended rules (clients/redocly.yaml);
2. generates a Python client (openapi-python-client) and TypeScript types
   (openapi-typescript, used with openapi-fetch) into clients/generated/;
3. type-checks the consumer of each with zero errors allowed: `mypy --strict`
   for clients/consumer.py, `tsc --noEmit` for clients/consumer.ts;
4. runs both consumers against the server (each registers its own user).

Exits non-zero at the first step that fails.
"""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from harness.server import LOOPBACK, PROJECT_DIR, ProductionServer

CLIENTS_DIR = PROJECT_DIR / "clients"
GENERATED_DIR = CLIENTS_DIR / "generated"
SCHEMA_PATH = GENERATED_DIR / "openapi.json"
NODE_BIN = CLIENTS_DIR / "node_modules" / ".bin"
VENV_BIN = Path(sys.executable).parent
ARTIFACTS_DIR = PROJECT_DIR / "artifacts" / "typed-clients"


class StepFailed(Exception):
    pass


def step(title: str, *command: str | Path, env: dict[str, str] | None = None) -> None:
    print(f"== {title}\n$ {' '.join(str(part) for part in command)}", flush=True)
    environment = {
        **os.environ,
        # The generator formats its output with ruff, from this virtualenv.
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        # The server is on loopback, never behind a proxy.
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
        "REDOCLY_TELEMETRY": "off",
        "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true",
        **(env or {}),
    }
    result = subprocess.run([str(part) for part in command], cwd=PROJECT_DIR, env=environment)
    if result.returncode != 0:
        raise StepFailed(f"{title}: exited {result.returncode}")


def save_schema(server_url: str) -> None:
    with LOOPBACK.open(f"{server_url}/api/schema/?format=json", timeout=30) as response:
        SCHEMA_PATH.write_bytes(response.read())


def check_and_run(server_url: str) -> None:
    shutil.rmtree(GENERATED_DIR, ignore_errors=True)
    GENERATED_DIR.mkdir()
    save_schema(server_url)

    step(
        "Redocly: the recommended rules",
        NODE_BIN / "redocly",
        "lint",
        "--format=stylish",
        "--config",
        CLIENTS_DIR / "redocly.yaml",
        SCHEMA_PATH,
    )

    step(
        "Python client (openapi-python-client)",
        VENV_BIN / "openapi-python-client",
        "generate",
        "--path",
        SCHEMA_PATH,
        "--output-path",
        GENERATED_DIR / "todo_api_client",
        "--meta",
        "none",
        "--config",
        CLIENTS_DIR / "openapi-python-client.yaml",
    )
    python_env = {"MYPYPATH": str(GENERATED_DIR), "PYTHONPATH": str(GENERATED_DIR)}
    step(
        "mypy --strict on the Python consumer",
        VENV_BIN / "mypy",
        "--config-file",
        CLIENTS_DIR / "mypy.ini",
        "--cache-dir",
        GENERATED_DIR / ".mypy_cache",
        CLIENTS_DIR / "consumer.py",
        env=python_env,
    )

    step(
        "TypeScript types (openapi-typescript)",
        NODE_BIN / "openapi-typescript",
        SCHEMA_PATH,
        "--output",
        GENERATED_DIR / "schema.d.ts",
    )
    tsconfig = CLIENTS_DIR / "tsconfig.json"
    step("tsc --noEmit on the TypeScript consumer", NODE_BIN / "tsc", "--noEmit", "-p", tsconfig)
    step("compile the TypeScript consumer", NODE_BIN / "tsc", "-p", tsconfig)

    step(
        "the Python consumer against the server",
        sys.executable,
        CLIENTS_DIR / "consumer.py",
        server_url,
        env=python_env,
    )
    step(
        "the TypeScript consumer against the server",
        "node",
        GENERATED_DIR / "js" / "consumer.js",
        server_url,
    )


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="typed-clients-") as workdir:
        workdir = Path(workdir)
        server = ProductionServer(
            database_url=f"sqlite:///{workdir / 'db.sqlite3'}",
            workdir=workdir,
            log_path=ARTIFACTS_DIR / "server.log",
        )
        try:
            server.start()
            check_and_run(server.url)
        except StepFailed as failure:
            print(f"typed clients: {failure}", file=sys.stderr)
            return 1
        finally:
            server.stop()
    print("typed clients: schema lint, generation, type checks and both consumers: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
