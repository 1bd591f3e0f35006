"""Who runs a job, and whether they still do: ``host:pid:start``, the process's start time
telling a living process from a later one that was given the same pid.

On the job's own host that is a fact (``/proc``, or a signal 0 where there is no ``/proc``);
a job of another host is judged by its heartbeat, which only a database with concurrent
writers carries (PostgreSQL: SQLite's one write lock is the running job's)."""

from __future__ import annotations

import datetime as dt
import os
import socket

#: seconds without a heartbeat after which another host's job counts as lost
LEASE = 60.0
#: how often a process renews the heartbeat of the jobs it runs (PostgreSQL)
HEARTBEAT_EVERY = 10.0

HOST = socket.gethostname()


def _started(pid: int) -> str | None:
    """The process's start (clock ticks after boot), ``""`` where ``/proc`` is not there;
    None: no such process."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            stat = f.read()
    except FileNotFoundError:
        if os.path.isdir("/proc/self"):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            pass  # there, someone else's
        return ""
    # the command name in parentheses may hold spaces: fields count from the last ")"
    return stat.rsplit(")", 1)[1].split()[19]


def me() -> str:
    """This process, as a job's owner."""
    return f"{HOST}:{os.getpid()}:{_started(os.getpid())}"


def gone(
    owner: str | None, heartbeat_at: dt.datetime | None, now: dt.datetime, *, heartbeats: bool
) -> bool:
    """Whether the process ``owner`` names has ended. A job without an owner (recorded before
    owners were) and another host's job where there are no heartbeats cannot be told: not
    gone."""
    if not owner or owner.count(":") < 2:
        return False
    host, pid, started = owner.rsplit(":", 2)
    if host == HOST and pid.isdigit():
        return _started(int(pid)) != started
    if not heartbeats:
        return False
    if heartbeat_at is None:
        return True
    if heartbeat_at.tzinfo is None:
        heartbeat_at = heartbeat_at.replace(tzinfo=dt.UTC)
    return (now - heartbeat_at).total_seconds() > LEASE


__all__ = ["HEARTBEAT_EVERY", "HOST", "LEASE", "gone", "me"]
