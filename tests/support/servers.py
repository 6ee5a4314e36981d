"""What the fixtures that start a real server share: a free port, and ending orphans."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
from pathlib import Path


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port on ``host`` that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def start_ticks(pid: int) -> str | None:
    """The start time of process ``pid`` (identifies it across pid reuse), if it exists."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    # "pid (comm) state ppid ...": comm may hold spaces; starttime is field 22.
    return stat[stat.rfind(")") + 2 :].split()[19]


def owner_tag() -> str:
    """This process as a server's owner: ``pid:start time``."""
    return f"{os.getpid()}:{start_ticks(os.getpid())}"


def end_orphaned_servers(owner_env: str, command: bytes = b"") -> list[int]:
    """SIGKILL the servers whose starting process (a crashed test session) is gone.

    Only processes whose environment carries ``owner_env`` (set to :func:`owner_tag`
    when they were started), and whose command line holds ``command``, are looked at:
    servers of a session still running (another pytest on the same machine) are left
    alone. Each was started in a session of its own, so its process group is ended
    whole. Returns the process groups ended.
    """
    ended: list[int] = []
    prefix = owner_env.encode() + b"="
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if command and command not in (proc / "cmdline").read_bytes():
                continue
            environ = (proc / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        tags = [item[len(prefix) :].decode() for item in environ if item.startswith(prefix)]
        if not tags:
            continue
        owner_pid, _, owner_start = tags[0].partition(":")
        if owner_pid.isdigit() and start_ticks(int(owner_pid)) == owner_start:
            continue
        with contextlib.suppress(ProcessLookupError, PermissionError):
            group = os.getpgid(int(proc.name))
            if group not in ended:
                os.killpg(group, signal.SIGKILL)
                ended.append(group)
    return ended
