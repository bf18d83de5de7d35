"""Performance benchmark: the API served the production way, against a hand-written floor.

    python -m bench.run [--quick]        (make bench, make bench-quick)

Seeds a fresh PostgreSQL database with bulk inserts, copies it for the floor,
starts both servers with gunicorn and gunicorn.conf.py (DEBUG off), and
drives each scenario against one then the other with wrk over loopback.
Both databases are vacuumed before the mixed workload and the growth
queries, so the server that wrote more (the faster one) does not then read
a more cluttered database. Writes bench/results/<mode>.json and <mode>.md
and prints the Markdown.
"""

import argparse
import json
import secrets
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg

from accounts.tests.issuer import LocalIssuer
from bench import dataset, report, scenarios
from bench.environment import machine, versions
from bench.loadgen import combine, machine_busy_share, run_wrk, wrk_path
from bench.processes import postmaster_pid
from bench.servers import FloorServer, worker_memory, workers_booted
from harness.load import DEFAULT_ADMIN_URL, UNTHROTTLED, Client, fresh_database
from harness.server import PROJECT_DIR, ProductionServer

RESULTS_DIR = PROJECT_DIR / "bench" / "results"
LOGS_DIR = RESULTS_DIR / "logs"
DJANGO_DATABASE = "todo_bench"
FLOOR_DATABASE = "todo_bench_floor"
WARM_UP_SECONDS = 1
EXTERNAL_AUDIENCE = "https://front-end.bench.example.org"
BACKGROUND_CHECK_SECONDS = 2


def django_probe(server: ProductionServer, *args: str):
    """Run bench.django_probe with the API's settings; its JSON answer."""
    result = subprocess.run(
        [sys.executable, "-m", "bench.django_probe", *args],
        cwd=PROJECT_DIR,
        env=server.env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"bench.django_probe {args[0]} failed:\n{result.stderr}")
    return json.loads(result.stdout)


class Benchmark:
    def __init__(self, mode: scenarios.Mode, workdir: Path):
        self.mode, self.workdir = mode, workdir
        # An external issuer of EdDSA tokens, its JWKS served from this process.
        self.issuer = LocalIssuer()
        self.issuer_kid = self.issuer.add_key("EdDSA")
        # Both servers share the key, so the tokens made for the API work on the floor.
        self.env = {
            **UNTHROTTLED,
            "SECRET_KEY": secrets.token_urlsafe(50),
            "WEB_CONCURRENCY": None,  # the worker count gunicorn.conf.py gives production
            "JWT_ACCESS_TOKEN_MINUTES": "240",  # outlasts the full run
            "EXTERNAL_JWT_JWKS_URL": self.issuer.jwks_url,
            "EXTERNAL_JWT_ISSUER": dataset.EXTERNAL_ISSUER,
            "EXTERNAL_JWT_AUDIENCE": EXTERNAL_AUDIENCE,
        }
        self.django = ProductionServer(
            database_url=fresh_database(DJANGO_DATABASE),
            workdir=workdir,
            log_path=LOGS_DIR / "django.log",
            env=self.env,
        )
        self.floor: FloorServer | None = None  # on a copy of the seeded database
        # The growth rows' query strings by size: they name the growth user's list.
        self.growth_queries: dict[int, dict[str, str]] = {}

    def servers(self):
        return {"django": self.django, "floor": self.floor}

    def prepare(self) -> tuple[dict[str, Path], dict[str, str]]:
        """Schema, data, tokens, and the floor's copy of the database."""
        self.django.manage("migrate", "--noinput")
        password_hash = django_probe(self.django, "password-hash", scenarios.PASSWORD)
        started = time.monotonic()
        seeded = dataset.seed(
            self.django.env["DATABASE_URL"], scenarios.groups(self.mode), password_hash
        )
        tasks = sum(len(user.task_ids) for users in seeded.values() for user in users)
        print(f"seeded {tasks:,} tasks in {time.monotonic() - started:.1f} s", flush=True)
        today = scenarios.today()
        self.growth_queries = {
            size: scenarios.growth_queries(today, seeded[scenarios.growth_group(size)][0])
            for size in self.mode.sizes
        }
        tokens = django_probe(self.django, "tokens")
        files = scenarios.write_data_files(
            self.workdir, seeded, tokens, self.external_tokens(seeded[scenarios.READERS.name])
        )
        owner_tokens = {
            group: tokens[str(users[0].id)]
            for group, users in seeded.items()
            if group.startswith("owner")
        }
        floor_url = dataset.clone_database(DEFAULT_ADMIN_URL, DJANGO_DATABASE, FLOOR_DATABASE)
        self.floor = FloorServer(
            database_url=floor_url,
            workdir=self.workdir,
            log_path=LOGS_DIR / "floor.log",
            env=self.env,
        )
        return files, owner_tokens

    def external_tokens(self, users) -> dict[str, str]:
        """A token of the external issuer for each user, as a Better Auth front end gets one."""
        lifetime = 4 * 3600  # outlasts the full run
        return {
            str(user.id): self.issuer.token(
                self.issuer_kid,
                sub=str(user.id),
                id=str(user.id),
                iss=dataset.EXTERNAL_ISSUER,
                aud=EXTERNAL_AUDIENCE,
                exp=int(time.time()) + lifetime,
                email=None,
                emailVerified=None,
                name=None,
            )
            for user in users
        }

    def measure(self, side: str, script: str, args: tuple[str, ...], seconds: float) -> dict:
        server = self.servers()[side]
        return run_wrk(
            server.url,
            script,
            args,
            connections=self.mode.connections,
            seconds=seconds,
            app_pid=server.process.pid,
            database_pid=self.database_pid,
        )

    def measure_both(self, script: str, args: tuple[str, ...]) -> dict[str, dict]:
        """Both servers, in alternating slices (ABBA...) that add up to mode.seconds each.

        On a machine whose speed drifts (a shared or virtual one), two long
        runs one after the other compare two different moments; slices
        taken in turn compare the servers under the same conditions.
        """
        sides = list(self.servers())
        slices = {side: [] for side in sides}
        seconds = self.mode.seconds / self.mode.slices
        for number in range(self.mode.slices):
            for side in sides if number % 2 == 0 else reversed(sides):
                slice_args = args
                if script == "delete.lua":
                    # Go on past the last slice's tasks, answered or still in
                    # flight when it stopped (at most one per connection).
                    done = sum(part["requests"] for part in slices[side])
                    in_flight = len(slices[side]) * self.mode.connections
                    slice_args = (*args, str(done + in_flight))
                slices[side].append(self.measure(side, script, slice_args, seconds))
        return {side: combine(parts) for side, parts in slices.items()}

    def run(self) -> dict:
        started_at, started = datetime.now(UTC), time.monotonic()
        files, owner_tokens = self.prepare()
        with psycopg.connect(DEFAULT_ADMIN_URL) as conn:
            self.database_pid = postmaster_pid(conn.execute("SHOW data_directory").fetchone()[0])
        result = {
            "mode": self.mode.name,
            "started_at": started_at.isoformat(timespec="seconds"),
            # Nothing of ours runs yet: whatever keeps the cores busy now competes later.
            "background_busy_share": machine_busy_share(BACKGROUND_CHECK_SECONDS),
        }
        try:
            for server in self.servers().values():
                server.start()
            self.check_same_answers(owner_tokens)
            reader = str(files["reader"])
            for side in self.servers():
                for script in ("list.lua", "retrieve.lua"):
                    self.measure(side, script, (reader, ""), WARM_UP_SECONDS)
            result["scenarios"], result["memory"] = self.run_scenarios(files)
            result["growth"] = self.run_growth(files, owner_tokens)
            result["workers_booted"] = {
                side: workers_booted(server) for side, server in self.servers().items()
            }
            result["settings"] = {
                "seconds": self.mode.seconds,
                "slices": self.mode.slices,
                "connections": self.mode.connections,
                "wrk_threads": 1,
                "workers": len(result["memory"]["django"]),
                "sizes": list(self.mode.sizes),
            }
        finally:
            for server in self.servers().values():
                if server is not None:
                    server.stop()
            self.issuer.close()
        largest = max(self.mode.sizes)
        result["explain"] = django_probe(
            self.django,
            "explain",
            owner_tokens[scenarios.growth_group(largest)],
            *self.growth_queries[largest].values(),
        )
        result["machine"] = machine()
        result["versions"] = versions(self.django.env["DATABASE_URL"])
        result["elapsed_seconds"] = time.monotonic() - started
        result["targets"] = report.targets(result)
        return result

    def run_scenarios(self, files: dict[str, Path]) -> tuple[list[dict], dict]:
        rows, memory = [], {}
        for scenario in scenarios.SCENARIOS:
            if scenario.name == scenarios.MIXED:
                self.settle()  # after the write scenarios, which wrote more to the floor's
            row = {"name": scenario.name, "description": scenario.description}
            args = (str(files[scenario.group]), *scenario.args)
            row.update(self.measure_both(scenario.script, args))
            if scenario.name == scenarios.MIXED:
                memory = {side: worker_memory(server) for side, server in self.servers().items()}
            print(_progress(row), flush=True)
            rows.append(row)
        return rows, memory

    def check_same_answers(self, owner_tokens: dict[str, str]) -> None:
        """The floor must answer what the API answers, or its figures compare nothing.

        Before anything writes, both databases are the same: every read the
        scenarios make must get the same status, body and total from both,
        asked as each growth user (the smallest to the largest), and a
        retrieve of the first task of their list and of their tagged tasks.
        """
        lists = [scenario for scenario in scenarios.SCENARIOS if scenario.script == "list.lua"]
        answers = {side: [] for side in self.servers()}
        for size in self.mode.sizes:
            growth = self.growth_queries[size]
            queries = ["", *(scenario.args[0] for scenario in lists), *growth.values()]
            paths = [f"/api/tasks/?{query}" for query in queries]
            for side, server in self.servers().items():
                client = Client(server.url)
                client.token = owner_tokens[scenarios.growth_group(size)]
                firsts = [
                    client.request("GET", f"/api/tasks/?{query}").body[0]["id"]
                    for query in ("", growth["list filtered by tag"])
                ]
                answers[side] += [
                    (path, answer.status, answer.body, answer.headers.get("x-total-count"))
                    for path in [*paths, *(f"/api/tasks/{first}/" for first in firsts)]
                    for answer in [client.request("GET", path)]
                ]
                client.close()
        for django, floor in zip(answers["django"], answers["floor"], strict=True):
            if django != floor:
                raise RuntimeError(f"the floor answers {django[0]} otherwise:\n{django}\n{floor}")
        print(f"the floor answers the same as the API to {len(answers['django'])} reads")

    def matching(self, token: str, query_string: str) -> int:
        """How many tasks the query matches (X-Total-Count), asked of the floor."""
        client = Client(self.floor.url)
        client.token = token
        answer = client.request("GET", f"/api/tasks/?{query_string}&page_size=1")
        client.close()
        if answer.status != 200:
            raise RuntimeError(f"floor answered {answer.status} to ?{query_string}")
        return int(answer.headers["x-total-count"])

    def settle(self) -> None:
        for server in self.servers().values():
            dataset.settle(server.env["DATABASE_URL"])

    def run_growth(self, files: dict[str, Path], owner_tokens: dict[str, str]) -> list[dict]:
        self.settle()
        rows = []
        for query in self.growth_queries[self.mode.sizes[0]]:
            for size in self.mode.sizes:
                query_string = self.growth_queries[size][query]
                row = {"query": query, "query_string": query_string, "size": size}
                row["matching"] = self.matching(
                    owner_tokens[scenarios.growth_group(size)], query_string
                )
                data = str(files[scenarios.growth_group(size)])
                row.update(self.measure_both("list.lua", (data, query_string)))
                print(_progress({**row, "name": f"{query} @ {size:,}"}), flush=True)
                rows.append(row)
        return rows


def _progress(row: dict) -> str:
    django, floor = row["django"], row["floor"]
    return (
        f"{row['name']:<28} django {django['rps']:7.0f} req/s p50 {django['p50_ms']:6.1f} ms"
        f" | floor {floor['rps']:7.0f} req/s p50 {floor['p50_ms']:6.1f} ms"
        f" | ratio {report.ratio(django['rps'], floor['rps']):.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="3 s per measurement, 100 and 100,000 tasks only"
    )
    args = parser.parse_args()
    wrk_path()  # fail before any setup if wrk is missing
    mode = scenarios.QUICK if args.quick else scenarios.FULL
    with tempfile.TemporaryDirectory(prefix="bench-") as workdir:
        result = Benchmark(mode, Path(workdir)).run()
    json_path, markdown_path = report.write(result, RESULTS_DIR)
    print()
    print(markdown_path.read_text())
    print(
        f"Written: {json_path.relative_to(PROJECT_DIR)}, {markdown_path.relative_to(PROJECT_DIR)}"
    )


if __name__ == "__main__":
    main()
