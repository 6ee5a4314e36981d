"""Starting this same program again as a helper process (the keyring, a report's evidence).

Heavy or blocking work runs in a process of its own, so it never sits in the
memory of a tray that runs all day, nor holds up its event loop. The helper is
the frozen executable, or this Python with ``-m client``, with a flag first.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any

#: Environment a helper does not inherit: credentials handed to the tray itself.
_NOT_FOR_THE_HELPER = ("HELPDESK_TRAY_TOKEN",)


def helper_command(
    flag: str, *args: str, frozen: bool | None = None, executable: str | None = None
) -> list[str]:
    """How to start this program as the helper that ``flag`` names.

    ``-P`` keeps the current directory off ``sys.path``, so a stray ``client``
    folder where the user happens to be cannot stand in for ours.
    """
    frozen = getattr(sys, "frozen", False) if frozen is None else frozen
    executable = executable or sys.executable
    if frozen:
        return [executable, flag, *args]
    return [executable, "-P", "-m", "client", flag, *args]


def start_helper(command: Sequence[str], *, text: bool, keep_stderr: bool) -> Any:
    """Start ``command`` with pipes to its stdin and stdout (``subprocess.Popen``).

    Raises ``OSError`` when it cannot be started.
    """
    # Deferred: subprocess is needed on a worker, not for the icon to appear
    # (start-up budget, docs/performance.md).
    import subprocess

    env = {k: v for k, v in os.environ.items() if k not in _NOT_FOR_THE_HELPER}
    return subprocess.Popen(  # noqa: S603 - our own executable, fixed arguments
        list(command),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE if keep_stderr else subprocess.DEVNULL,
        text=text,
        env=env,
    )
