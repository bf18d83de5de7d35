"""The benchmark's report: targets checked, then written as JSON and as Markdown."""

import json
from pathlib import Path

from bench.scenarios import FLAT_LIMIT, FLAT_QUERIES

RATIO_TARGET = 0.5
RATIO_TARGET_SCENARIOS = ("mixed", "list", "retrieve")
RATIO_FLOOR = 0.35
WORKER_MEMORY_TARGET_MIB = 120
# Busier than this before the benchmark starts, and its figures carry a warning.
BACKGROUND_BUSY_WARNING = 0.15
SIDES = ("django", "floor")


def ratio(django: float, floor: float) -> float:
    return django / floor if floor else float("nan")


def _check(target: str, value: float, met: bool) -> dict:
    return {"target": target, "value": round(value, 2), "met": met}


def targets(report: dict) -> list[dict]:
    """Every target of the issue, with the figure it is judged on."""
    checks = []
    for row in report["scenarios"]:
        value = ratio(row["django"]["rps"], row["floor"]["rps"])
        name = row["name"]
        if name in RATIO_TARGET_SCENARIOS:
            target = f"{name}: req/s at least {RATIO_TARGET} of the floor's"
            checks.append(_check(target, value, value >= RATIO_TARGET))
        target = f"{name}: req/s at least {RATIO_FLOOR} of the floor's"
        checks.append(_check(target, value, value >= RATIO_FLOOR))
    sizes = sorted({row["size"] for row in report["growth"]})
    for query in FLAT_QUERIES:
        p50 = {r["size"]: r["django"]["p50_ms"] for r in report["growth"] if r["query"] == query}
        value = p50[sizes[-1]] / p50[sizes[0]]
        target = f"{query}: p50 at {sizes[-1]:,} tasks at most {FLAT_LIMIT}× p50 at {sizes[0]:,}"
        checks.append(_check(target, value, value <= FLAT_LIMIT))
    for worker in report["memory"]["django"]:
        value = worker["rss_kib"] / 1024
        target = f"worker {worker['pid']}: RSS at most {WORKER_MEMORY_TARGET_MIB} MiB after mixed"
        checks.append(_check(target, value, value <= WORKER_MEMORY_TARGET_MIB))
    return checks


def write(report: dict, directory: Path) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    json_path = directory / f"{report['mode']}.json"
    markdown_path = directory / f"{report['mode']}.md"
    json_path.write_text(json.dumps(report, indent=2) + "\n")
    markdown_path.write_text(markdown(report))
    return json_path, markdown_path


def _ms(value: float) -> str:
    return f"{value:.1f}" if value < 100 else f"{value:,.0f}"


def _times(value: float) -> str:
    return f"{value:.2f}×"


def _percent(value: float) -> str:
    return f"{value * 100:.0f} %"


def _errors(result: dict) -> str:
    return f"{result['http_errors'] + result['socket_errors']:,}"


def markdown(report: dict) -> str:
    settings, machine, versions = report["settings"], report["machine"], report["versions"]
    lines = [
        f"# Benchmark: the Todo API against its floor ({report['mode']} run)",
        "",
        f"Run {report['started_at']} in {report['elapsed_seconds']:.0f} s. "
        f"{settings['seconds']} s per measurement and server at {settings['connections']} "
        f"connections (wrk, {settings['wrk_threads']} thread, over loopback), in "
        f"{settings['slices']} slices taken in turn with the other server's (ABBA...), "
        "so that both meet the same machine: req/s and CPU time add up over the slices, "
        "each latency percentile is the median of the slices'. "
        f"nginx in front of gunicorn (deploy/serve.py, as `make serve` runs them), gunicorn with "
        f"gunicorn.conf.py: {settings['workers']} sync workers for each server.",
        "",
        f"Machine: {machine['cores']} cores ({machine['cpu']}), {machine['memory_gib']:.0f} GiB, "
        f"{machine['os']}.",
        "",
        "Versions: " + ", ".join(f"{name} {version}" for name, version in versions.items()) + ".",
        *_background_warning(report),
        "",
        "The floor (bench/floor.py) answers the same requests with the same SQL by hand "
        "(PyJWT, psycopg, orjson). Django's figures are followed by their ratio to the "
        "floor's: for req/s higher is better (1.00× is the floor), for latencies lower is.",
        "",
        "## Scenarios",
        "",
        "| Scenario | Django req/s | p50 ms | p90 ms | p99 ms | Floor req/s "
        "| Floor p50 / p90 / p99 ms | Errors (Django / floor) |",
        "|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for row in report["scenarios"]:
        django, floor = row["django"], row["floor"]
        lines.append(
            f"| {row['name']} ({row['description']}) "
            f"| {django['rps']:,.0f} ({_times(ratio(django['rps'], floor['rps']))}) "
            + " ".join(
                f"| {_ms(django[key])} ({_times(ratio(django[key], floor[key]))})"
                for key in ("p50_ms", "p90_ms", "p99_ms")
            )
            + f" | {floor['rps']:,.0f} "
            f"| {_ms(floor['p50_ms'])} / {_ms(floor['p90_ms'])} / {_ms(floor['p99_ms'])} "
            f"| {_errors(django)} / {_errors(floor)} |"
        )
    lines += _cpu_section(report)
    lines += _growth_section(report) + _memory_section(report) + _targets_section(report)
    lines += _explain_section(report)
    return "\n".join(lines) + "\n"


def _cpu_section(report: dict) -> list[str]:
    wrk = [row[side]["cpu_share"]["wrk"] for row in report["scenarios"] for side in SIDES]
    lines = [
        "",
        "## CPU while measuring (share of all cores)",
        "",
        f"The load generator, wrk, used {_percent(min(wrk))} to {_percent(max(wrk))} of the "
        "machine. App is nginx, gunicorn and their workers; PostgreSQL is every backend of the "
        "cluster (any database); other is the rest of what kept the cores busy (other "
        "programs competing for them).",
        "",
        "App CPU per request is the workers' CPU time divided by the requests answered: "
        "unlike req/s it hardly changes when other programs share the cores.",
        "",
        "| Scenario | App CPU ms per request, Django / floor | Django: app / PostgreSQL / wrk "
        "/ other | Floor: app / PostgreSQL / wrk / other |",
        "|---|--:|--:|--:|",
    ]
    for row in report["scenarios"]:
        django, floor = (row[side]["app_cpu_ms_per_request"] for side in SIDES)
        cells = [f"{django:.2f} / {floor:.2f} ({_times(ratio(django, floor))})"]
        for side in SIDES:
            share = row[side]["cpu_share"]
            cells.append(
                " / ".join(_percent(share[k]) for k in ("app", "postgres", "wrk", "other"))
            )
        lines.append(f"| {row['name']} | {' | '.join(cells)} |")
    return lines


def _background_warning(report: dict) -> list[str]:
    measurements = [row[side] for row in report["scenarios"] + report["growth"] for side in SIDES]
    others = sorted(m["cpu_share"]["other"] for m in measurements)
    busy = max(report["background_busy_share"], others[len(others) // 2])
    if busy < BACKGROUND_BUSY_WARNING:
        return []
    return [
        "",
        f"**Other programs kept the machine {_percent(busy)} busy** (before the benchmark "
        "started, or in the median measurement; see *other* below): absolute figures are "
        "low and noisy. Ratios to the floor, measured back to back, and the CPU time per "
        "request hold better.",
    ]


def _growth_section(report: dict) -> list[str]:
    lines = [
        "",
        "## As one user's tasks grow",
        "",
        "One user holding each number of tasks; the first page (up to 100) of the tasks "
        "matching the query.",
        "",
        "| Query | Tasks | Matching | Django req/s | p50 ms | p90 ms | p99 ms "
        "| p50 vs smallest | Floor p50 ms |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    smallest = {}
    for row in report["growth"]:
        django = row["django"]
        smallest.setdefault(row["query"], django["p50_ms"])
        lines.append(
            f"| {row['query']} (`{row['query_string']}`) | {row['size']:,} | {row['matching']:,} "
            f"| {django['rps']:,.0f} "
            f"| {_ms(django['p50_ms'])} | {_ms(django['p90_ms'])} | {_ms(django['p99_ms'])} "
            f"| {_times(django['p50_ms'] / smallest[row['query']])} "
            f"| {_ms(row['floor']['p50_ms'])} |"
        )
    return lines


def _memory_section(report: dict) -> list[str]:
    booted = report["workers_booted"]
    lines = [
        "",
        "## Worker memory after the mixed workload",
        "",
        "RSS counts pages shared with the master and the other workers in full; PSS "
        "splits them between the sharers. Workers are recycled after `max_requests` "
        f"(gunicorn.conf.py); workers started in the whole run: Django {booted['django']}, "
        f"floor {booted['floor']}.",
        "",
        "| Server | Worker | RSS MiB | PSS MiB | Peak RSS MiB |",
        "|---|--:|--:|--:|--:|",
    ]
    for side in SIDES:
        for worker in report["memory"][side]:
            lines.append(
                f"| {side} | {worker['pid']} | {worker['rss_kib'] / 1024:.1f} "
                f"| {worker['pss_kib'] / 1024:.1f} | {worker['peak_rss_kib'] / 1024:.1f} |"
            )
    return lines


def _targets_section(report: dict) -> list[str]:
    lines = ["", "## Targets", "", "| Target | Figure | Met |", "|---|--:|---|"]
    for check in report["targets"]:
        lines.append(
            f"| {check['target']} | {check['value']} | {'yes' if check['met'] else '**no**'} |"
        )
    return lines


def _explain_section(report: dict) -> list[str]:
    largest = max(row["size"] for row in report["growth"])
    lines = [
        "",
        f"## Query plans at {largest:,} tasks",
        "",
        "`EXPLAIN (ANALYZE, BUFFERS)` of each statement the API sent for the request "
        "(the user lookup of authentication left out).",
    ]
    for entry in report["explain"]:
        lines += ["", f"### `GET /api/tasks/?{entry['query']}`"]
        for statement in entry["statements"]:
            lines += ["", "```sql", statement["sql"], "```", "", "```", statement["plan"], "```"]
    return lines
