"""One measurement: wrk against one server with one script, and the CPU it all used.

wrk runs with a single thread, so it takes at most one core, and reports
its own CPU time: the load generator's share of the machine is printed
beside every figure, as is the application's and PostgreSQL's.
"""

import json
import os
import resource
import shutil
import statistics
import subprocess
import time
from pathlib import Path

from bench.processes import machine_busy_seconds, tree_cpu_seconds

SCRIPTS = Path(__file__).resolve().parent / "wrk"
RESULT_MARK = "BENCH_RESULT "
TIMEOUT_SECONDS = 10


def machine_busy_share(seconds: float) -> float:
    """How busy the machine's cores are over the next `seconds`, 0 to 1."""
    busy_before, total_before = machine_busy_seconds()
    time.sleep(seconds)
    busy_after, total_after = machine_busy_seconds()
    return (busy_after - busy_before) / max(total_after - total_before, 1e-9)


def wrk_path() -> str:
    path = shutil.which("wrk")
    if path is None:
        raise SystemExit("wrk is not installed: run `make bench-deps` (Debian's wrk package).")
    return path


def run_wrk(
    url: str,
    script: str,
    args: tuple[str, ...],
    *,
    connections: int,
    seconds: float,
    app_pid: int,
    database_pid: int,
) -> dict:
    command = [
        wrk_path(),
        "--threads=1",
        f"--connections={connections}",
        f"--duration={seconds:g}s",
        f"--timeout={TIMEOUT_SECONDS}s",
        f"--script={SCRIPTS / script}",
        url,
        "--",
        *args,
    ]
    cpu_before = tree_cpu_seconds([app_pid, database_pid])
    busy_before, total_before = machine_busy_seconds()
    # wrk is the only child this process reaps while it runs, so the change
    # in the reaped children's CPU time is wrk's.
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    finished = subprocess.run(command, capture_output=True, text=True, check=False)
    wall = time.monotonic() - started
    children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy_after, total_after = machine_busy_seconds()
    cpu_after = tree_cpu_seconds([app_pid, database_pid])

    lines = [line for line in finished.stdout.splitlines() if line.startswith(RESULT_MARK)]
    if finished.returncode != 0 or not lines:
        raise RuntimeError(
            f"wrk failed ({finished.returncode}): {' '.join(command)}\n"
            f"{finished.stdout}{finished.stderr}"
        )
    raw = json.loads(lines[0].removeprefix(RESULT_MARK))
    capacity = wall * os.cpu_count()
    wrk_cpu = (children_after.ru_utime + children_after.ru_stime) - (
        children_before.ru_utime + children_before.ru_stime
    )
    errors = raw["errors"]
    share = {
        "wrk": wrk_cpu / capacity,
        "app": (cpu_after[app_pid] - cpu_before[app_pid]) / capacity,
        "postgres": (cpu_after[database_pid] - cpu_before[database_pid]) / capacity,
        "machine": (busy_after - busy_before) / max(total_after - total_before, 1e-9),
    }
    # Whatever else kept the machine busy: other programs compete for the cores.
    share["other"] = max(0.0, share["machine"] - share["wrk"] - share["app"] - share["postgres"])
    completed = max(raw["requests"], 1)
    return {
        "wall_s": wall,
        "requests": raw["requests"],
        "rps": raw["requests"] / (raw["duration_us"] / 1e6),
        "p50_ms": raw["p50_us"] / 1000,
        "p90_ms": raw["p90_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "mean_ms": raw["mean_us"] / 1000,
        "max_ms": raw["max_us"] / 1000,
        # Answers with a status of 400 or more, and failed connections or reads.
        "http_errors": errors["status"],
        "socket_errors": errors["connect"] + errors["read"] + errors["write"] + errors["timeout"],
        "cpu_share": share,
        # CPU time per request hardly depends on what else runs on the machine,
        # so it compares the two servers even when the cores are shared.
        "app_cpu_ms_per_request": share["app"] * capacity * 1000 / completed,
        "postgres_cpu_ms_per_request": share["postgres"] * capacity * 1000 / completed,
    }


def combine(slices: list[dict]) -> dict:
    """One measurement from the slices of one server, run alternately with the other's.

    Counts, times and CPU add up, so req/s and CPU per request are exact;
    a latency percentile is the median of the slices' (wrk gives no samples).
    """
    total_wall = sum(part["wall_s"] for part in slices)
    requests = sum(part["requests"] for part in slices)
    completed = max(requests, 1)
    share = {
        name: sum(part["cpu_share"][name] * part["wall_s"] for part in slices) / total_wall
        for name in slices[0]["cpu_share"]
    }
    capacity = total_wall * os.cpu_count()
    return {
        "wall_s": total_wall,
        "requests": requests,
        "rps": requests / sum(part["requests"] / part["rps"] for part in slices if part["rps"]),
        **{
            name: statistics.median(part[name] for part in slices)
            for name in ("p50_ms", "p90_ms", "p99_ms")
        },
        "mean_ms": sum(part["mean_ms"] * part["requests"] for part in slices) / completed,
        "max_ms": max(part["max_ms"] for part in slices),
        "http_errors": sum(part["http_errors"] for part in slices),
        "socket_errors": sum(part["socket_errors"] for part in slices),
        "cpu_share": share,
        "app_cpu_ms_per_request": share["app"] * capacity * 1000 / completed,
        "postgres_cpu_ms_per_request": share["postgres"] * capacity * 1000 / completed,
        "slices": len(slices),
    }
