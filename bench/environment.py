"""The machine and the software versions a benchmark ran on, for its report."""

import os
import platform
import subprocess
from importlib.metadata import version
from pathlib import Path

import psycopg

from bench.loadgen import wrk_path
from deploy.serve import nginx_binary

PACKAGES = {
    "Django": "Django",
    "DRF": "djangorestframework",
    "simplejwt": "djangorestframework-simplejwt",
    "django-filter": "django-filter",
    "psycopg": "psycopg",
    "gunicorn": "gunicorn",
    "PyJWT": "PyJWT",
    "orjson": "orjson",
    "argon2-cffi": "argon2-cffi",
}


def machine() -> dict:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.partition(":")[2].strip()
            break
    memory_kib = int(Path("/proc/meminfo").read_text().split()[1])
    system = platform.platform()
    os_release = Path("/etc/os-release")
    if os_release.exists():
        for line in os_release.read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                system = line.partition("=")[2].strip('"')
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": memory_kib / 1024 / 1024,
        "os": system,
    }


def versions(database_url: str) -> dict[str, str]:
    found = {"Python": platform.python_version()}
    found.update({label: version(package) for label, package in PACKAGES.items()})
    libpq = psycopg.pq.version()
    found["libpq"] = f"{libpq // 10000}.{libpq % 100}"
    with psycopg.connect(database_url) as conn:
        found["PostgreSQL"] = conn.execute("SHOW server_version").fetchone()[0].split()[0]
    # `wrk -v` prints its version and usage, and exits 1.
    banner = subprocess.run([wrk_path(), "-v"], capture_output=True, text=True, check=False)
    found["wrk"] = (banner.stdout + banner.stderr).split()[1]
    # `nginx -v` prints "nginx version: nginx/1.22.1" on stderr.
    banner = subprocess.run([nginx_binary(), "-v"], capture_output=True, text=True, check=False)
    found["nginx"] = banner.stderr.strip().rpartition("/")[2]
    return found
