"""The process entry point: a helper process, or the client, with Qt prepared first."""

from __future__ import annotations

import gc
import sys
from collections.abc import Sequence

from client import (
    EVIDENCE_HELPER_FLAG,
    FIX_CHECK_HELPER_FLAG,
    FIX_HELPER_FLAG,
    HEALTH_HELPER_FLAG,
    KEYRING_HELPER_FLAG,
    PROFILE_HELPER_FLAG,
    SEARCH_HELPER_FLAG,
    SELF_CHECK_FLAG,
    TRAY_LAUNCHES,
)


def skip_pyside_source_scan() -> None:
    """Stop PySide6 from reading the source of every module imported after it.

    WORKAROUND: to support ``from __feature__ import ...``, PySide6 reads the
    whole source of each module imported after it into ``linecache``
    (shibokensupport/feature.py, PYSIDE-2029; seen in 6.11). This client never
    uses ``__feature__`` (house style), so the scan only costs: about 9 MB that
    stay resident and a file read per module at start-up. If PySide6 changes
    the hook, this does nothing.
    """
    import PySide6.QtCore  # noqa: F401 - installs the hook we replace below

    feature = sys.modules.get("shibokensupport.feature")
    if feature is not None and callable(getattr(feature, "feature_imported", None)):
        feature.feature_imported = lambda module: None  # type: ignore[attr-defined]


def main(argv: Sequence[str] | None = None) -> int:
    """``helpdesk-tray``: a helper or the admin commands when asked, else the client."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == [KEYRING_HELPER_FLAG]:
        # The helper needs none of the GUI: answer and leave before Qt loads.
        from client.adapters.keyring_store import serve

        return serve(sys.stdin, sys.stdout)
    if args[:1] == [PROFILE_HELPER_FLAG]:
        # One verified profile update: tuf and cryptography never enter the tray.
        from client.adapters.profile_worker import serve as serve_profile

        return serve_profile(sys.stdin, sys.stdout)
    if args[:1] == [EVIDENCE_HELPER_FLAG]:
        # A report's heavy work, in a process of its own: no Qt either.
        from client.adapters.evidence_worker import serve as serve_evidence

        return serve_evidence(sys.stdin.buffer, sys.stdout.buffer, "".join(args[1:2]))
    if args[:1] == [FIX_HELPER_FLAG]:
        # One fix run, contained (client/adapters/fix_helper.py): standard library only.
        from client.adapters.fix_helper import serve as serve_fix

        return serve_fix(sys.stdin.buffer, sys.stdout.buffer)
    if args[:1] == [SEARCH_HELPER_FLAG]:
        # The self-help search while the employee types: its native modules stay out of the tray.
        from client.adapters.search_helper import serve as serve_search

        return serve_search(sys.stdin.buffer, sys.stdout.buffer)
    if args[:1] == [HEALTH_HELPER_FLAG]:
        # One health pass (client/adapters/health_helper.py): psutil and SQLite stay out.
        from client.adapters.health_helper import serve as serve_health

        return serve_health(sys.stdin, sys.stdout)
    if args[:1] == [FIX_CHECK_HELPER_FLAG]:
        # The fixes' detection as health checks: their reader, runner and record stay out.
        from client.adapters.fix_checks import serve as serve_fix_checks

        return serve_fix_checks(sys.stdin, sys.stdout)
    if args[:1] == [SELF_CHECK_FLAG]:
        # The frozen app checks itself (imports, resources, TLS, keyring, helpers): no tray.
        from client.self_check import main as self_check

        return self_check(args[1:])
    if args[:1] == ["admin"]:
        # IT's publishing commands: plain Python, no Qt; the tray never imports them.
        from client.admin import main as admin_main

        return admin_main(args[1:])
    # No cyclic collection while the tray's modules load and it is built: nearly all of
    # it is kept, and the passes cost ~10 ms of the time to the icon (docs/performance.md).
    # The tray turns it on once its icon is drawn (TrayApp.start), a command at once.
    gc.disable()
    skip_pyside_source_scan()
    # After the workaround, on purpose. The tray without the command line's modules:
    # it shows its icon before it loads its own (client/start.py).
    if tuple(args) in TRAY_LAUNCHES:
        from client.start import launch

        return launch(args)
    from client.cli import main as cli_main

    return cli_main(args)
