"""CPU time of the processes under test, from /proc/<pid>/stat (utime + stime, in clock ticks).

`cpu.py snap WEB_PID WORKER_PID DB` prints one JSON snapshot: the ticks of the web server's process
tree (gunicorn master and workers), of the worker's tree (celery, its pool and beat), and per pid
of PostgreSQL: the backends connected to DB and the server's own background processes (WAL
writer, checkpointer, autovacuum...); backends of other databases (another load test) are left out.
`cpu.py delta BEFORE AFTER REQUESTS` prints `web=… worker=… pg=…` in CPU ms per request. A backend
that started during the window counts from zero; one that ended during it is lost (the pools keep
their connections, so there are none in practice).
"""

import json
import os
import sys

import psycopg

TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[int, int] | None:
    """(ppid, utime + stime) of pid, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[1]), int(fields[11]) + int(fields[12])


def _all() -> dict[int, tuple[int, int]]:
    stats = {}
    for name in os.listdir("/proc"):
        if name.isdigit() and (stat := _stat(int(name))) is not None:
            stats[int(name)] = stat
    return stats


def _tree(root: int, stats: dict[int, tuple[int, int]]) -> int:
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in stats.items():
        children.setdefault(ppid, []).append(pid)
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        if pid in stats:
            total += stats[pid][1]
        todo.extend(children.get(pid, []))
    return total


def _postgres_pids(db: str) -> list[int]:
    server = os.environ.get("LOADTEST_PG", "postgres://postgres@127.0.0.1:5432")
    with psycopg.connect(server + "/postgres") as connection:
        rows = connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
            "AND (datname = %s OR backend_type <> 'client backend')",
            [db],
        ).fetchall()
    return [pid for (pid,) in rows]


def snap(web: int, worker: int, db: str) -> None:
    pg_pids = _postgres_pids(db)
    stats = _all()
    json.dump(
        {
            "web": _tree(web, stats),
            "worker": _tree(worker, stats),
            "pg": {str(pid): stats[pid][1] for pid in pg_pids if pid in stats},
        },
        sys.stdout,
    )


def delta(before_path: str, after_path: str, requests: int) -> None:
    with open(before_path) as handle:
        before = json.load(handle)
    with open(after_path) as handle:
        after = json.load(handle)
    pg = sum(ticks - before["pg"].get(pid, 0) for pid, ticks in after["pg"].items())
    per = max(requests, 1)
    sys.stdout.write(
        " ".join(
            f"{name}={ticks * TICK_MS / per:.2f}"
            for name, ticks in (
                ("web", after["web"] - before["web"]),
                ("worker", after["worker"] - before["worker"]),
                ("pg", pg),
            )
        )
        + "\n"
    )


if __name__ == "__main__":
    if sys.argv[1] == "snap":
        snap(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
    else:
        delta(sys.argv[2], sys.argv[3], int(sys.argv[4]))
