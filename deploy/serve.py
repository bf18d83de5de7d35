"""Production serving: nginx in front, gunicorn behind it (`make serve`).

    python -m deploy.serve [--bind HOST:PORT] [gunicorn arguments...]

nginx listens on the public address and buffers every request and answer
(deploy/nginx.conf says why); gunicorn, with gunicorn.conf.py, listens on a
Unix socket that only nginx uses. This process starts both, stops both on
SIGTERM or SIGINT (gracefully: nginx finishes its answers, gunicorn its
requests), and stops the other and exits non-zero when either exits on its
own, so a supervisor (systemd, a container runtime) sees one service.

The socket, nginx's pid and temporary files live in a directory of its own,
removed at exit, so several servers can run side by side (the tests and the
benchmark do).
"""

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).with_name("nginx.conf")
SOCKET_WAIT_SECONDS = 30
STOP_WAIT_SECONDS = 35  # gunicorn's graceful timeout, and a little more


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


def nginx_binary() -> str:
    # Debian installs it in /usr/sbin, which is not on every user's PATH.
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    if found is None:
        sys.exit("deploy.serve: nginx is not installed (make serve installs Debian's package).")
    return found


def nginx_config(*, listen: str, run_dir: Path, socket: Path) -> str:
    # The application refuses bodies over its limit with its own 413; nginx
    # lets a little more through, so that it is the one answering.
    body_limit = env_int("REQUEST_BODY_MAX_BYTES", 256 * 1024)
    values = {
        "@LISTEN@": listen,
        "@RUN_DIR@": str(run_dir),
        "@SOCKET@": str(socket),
        "@BODY_LIMIT@": str(max(4 * body_limit, 1024 * 1024)),
        "@BODY_LIMIT_KIB@": str(body_limit // 1024),
        "@READ_TIMEOUT@": str(env_int("GUNICORN_TIMEOUT", 30) + 5),
        # Started by root, nginx's workers would run as root: they take an
        # unprivileged user instead (which must reach the socket and run dir).
        "@USER@": "user nobody nogroup;" if os.geteuid() == 0 else "",
    }
    text = TEMPLATE.read_text()
    for name, value in values.items():
        text = text.replace(name, value)
    return text


def wait_for(path: Path, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + SOCKET_WAIT_SECONDS
    while not path.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            sys.exit(f"deploy.serve: gunicorn did not open {path}.")
        time.sleep(0.05)


def stop(processes: dict[str, subprocess.Popen]) -> None:
    for name, process in processes.items():
        if process.poll() is None:
            # SIGQUIT is nginx's graceful shutdown, SIGTERM gunicorn's.
            process.send_signal(signal.SIGQUIT if name == "nginx" else signal.SIGTERM)
    deadline = time.monotonic() + STOP_WAIT_SECONDS
    for process in processes.values():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def stop_on_signals():
    """From now on, SIGTERM and SIGINT (Ctrl-C) ask to stop; a function saying whether
    one came."""
    received = []

    def on_signal(signum, frame):
        received.append(signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    return lambda: bool(received)


def run_until_stopped(processes: dict[str, subprocess.Popen], stopping, launcher: str) -> int:
    """Wait until `stopping()` (a signal came: 0) or one of the processes exits (1,
    said on stderr, for the supervisor to restart them)."""
    while not stopping() and all(p.poll() is None for p in processes.values()):
        time.sleep(0.2)
    if stopping():
        return 0
    exited = [name for name, p in processes.items() if p.poll() is not None]
    print(f"{launcher}: {', '.join(exited)} exited; stopping.", file=sys.stderr)
    return 1


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--bind",
        default=os.environ.get("GUNICORN_BIND") or "127.0.0.1:8000",
        help="the public address, HOST:PORT (default: GUNICORN_BIND, else 127.0.0.1:8000)",
    )
    args, gunicorn_args = parser.parse_known_args(argv)

    run_dir = Path(tempfile.mkdtemp(prefix="todo-serve-"))
    socket = run_dir / "gunicorn.sock"
    config = run_dir / "nginx.conf"
    if os.geteuid() == 0:
        # nginx's workers (nobody) reach the socket through it; nothing in it is secret.
        os.chmod(run_dir, 0o755)  # noqa: S103
    config.write_text(nginx_config(listen=args.bind, run_dir=run_dir, socket=socket))

    env = {
        **os.environ,
        "GUNICORN_BIND": f"unix:{socket}",
        # Behind nginx, the client's address is the header nginx overwrites.
        "CLIENT_IP_HEADER": os.environ.get("CLIENT_IP_HEADER") or "X-Real-IP",
    }
    processes: dict[str, subprocess.Popen] = {}
    stopping = stop_on_signals()
    try:
        processes["gunicorn"] = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", *gunicorn_args],
            cwd=PROJECT_DIR,
            env=env,
        )
        wait_for(socket, processes["gunicorn"])
        processes["nginx"] = subprocess.Popen(
            [nginx_binary(), "-e", "stderr", "-p", str(run_dir), "-c", str(config)]
        )
        return run_until_stopped(processes, stopping, "deploy.serve")
    finally:
        stop(processes)
        shutil.rmtree(run_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
