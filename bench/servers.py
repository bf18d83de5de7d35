"""The two servers measured: the API and the floor, under the same gunicorn settings."""

from pathlib import Path

from bench.processes import children, memory_kib
from harness.server import ProductionServer


class FloorServer(ProductionServer):
    """bench.floor served by gunicorn with the checked-in gunicorn.conf.py.

    Only the application differs (given on the command line, which wins over
    the file's wsgi_app); workers, timeouts, recycling and logging are the
    API's. The schema comes from the API's migrations, run beforehand.
    """

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.serve("bench.floor:application")


def gunicorn_master(server: ProductionServer) -> int:
    """The gunicorn master's pid: the process started, or its child behind nginx."""
    if not server.front:
        return server.process.pid
    for pid in children(server.process.pid):
        if b"gunicorn" in Path(f"/proc/{pid}/cmdline").read_bytes():
            return pid
    raise RuntimeError("gunicorn is not running behind nginx")


def worker_memory(server: ProductionServer) -> list[dict]:
    """Memory of each gunicorn worker (the master's children) right now."""
    workers = []
    for pid in children(gunicorn_master(server)):
        try:
            workers.append({"pid": pid, **memory_kib(pid)})
        except OSError:
            continue  # recycled while we looked
    return workers


def workers_booted(server: ProductionServer) -> int:
    """Workers started so far: the first ones and every replacement (max_requests)."""
    return server.log().count("Booting worker with pid")
