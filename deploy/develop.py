"""`make run`: the development server and the worker side by side, stopped together.

The worker (Huey's consumer, `manage.py run_huey`) delivers reminders; the
development server alone would leave them pending. Either exiting stops the
other, and Ctrl-C (or SIGTERM) stops both.
"""

import os
import signal
import subprocess
import sys
import time

from deploy.serve import PROJECT_DIR, run_until_stopped, stop_on_signals

STOP_WAIT_SECONDS = 10


def start(*args: str) -> subprocess.Popen:
    # A session of its own: runserver's autoreloader runs the server in a
    # child, which must stop with it (stop signals the whole group).
    return subprocess.Popen(
        [sys.executable, "manage.py", *args], cwd=PROJECT_DIR, start_new_session=True
    )


def stop(processes: dict[str, subprocess.Popen]) -> None:
    for process in processes.values():
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_WAIT_SECONDS
    for process in processes.values():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def main(argv: list[str]) -> int:
    address = argv[0] if argv else "127.0.0.1:8000"
    stopping = stop_on_signals()
    processes: dict[str, subprocess.Popen] = {}
    try:
        processes["worker"] = start("run_huey")
        processes["runserver"] = start("runserver", address)
        return run_until_stopped(processes, stopping, "deploy.develop")
    finally:
        stop(processes)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
