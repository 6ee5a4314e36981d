"""``make demo``: the demo desk on 127.0.0.1 and the tray signed in as a demo employee.

Starts (or reuses) the demo desk in ``demo/.data``, prints where the agent
console is and how to log in, then runs the tray as Anna Jansen (Finance).
The organisation's signed profile (its departments' agents and articles,
``demo/profile_site.py``) is built, signed and served on 127.0.0.1 too, and
a demo IT policy names it. When the tray quits, the desk is stopped again.
On a computer without a display the desk keeps running and the message says
how to see the tray on a virtual display instead.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from demo.deskctl import (
    CLI_ENV,
    DEFAULT_DATA_DIR,
    DEFAULT_PORT,
    DemoDesk,
    DeskError,
    free_port,
    port_is_free,
)

ROOT = Path(__file__).resolve().parent.parent
#: The demo IT policy: the signed profile, and Anna's department as IT would set it.
POLICY = """\
[profile]
url = "{url}"
department = "FIN"

[health]
enabled = true
"""
EMPLOYEE, EMPLOYEE_PASSWORD = "anna", "demo-employee"

BANNER = """
  The demo service desk is running (django-helpdesk on 127.0.0.1).

  Agent console   {url}/helpdesk/
                  joost / demo-agent    (Finance: Anna's dedicated agent)
                  sanne / demo-agent    (HR)      priya / demo-agent  (Sales)
  Django admin    {url}/admin/          admin / demo-admin
  Employee        Anna Jansen ({employee} / {employee_password}), Finance
"""

COMMAND_LINE = """
  The command line, as Anna, in another terminal in this folder:
      . {env_file}
      .venv/bin/helpdesk-tray tickets
      .venv/bin/helpdesk-tray report --subject "The printer jams"
  ({env_file} names the demo desk and holds Anna's demo sign-in, for
  computers without a keyring; it is removed with `make demo-stop`.)
"""

WITH_TRAY = """
  The tray runs as Anna. Answer her tickets in the agent console and watch the
  tray follow (it asks the desk every minute, and at once when you open its menu).

  Try a self-fix: click the tray icon and type "notes is slow" (or "notities
  starten niet"). The demo's "Notes" app has a cache that is too large and a
  damaged settings file, both in {notes} (not in your own home).
  Fixes never run with administrator rights: run the demo as a normal user.
"""

NO_DISPLAY = """
  There is no display on this computer (DISPLAY and WAYLAND_DISPLAY are unset),
  so the tray cannot be shown here. The desk keeps running.

  To see the tray on a virtual display, run
      make screenshots
  which drives it there and saves what it shows to docs/screenshots/.

  Stop the desk with:  make demo-stop
"""


def _has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def main() -> int:
    """Run the demo; returns the exit code."""
    port = DEFAULT_PORT
    desk = DemoDesk(data_dir=DEFAULT_DATA_DIR, port=port)
    if not desk.is_running() and not port_is_free(port):
        port = free_port()
        desk = DemoDesk(data_dir=DEFAULT_DATA_DIR, port=port)
    try:
        url = desk.start()
        token = desk.token_for(EMPLOYEE, EMPLOYEE_PASSWORD)
    except DeskError as exc:
        sys.stderr.write(f"The demo desk could not start:\n{exc}\n")
        return 1
    sys.stdout.write(BANNER.format(url=url, employee=EMPLOYEE, employee_password=EMPLOYEE_PASSWORD))
    home = DEFAULT_DATA_DIR / "tray-home"
    env_file = write_cli_env(DEFAULT_DATA_DIR, home, url, token)
    sys.stdout.write(COMMAND_LINE.format(env_file=os.path.relpath(env_file, ROOT)))
    if not _has_display():
        sys.stdout.write(NO_DISPLAY)
        return 0
    notes = break_notes(DEFAULT_DATA_DIR / "notes-home")
    # A computer that has been getting slower for days: the first health pass says so.
    from demo.health_scene import seed_slower_history  # psutil: only when the tray runs

    seed_slower_history(home / "data")
    sys.stdout.write(WITH_TRAY.format(notes=os.path.relpath(notes, ROOT)))
    env = dict(os.environ)
    env.update(
        # Where the demo's fixes find the "Notes" app (their scripts read these).
        XDG_CACHE_HOME=str(notes / ".cache"),
        XDG_CONFIG_HOME=str(notes / ".config"),
        HELPDESK_TRAY_HOME=str(home),
        HELPDESK_TRAY_DESK_URL=url,
        HELPDESK_TRAY_DESK_USERNAME=EMPLOYEE,
        # Handed to the tray in memory for this session only; never written to disk.
        HELPDESK_TRAY_TOKEN=token,
        # The shortest interval IT may set: an agent's answer shows within a minute.
        HELPDESK_TRAY_NETWORK_POLL_INTERVAL_S="60",
        # The first health pass soon, not minutes after start: the demo shows what it finds.
        HELPDESK_TRAY_HEALTH_FIRST_MS="15000",
    )
    sys.stdout.write("\n  Starting the tray… (quit it from its menu to end the demo)\n")
    sys.stdout.flush()
    try:
        with demo_profile(DEFAULT_DATA_DIR) as policy:
            env["HELPDESK_TRAY_POLICY"] = str(policy)
            return subprocess.call([sys.executable, "-m", "client"], cwd=ROOT, env=env)
    except KeyboardInterrupt:
        return 130
    finally:
        desk.stop(quiet=True)


def break_notes(folder: Path) -> Path:
    """The demo's "Notes" app, broken as the demo's fixes expect: a cache of 12 MB, bad settings."""
    cache = folder / ".cache" / "example-notes"
    cache.mkdir(parents=True, exist_ok=True)
    (cache / "notebooks.bin").write_bytes(bytes(12 * 1024 * 1024))
    settings = folder / ".config" / "example-notes" / "settings.json"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text('{"theme": "dark", "sync": tr', encoding="utf-8")
    return folder


def write_cli_env(data_dir: Path, home: Path, url: str, token: str) -> Path:
    """A shell file that points the command line at the demo desk, as Anna; its path.

    The same home as the demo's tray (one outbox for both), and Anna's demo token
    for computers without a keyring: a credential for a desk on 127.0.0.1 that
    exists only while the demo runs. Readable by this user only.
    """
    path = data_dir / CLI_ENV
    values = {
        "HELPDESK_TRAY_HOME": str(home),
        "HELPDESK_TRAY_DESK_URL": url,
        "HELPDESK_TRAY_DESK_USERNAME": EMPLOYEE,
        "HELPDESK_TRAY_TOKEN": token,
    }
    lines = ["# The demo's command line: `. " + str(path) + "`, then `helpdesk-tray tickets`."]
    lines += [f"export {name}={shlex.quote(value)}" for name, value in values.items()]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.chmod(0o600)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@contextmanager
def demo_profile(data_dir: Path) -> Iterator[Path]:
    """Sign and serve the demo profile afresh; yields the demo IT policy that names it.

    The trusted root goes beside the policy (``profile-root.json``), as IT
    installs it. Each demo signs with new keys, so the tray's kept copy from an
    earlier demo is removed with the old repository.
    """
    from demo.profile_site import publish_demo_profile, serve_profile  # signing: only here

    site, policy_dir = data_dir / "profile-site", data_dir / "policy"
    for old in (site, policy_dir, data_dir / "tray-home" / "cache" / "profile"):
        shutil.rmtree(old, ignore_errors=True)
    repository = publish_demo_profile(site, datetime.now(UTC))
    policy_dir.mkdir(parents=True)
    (policy_dir / "profile-root.json").write_bytes(repository.root)
    with serve_profile(site) as url:
        policy = policy_dir / "policy.toml"
        policy.write_text(POLICY.format(url=url), encoding="utf-8")
        yield policy


if __name__ == "__main__":
    sys.exit(main())
