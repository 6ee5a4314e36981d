"""The Group Policy template: current with the settings, well-formed, every reference resolved.

Microsoft's ADMX schema (PolicyDefinitions.xsd) cannot be fetched here, so the
files are parsed with an XML parser and checked against what the schema and the
Group Policy editor require of references, and against what the app reads.
"""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from client.adapters.managed_policy import (
    REG_DWORD,
    REG_QWORD,
    REG_SZ,
    RegistryValue,
    read_group_policy,
    registry_location,
)
from client.core.settings import KEYS, Settings
from tests.support.fake_registry import FakeRegistry
from tools import make_admx

ROOT = Path(__file__).resolve().parents[2]
FOLDER = ROOT / "installer" / "windows" / "policy"
NS = {"p": make_admx.NAMESPACE}
REFERENCE = re.compile(r"\$\((string|presentation)\.([^)]+)\)")


def _parse(relative: Path) -> ET.Element:
    return ET.parse(FOLDER / relative).getroot()


def _admx() -> ET.Element:
    return _parse(make_admx.ADMX)


def _admls() -> dict[str, ET.Element]:
    return {language: _parse(path) for language, path in make_admx.ADML.items()}


def _policies() -> dict[str, ET.Element]:
    return {p.attrib["name"]: p for p in _admx().iterfind("p:policies/p:policy", NS)}


def _key_of(policy: ET.Element) -> str:
    """The settings key a policy writes, from its registry key and value name."""
    element = policy.find("p:elements/*", NS)
    value_name = policy.attrib["valueName"] if element is None else element.attrib["valueName"]
    [key] = [k for k in KEYS if registry_location(k) == (policy.attrib["key"], value_name)]
    return key


def test_the_committed_files_are_what_the_tool_writes() -> None:
    for relative, text in make_admx.render().items():
        assert (FOLDER / relative).read_text(encoding="utf-8") == text, (
            f"{relative} is out of date: run python -m tools.make_admx"
        )
    done = subprocess.run(
        [sys.executable, "-m", "tools.make_admx", "--check"], cwd=ROOT, capture_output=True
    )
    assert done.returncode == 0, done.stderr


def test_the_check_fails_on_any_difference(tmp_path: Path) -> None:
    assert make_admx.main(["--out", str(tmp_path)]) == 0
    adml = tmp_path / make_admx.ADML["nl-NL"]
    adml.write_text(adml.read_text(encoding="utf-8").replace("Taal", "Language"), encoding="utf-8")
    assert make_admx.main(["--out", str(tmp_path), "--check"]) == 1
    assert make_admx.main(["--out", str(tmp_path)]) == 0
    assert make_admx.main(["--out", str(tmp_path), "--check"]) == 0


def test_a_key_without_dutch_stops_the_tool(monkeypatch: pytest.MonkeyPatch) -> None:
    dutch = dict(make_admx.DUTCH)
    del dutch["health.interval_min"]
    monkeypatch.setattr(make_admx, "DUTCH", dutch)
    with pytest.raises(SystemExit, match="no Dutch text for health.interval_min"):
        make_admx.render()


def test_every_key_but_the_employees_own_is_a_machine_policy_in_one_category() -> None:
    policies = _policies()
    keys = [_key_of(policy) for policy in policies.values()]
    assert sorted(keys) == sorted(set(KEYS) - make_admx.USER_KEYS)
    assert make_admx.USER_KEYS == {"desk.username", "profile.my_department"}
    assert [c.attrib["name"] for c in _admx().iterfind("p:categories/p:category", NS)] == [
        make_admx.CATEGORY
    ]
    for policy in policies.values():
        assert policy.attrib["class"] == "Machine"
        assert policy.find("p:parentCategory", NS).attrib["ref"] == make_admx.CATEGORY  # type: ignore[union-attr]
        assert policy.attrib["key"].startswith("Software\\Policies\\helpdesk-tray\\")


def test_every_reference_resolves_in_both_languages_and_they_hold_the_same_ids() -> None:
    admx_text = (FOLDER / make_admx.ADMX).read_text(encoding="utf-8")
    wanted = {kind: set() for kind in ("string", "presentation")}  # type: dict[str, set[str]]
    for kind, ident in REFERENCE.findall(admx_text):
        wanted[kind].add(ident)
    assert len(wanted["string"]) > 2 * len(KEYS) and wanted["presentation"]
    ids: dict[str, tuple[set[str], set[str]]] = {}
    for language, adml in _admls().items():
        strings = [s.attrib["id"] for s in adml.iterfind("p:resources/p:stringTable/p:string", NS)]
        shown = [
            p.attrib["id"]
            for p in adml.iterfind("p:resources/p:presentationTable/p:presentation", NS)
        ]
        assert len(strings) == len(set(strings)) and len(shown) == len(set(shown)), language
        assert wanted["string"] <= set(strings), language
        assert wanted["presentation"] <= set(shown), language
        assert all(adml.findtext(f"p:resources/p:stringTable/p:string[@id='{i}']", "", NS).strip()
                   for i in strings), language  # fmt: skip
        ids[language] = (set(strings), set(shown))
    assert ids["en-US"] == ids["nl-NL"]


def test_each_presentation_control_names_an_element_of_its_policy() -> None:
    policies = _policies()
    controls = {
        "decimal": "decimalTextBox", "longDecimal": "longDecimalTextBox",
        "enum": "dropdownList", "text": "textBox",
    }  # fmt: skip
    for language, adml in _admls().items():
        for presentation in adml.iterfind("p:resources/p:presentationTable/p:presentation", NS):
            policy = policies[presentation.attrib["id"]]
            assert policy.attrib["presentation"] == f"$(presentation.{presentation.attrib['id']})"
            elements = {e.attrib["id"]: e for e in policy.iterfind("p:elements/*", NS)}
            for control in presentation:
                element = elements[control.attrib["refId"]]
                assert (
                    control.tag == f"{{{make_admx.NAMESPACE}}}{controls[element.tag.split('}')[1]]}"
                ), language


def _value_for(policy: ET.Element) -> RegistryValue:
    """What Group Policy writes when the policy is enabled with its first or lowest value."""
    element = policy.find("p:elements/*", NS)
    if element is None:
        enabled = policy.find("p:enabledValue/p:decimal", NS)
        assert enabled is not None
        return RegistryValue(int(enabled.attrib["value"]), REG_DWORD)
    tag = element.tag.split("}")[1]
    if tag == "decimal":
        return RegistryValue(int(element.attrib["minValue"]), REG_DWORD)
    if tag == "longDecimal":
        return RegistryValue(int(element.attrib["maxValue"]), REG_QWORD)
    if tag == "enum":
        return RegistryValue(element.findtext("p:item/p:value/p:string", "", NS), REG_SZ)
    assert tag == "text"
    return RegistryValue("", REG_SZ)


def test_what_each_policy_writes_the_app_reads_as_that_key() -> None:
    for policy in _policies().values():
        key = _key_of(policy)
        element = policy.find("p:elements/*", NS)
        value_name = policy.attrib["valueName"] if element is None else element.attrib["valueName"]
        registry = FakeRegistry({policy.attrib["key"]: {value_name: _value_for(policy)}})
        read = read_group_policy(registry)
        assert read.problems == () and list(read.values) == [key], key
        value = read.values[key]
        if isinstance(value, int) and not isinstance(value, bool):
            assert _accepts(key, value), key
        else:
            assert KEYS[key].valid(value), key


def test_booleans_are_enabled_disabled_policies_writing_1_and_0() -> None:
    for policy in _policies().values():
        key = _key_of(policy)
        if not isinstance(getattr(Settings(), KEYS[key].field), bool):
            assert policy.find("p:enabledValue", NS) is None
            continue
        assert policy.find("p:elements", NS) is None
        assert policy.find("p:enabledValue/p:decimal", NS).attrib["value"] == "1"  # type: ignore[union-attr]
        assert policy.find("p:disabledValue/p:decimal", NS).attrib["value"] == "0"  # type: ignore[union-attr]
        for data, expected in ((1, True), (0, False)):
            read = read_group_policy(FakeRegistry({policy.attrib["key"]: {
                policy.attrib["valueName"]: RegistryValue(data, REG_DWORD)}}))  # fmt: skip
            assert read.values == {key: expected}


def _accepts(key: str, value: int) -> bool:
    """The validator, given the number as the app hands it on (fractions as floats)."""
    default = getattr(Settings(), KEYS[key].field)
    return KEYS[key].valid(float(value) if isinstance(default, float) else value)


def test_each_number_range_is_the_validators() -> None:
    checked = 0
    for policy in _policies().values():
        key = _key_of(policy)
        for element in policy.iterfind("p:elements/*", NS):
            tag = element.tag.split("}")[1]
            if tag not in ("decimal", "longDecimal"):
                continue
            low, high = int(element.attrib["minValue"]), int(element.attrib["maxValue"])
            assert element.attrib["required"] == "true"
            assert _accepts(key, low) and _accepts(key, high), key
            assert not _accepts(key, low - 1) and not _accepts(key, high + 1), key
            # A decimal is a REG_DWORD; beyond 32 bits only a longDecimal (REG_QWORD) holds it.
            assert (high <= 0xFFFFFFFF) == (tag == "decimal"), key
            checked += 1
    numbers = [k for k in make_admx.policy_keys() if make_admx.kind_of(k).name == "number"]
    assert checked == len(numbers) == 13


def test_each_enum_is_the_validators_choices() -> None:
    checked = 0
    for policy in _policies().values():
        key = _key_of(policy)
        for element in policy.iterfind("p:elements/p:enum", NS):
            values = [v.text or "" for v in element.iterfind("p:item/p:value/p:string", NS)]
            assert all(KEYS[key].valid(v) for v in values), key
            assert set(values) == set(make_admx.kind_of(key).choices), key
            for near_miss in ("", "x", *(v.upper() for v in values), *(v + " " for v in values)):
                if near_miss not in values:
                    assert not KEYS[key].valid(near_miss), (key, near_miss)
            checked += 1
    assert checked == 4  # desk.kind, ui.language, logging.level, health.tell_it


def test_each_text_length_is_the_validators_and_defaults_are_valid() -> None:
    policies = _policies()
    for policy in policies.values():
        key = _key_of(policy)
        for element in policy.iterfind("p:elements/p:text", NS):
            longest = int(element.attrib["maxLength"])
            if KEYS[key].valid("x"):  # free text: the validator bounds the length
                assert KEYS[key].valid("x" * longest)
                assert longest == 1023 or not KEYS[key].valid("x" * (longest + 1)), key
    assert int(policies["desk_queue"].find("p:elements/p:text", NS).attrib["maxLength"]) == 200  # type: ignore[union-attr]
    adml = _admls()["en-US"]
    for presentation in adml.iterfind("p:resources/p:presentationTable/p:presentation", NS):
        key = _key_of(policies[presentation.attrib["id"]])
        for control in presentation:
            if "defaultValue" in control.attrib:
                assert _accepts(key, int(control.attrib["defaultValue"])), key
            elif control.tag.endswith("dropdownList"):
                enum = policies[presentation.attrib["id"]].find("p:elements/p:enum", NS)
                items = [v.text or "" for v in enum.iterfind("p:item/p:value/p:string", NS)]  # type: ignore[union-attr]
                assert items[int(control.attrib["defaultItem"])] == getattr(
                    Settings(), KEYS[key].field
                )


def test_the_english_explanations_are_the_settings_own_words() -> None:
    english, dutch = _admls()["en-US"], _admls()["nl-NL"]
    for key in set(KEYS) - make_admx.USER_KEYS:
        ident = key.replace(".", "_")
        text = english.findtext(
            f"p:resources/p:stringTable/p:string[@id='{ident}_Explain']", "", NS
        )
        assert text.startswith(KEYS[key].doc), key
        nl = dutch.findtext(f"p:resources/p:stringTable/p:string[@id='{ident}_Explain']", "", NS)
        assert nl.startswith(make_admx.DUTCH[key][2]) and nl != text, key
