"""The readers every part of the profile shares: texts in two languages, ids, lists, paths.

The profile, its fixes and its health rules are read with them. Apart from the
profile's own module so that the parts (and the tray's health checks) load without
the rest of it: no time zones, no agents. Qt-free.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: The profile format this build reads (``"format"`` in the document).
FORMAT = 1
#: Languages a text may be given in; English is the fallback.
TEXT_LANGUAGES = ("en", "nl")
#: Longest a name, role or status may be (characters): more is cut.
MAX_TEXT = 200
#: Most departments, agents and articles a profile may hold (more are left out).
MAX_ITEMS = 500

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_TARGET = re.compile(r"^(?!.*\.\.)[A-Za-z0-9][A-Za-z0-9._/-]{0,199}$")


@dataclass(frozen=True)
class Text:
    """A text in the profile's languages."""

    values: Mapping[str, str]

    def get(self, language: str) -> str:
        """The text in ``language``, else English, else any."""
        return (
            self.values.get(language) or self.values.get("en") or next(iter(self.values.values()))
        )


def readable(document: Mapping[str, Any]) -> bool:
    """Whether ``document`` is a profile this build reads: our format, a version from 1."""
    version = document.get("version")
    return document.get("format") == FORMAT and type(version) is int and version >= 1


def mapping_of(value: object) -> Mapping[str, Any]:
    """``value`` if it is a JSON object, else an empty one."""
    return value if isinstance(value, dict) else {}


def read_items(
    value: object, where: str, problems: list[str]
) -> list[tuple[int, Mapping[str, Any]]]:
    """The objects of a list, with their positions; a non-object entry is named and left out."""
    if value is None:
        return []
    if not isinstance(value, list):
        problems.append(f"{where}: not a list")
        return []
    if len(value) > MAX_ITEMS:
        problems.append(f"{where}: {len(value)} entries; the first {MAX_ITEMS} are used")
    items: list[tuple[int, Mapping[str, Any]]] = []
    for index, raw in enumerate(value[:MAX_ITEMS]):
        if isinstance(raw, dict):
            items.append((index, raw))
        else:
            problems.append(f"{where}[{index}]: not an object")
    return items


def plain_text(value: object, limit: int = MAX_TEXT) -> str:
    """A one-line text, without control characters, cut to ``limit``; "" for anything else."""
    if not isinstance(value, str):
        return ""
    cleaned = "".join(
        " " if ch.isspace() else ch for ch in value if ch.isprintable() or ch.isspace()
    )
    return " ".join(cleaned.split())[:limit]


def read_text(value: object, limit: int = MAX_TEXT) -> Text | None:
    """``"words"`` (taken as English) or ``{"en": ..., "nl": ...}``; ``None`` when empty.

    Each language's text is one line of at most ``limit`` characters.
    """
    if isinstance(value, str):
        value = {"en": value}
    if not isinstance(value, dict):
        return None
    values = {lang: plain_text(value.get(lang), limit) for lang in TEXT_LANGUAGES}
    kept = {lang: text for lang, text in values.items() if text}
    return Text(kept) if kept else None


def read_id(raw: Mapping[str, Any], where: str, problems: list[str]) -> str | None:
    """The entry's ``id``, if it is one (lower-case letters, digits, - and _); else named."""
    value = raw.get("id")
    if isinstance(value, str) and _ID.match(value):
        return value
    problems.append(f"{where}: no id (lower-case letters, digits, - and _)")
    return None


def read_target(value: object, where: str, problems: list[str]) -> str | None:
    """A target path inside the repository, never a URL or a way out of it."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and _TARGET.match(value) and "//" not in value:
        return value
    problems.append(f"{where}: not a file of the profile")
    return None


def read_keywords(value: object) -> tuple[str, ...]:
    """Up to 50 keywords, lower-case, one line of at most 60 characters each."""
    items = value if isinstance(value, list) else []
    return tuple(k for item in items[:50] if (k := plain_text(item, 60).lower()))
