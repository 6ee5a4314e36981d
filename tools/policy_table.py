"""The admin guide's table of every policy key, made from the code's own list.

``python -m tools.policy_table`` writes it into ``docs/admin-guide.md``, between
the markers; ``--check`` only says whether the guide is up to date (a test runs
that, so the table cannot drift from ``client.core.settings.KEYS``).
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

from client.core.settings import KEYS, Settings

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "admin-guide.md"
START = "<!-- policy-keys: made by `python -m tools.policy_table` from the code; do not edit -->"
END = "<!-- /policy-keys -->"

#: What IT setting a key does beyond "users cannot change it".
LOCKED = {
    "desk.url": "The sign-in dialog shows it as set by IT.",
    "desk.username": "Every computer would sign in as that user: leave it to the employees.",
    "startup.autostart": "The menu's *Start when I log in* is greyed; the user's choice is moot.",
    "profile.department": "The employee's own choice of department is not offered.",
    "profile.my_department": "Not for the policy: the employee's own choice, kept in their file.",
    "fixes.enabled": "Off: no fix runs, also not from a health check.",
}


def _default(key: str) -> str:
    value = getattr(Settings(), KEYS[key].field)
    if isinstance(value, bool):
        return "`true`" if value else "`false`"
    if value == "":
        return "(empty)"
    if isinstance(value, str):
        return f'`"{value}"`'
    return f"`{value}`"


def table() -> str:
    """The Markdown table: key, default, meaning, what setting it in the policy does."""
    assert {f.name for f in dataclasses.fields(Settings)} >= {k.field for k in KEYS.values()}
    rows = [
        "| key | default | meaning | when IT sets it |",
        "|---|---|---|---|",
    ]
    for name in sorted(KEYS, key=lambda k: (k.split(".")[0], k)):
        locked = LOCKED.get(name, "")
        effect = f"Users cannot change it. {locked}".strip()
        rows.append(f"| `{name}` | {_default(name)} | {KEYS[name].doc} | {effect} |")
    return "\n".join(rows)


def updated(text: str) -> str:
    """``text`` (the guide) with the table between the markers made anew."""
    head, start, rest = text.partition(START)
    _, end, tail = rest.partition(END)
    if not start or not end:
        raise SystemExit(f"{GUIDE}: the markers {START!r} and {END!r} are missing")
    return f"{head}{START}\n{table()}\n{END}{tail}"


def main(argv: list[str]) -> int:
    """Write the table into the guide, or with ``--check`` say whether it is current."""
    text = GUIDE.read_text(encoding="utf-8")
    new = updated(text)
    if "--check" in argv:
        if new != text:
            sys.stderr.write("docs/admin-guide.md: the policy table is out of date; run "
                             "`python -m tools.policy_table`\n")  # fmt: skip
            return 1
        return 0
    GUIDE.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
