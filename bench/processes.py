"""CPU time and memory of processes, read from /proc (Linux only)."""

import os
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024


def _stat_fields(pid: int) -> list[str]:
    # The command name (field 2) may hold spaces; everything after its ")" splits cleanly.
    text = Path(f"/proc/{pid}/stat").read_text()
    return text[text.rindex(")") + 2 :].split()


def _process_table() -> dict[int, tuple[int, int]]:
    """pid: (parent pid, CPU ticks of the process and of the children it has reaped)."""
    table = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = _stat_fields(int(entry.name))
            except OSError:
                continue  # exited while we looked
            # utime, stime, cutime, cstime: fields 14-17 of stat, 12-15 after the name.
            table[int(entry.name)] = (int(fields[1]), sum(int(v) for v in fields[11:15]))
    return table


def children(pid: int) -> list[int]:
    return sorted(child for child, (parent, _) in _process_table().items() if parent == pid)


def tree_cpu_seconds(pids: list[int]) -> dict[int, float]:
    """CPU used by each process, its descendants, and the children it has reaped.

    Two readings subtract to the CPU used in between even when children come
    and go (gunicorn recycling workers, PostgreSQL backends), because a child
    that exits moves its whole time into its parent's reaped-children counters.
    """
    table = _process_table()
    kids: dict[int, list[int]] = {}
    for child, (parent, _) in table.items():
        kids.setdefault(parent, []).append(child)

    def ticks(pid: int) -> int:
        own = table.get(pid, (0, 0))[1]
        return own + sum(ticks(child) for child in kids.get(pid, []))

    return {pid: ticks(pid) / CLOCK_TICKS for pid in pids}


def machine_busy_seconds() -> tuple[float, float]:
    """CPU seconds spent busy and in total by all cores since boot (/proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    total = sum(values[:8])  # without guest time, already counted in user
    return (total - idle) / CLOCK_TICKS, total / CLOCK_TICKS


def memory_kib(pid: int) -> dict[str, int]:
    """Resident set size and proportional set size (shared pages split between sharers)."""
    status = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            status[name] = int(value.split()[0])
    pss = 0
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            pss = int(line.split()[1])
    return {"rss_kib": status["VmRSS"], "peak_rss_kib": status["VmHWM"], "pss_kib": pss}


def postmaster_pid(data_directory: str) -> int:
    return int((Path(data_directory) / "postmaster.pid").read_text().split()[0])
