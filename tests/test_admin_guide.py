"""The admin guide's policy table is the code's own list, and the privacy statements match."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from client.core.settings import KEYS, Settings
from tools import policy_table

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_the_guides_policy_table_is_the_one_the_code_makes() -> None:
    assert policy_table.main(["--check"]) == 0, "run `python -m tools.policy_table`"


def test_the_table_has_every_key_with_its_default_and_meaning() -> None:
    rows = {line.split("|")[1].strip(" `"): line for line in policy_table.table().splitlines()[2:]}
    assert set(rows) == set(KEYS)
    assert "`false`" in rows["health.enabled"] and not Settings().health_enabled
    assert KEYS["network.proxy"].doc in rows["network.proxy"]
    assert "greyed" in rows["startup.autostart"]


def test_a_guide_without_the_markers_is_refused() -> None:
    with pytest.raises(SystemExit, match="markers"):
        policy_table.updated("# a guide\n")


def test_the_privacy_statement_is_the_same_in_both_languages() -> None:
    # Same sections, same table rows, same settings named: one cannot say more than the other.
    english = (DOCS / "privacy-statement.md").read_text(encoding="utf-8")
    dutch = (DOCS / "privacyverklaring.md").read_text(encoding="utf-8")
    for text in (english, dutch):
        assert "[organisation]" in text or "[organisatie]" in text
    assert len(re.findall(r"^## ", english, re.M)) == len(re.findall(r"^## ", dutch, re.M))
    rows = [len(re.findall(r"^\| \*\*", text, re.M)) for text in (english, dutch)]
    assert rows[0] == rows[1] >= 10
    named = [set(re.findall(r"`([a-z_]+\.[a-z_]+)`", t)) for t in (english, dutch)]
    settings = [sorted(n - {"privacy-statement.md", "privacyverklaring.md"}) for n in named]
    assert settings[0] == settings[1] and set(settings[0]) <= set(KEYS)
