r"""Write the Group Policy template (ADMX, with English and Dutch ADML) from the settings' own list.

Every key of ``client.core.settings.KEYS`` except :data:`USER_KEYS` becomes one
machine policy in one category, writing where ``client.adapters.managed_policy``
reads (``HKLM\Software\Policies\helpdesk-tray\<section>``, value ``<name>``):
booleans as enabled/disabled policies (REG_DWORD 1/0), whole numbers as decimal
elements with the validator's range (REG_QWORD where the range passes 32 bits),
choices as enums, text as text elements (REG_SZ). English explain texts are each
key's ``doc``; the Dutch ones come from :data:`DUTCH`, and a key missing there
stops the tool, so the template never lags behind the settings.

    python -m tools.make_admx            # (re)write installer/windows/policy/
    python -m tools.make_admx --check    # exit 1 if the committed files differ
"""

from __future__ import annotations

import argparse
import inspect
import math
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from client import APP_NAME
from client.adapters.managed_policy import registry_location
from client.core.settings import KEYS, Settings

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "installer" / "windows" / "policy"
#: The files written, relative to the output folder.
ADMX = Path(f"{APP_NAME}.admx")
ADML = {"en-US": Path("en-US") / f"{APP_NAME}.adml", "nl-NL": Path("nl-NL") / f"{APP_NAME}.adml"}

#: Keys that belong to each employee, not to the computer: no Group Policy for them.
#: ``desk.username`` differs per person (a machine policy would sign everyone in as one),
#: ``profile.my_department`` is the employee's own choice ("not for IT").
USER_KEYS = frozenset({"desk.username", "profile.my_department"})

NAMESPACE = "http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions"
TARGET_NAMESPACE = "HelpdeskTray.Policies.HelpdeskTray"
CATEGORY = "HelpdeskTray"
SUPPORTED = "SUPPORTED_HelpdeskTray_0_1"
#: REG_DWORD holds at most this; a range beyond it needs a longDecimal (REG_QWORD).
DWORD_MAX = 0xFFFFFFFF
#: ADMX's default longest text; a validator that allows longer text is cut to this.
TEXT_MAX = 1023

#: Each key's short title in English and Dutch, and its Dutch explanation.
DUTCH: dict[str, tuple[str, str, str]] = {
    "desk.kind": (
        "Kind of service desk",
        "Soort servicedesk",
        "De soort servicedesk: django-helpdesk, request-tracker, redmine, zammad of topdesk.",
    ),
    "desk.url": (
        "Desk address",
        "Adres van de servicedesk",
        "Het adres waarop medewerkers de servicedesk bereiken (https; gewoon http alleen op "
        "deze computer).",
    ),
    "desk.queue": (
        "Where new tickets go",
        "Waar nieuwe tickets heen gaan",
        "Waar nieuwe tickets heen gaan: de queue van RT, het project van Redmine, de groep "
        "van Zammad of TOPdesk.",
    ),
    "ui.language": (
        "Language",
        "Taal",
        "De taal van de tray: leeg volgt de computer, of nl of en.",
    ),
    "network.poll_interval_s": (
        "Seconds between checks while a ticket is open",
        "Seconden tussen controles zolang een ticket open is",
        "Seconden tussen twee vragen aan de servicedesk wat er veranderd is, zolang er een "
        "ticket open is.",
    ),
    "network.rare_poll_interval_s": (
        "Seconds between checks while nothing is open",
        "Seconden tussen controles zonder open ticket",
        "Seconden tussen twee vragen zolang er niets open is (nooit korter dan de vorige).",
    ),
    "network.connect_timeout_s": (
        "Connection timeout (seconds)",
        "Wachttijd voor een verbinding (seconden)",
        "Seconden wachten op een verbinding met de servicedesk.",
    ),
    "network.read_timeout_s": (
        "Answer timeout (seconds)",
        "Wachttijd voor een antwoord (seconden)",
        "Seconden wachten tot de servicedesk iets zegt.",
    ),
    "network.total_timeout_s": (
        "Longest answer (seconds)",
        "Langste antwoord (seconden)",
        "Hoe lang één antwoord ten hoogste mag duren, hoe gestaag het ook binnenkomt (seconden).",
    ),
    "network.retries": (
        "Retries",
        "Nieuwe pogingen",
        "Extra pogingen voor een leesactie die mislukte op een haperend netwerk.",
    ),
    "network.proxy": (
        "Proxy",
        "Proxy",
        "Een proxy voor al het verkeer naar de servicedesk; leeg gebruikt de "
        "proxy-instellingen van het systeem.",
    ),
    "network.max_response_bytes": (
        "Largest answer (bytes)",
        "Grootste antwoord (bytes)",
        "Het grootste antwoord dat de tray van de servicedesk leest (bytes).",
    ),
    "reports.max_attachment_bytes": (
        "Largest file in a report (bytes)",
        "Grootste bestand in een melding (bytes)",
        "Het grootste bestand dat een melding mag meenemen (bytes).",
    ),
    "reports.max_outbox_bytes": (
        "Most space for reports waiting to be sent (bytes)",
        "Meeste ruimte voor meldingen die wachten (bytes)",
        "Hoeveel ruimte de meldingen die nog verstuurd moeten worden op de schijf mogen "
        "innemen (bytes).",
    ),
    "reports.screenshots": (
        "Allow screenshots in reports",
        "Schermafbeeldingen in meldingen toestaan",
        "Of een melding een schermafbeelding mag meenemen (de medewerker beslist nog per melding).",
    ),
    "diagnostics.host_name": (
        "Name the computer in diagnostics",
        "Computernaam in de diagnose",
        "Of de diagnose de naam van de computer noemt.",
    ),
    "diagnostics.user_name": (
        "Name the user in diagnostics",
        "Gebruikersnaam in de diagnose",
        "Of de diagnose de aangemelde gebruiker noemt.",
    ),
    "logging.level": (
        "Log level",
        "Logniveau",
        "Hoeveel het logboek vastlegt: DEBUG, INFO, WARNING of ERROR.",
    ),
    "notifications.enabled": (
        "Desktop notifications",
        "Bureaubladmeldingen",
        "Of wijzigingen in de tickets van een medewerker als melding op het bureaublad "
        "verschijnen.",
    ),
    "notifications.quiet_hours": (
        "Quiet hours",
        "Stille uren",
        "Wanneer er niets verschijnt, bijvoorbeeld 22:00-07:00 (lokale tijd; leeg voor nooit).",
    ),
    "notifications.quiet_after_start_s": (
        "Quiet after start (seconds)",
        "Stil na het starten (seconden)",
        "Seconden na het starten of ontwaken waarin niets verschijnt.",
    ),
    "profile.url": (
        "Profile address",
        "Adres van het profiel",
        "Waar IT het ondertekende profiel publiceert (behandelaars, oplossingen, artikelen); "
        "leeg voor geen.",
    ),
    "profile.refresh_hours": (
        "Hours between profile updates",
        "Uren tussen updates van het profiel",
        "Uren tussen twee updates van het profiel (en één bij het starten).",
    ),
    "profile.max_age_days": (
        "Days a profile stays usable",
        "Dagen dat een profiel bruikbaar blijft",
        "Dagen dat het laatst gecontroleerde profiel bruikbaar blijft zonder nieuwe controle.",
    ),
    "profile.department": (
        "Department",
        "Afdeling",
        "De afdeling van de medewerker zoals IT die noemt (vergeleken met de afdelingen in "
        "het profiel).",
    ),
    "profile.photos": (
        "Show agents' photos",
        "Foto's van behandelaars tonen",
        "Of foto's van behandelaars getoond worden (uit: initialen, voor de hele organisatie).",
    ),
    "fixes.enabled": (
        "Self-fixes",
        "Zelf oplossen",
        "Of medewerkers de oplossingen van IT zelf mogen uitvoeren (uit: er wordt er geen "
        "uitgevoerd).",
    ),
    "health.enabled": (
        "Health checks",
        "Gezondheidscontroles",
        "Of de tray af en toe de gezondheid van de computer controleert en oplossingen aanbiedt.",
    ),
    "health.tell_it": (
        "How IT hears of a lasting problem",
        "Hoe IT van een blijvend probleem hoort",
        "Hoe IT hoort van een probleem dat blijft: de medewerker vragen (ask), automatisch "
        "(auto) of nooit (never).",
    ),
    "health.interval_min": (
        "Minutes between health checks",
        "Minuten tussen gezondheidscontroles",
        "Minuten tussen twee gezondheidscontroles.",
    ),
    "startup.autostart": (
        "Start at log-in",
        "Starten bij het aanmelden",
        "Of de tray start bij het aanmelden (medewerkers kunnen het uitzetten, tenzij IT het "
        "instelt).",
    ),
}

#: Words for some choices, English and Dutch (others show as they are written in the file).
CHOICE_WORDS: dict[tuple[str, str], tuple[str, str]] = {
    ("ui.language", ""): ("Follow the computer", "Volg de computer"),
    ("ui.language", "en"): ("English", "Engels"),
    ("ui.language", "nl"): ("Dutch", "Nederlands"),
    ("health.tell_it", "ask"): ("Ask the employee (ask)", "De medewerker vragen (ask)"),
    ("health.tell_it", "auto"): ("Automatically (auto)", "Automatisch (auto)"),
    ("health.tell_it", "never"): ("Never (never)", "Nooit (never)"),
}

#: The template's fixed strings: (English, Dutch).
FIXED: dict[str, tuple[str, str]] = {
    CATEGORY: ("helpdesk-tray", "helpdesk-tray"),
    SUPPORTED: ("helpdesk-tray 0.1 or later", "helpdesk-tray 0.1 of later"),
}


@dataclass(frozen=True)
class Kind:
    """What a key's policy looks like: ``bool``, ``number``, ``choice`` or ``text``."""

    name: str
    low: int = 0
    high: int = 0
    choices: tuple[str, ...] = ()
    max_length: int = TEXT_MAX


def _nonlocals(valid: Callable[[object], bool]) -> dict[str, object]:
    return dict(inspect.getclosurevars(valid).nonlocals)


def kind_of(key: str) -> Kind:
    """The policy's shape for ``key``, read from its default and its validator.

    Numbers take the range of ``_int_between``/``_number_between`` (whole numbers inside
    it for fractions); choices the list of ``_one_of``; text the longest value the
    validator accepts (up to ADMX's 1023).
    """
    spec = KEYS[key]
    default = getattr(Settings(), spec.field)
    scope = _nonlocals(spec.valid)
    if isinstance(default, bool):
        return Kind("bool")
    if isinstance(default, int | float):
        low, high = scope.get("low"), scope.get("high")
        if not isinstance(low, int | float) or not isinstance(high, int | float):
            raise SystemExit(f"{key}: no range found in its validator (low/high)")
        return Kind("number", math.ceil(low), math.floor(high))
    choices = scope.get("choices")
    if isinstance(choices, tuple | list):
        return Kind("choice", choices=tuple(str(choice) for choice in choices))
    length = 0
    for step in (512, 256, 128, 64, 32, 16, 8, 4, 2, 1):
        if length + step <= TEXT_MAX and spec.valid("x" * (length + step)):
            length += step
    return Kind("text", max_length=length if length else TEXT_MAX)


def policy_keys() -> list[str]:
    """The keys Group Policy can set, in the settings' own order."""
    return [key for key in KEYS if key not in USER_KEYS]


def _ident(key: str) -> str:
    return key.replace(".", "_")


def _choice_id(key: str, choice: str) -> str:
    tail = "".join(c if c.isalnum() else "_" for c in choice) or "default"
    return f"{_ident(key)}_{tail}"


def _element(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    node = ET.SubElement(parent, tag, attrs)
    if text is not None:
        node.text = text
    return node


def _document(root: ET.Element) -> str:
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def _top(tag: str) -> ET.Element:
    return ET.Element(
        tag,
        {
            "xmlns:xsd": "http://www.w3.org/2001/XMLSchema",
            "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
            "revision": "1.0",
            "schemaVersion": "1.0",
            "xmlns": NAMESPACE,
        },
    )


def render_admx() -> str:
    """The ADMX file."""
    root = _top("policyDefinitions")
    spaces = _element(root, "policyNamespaces")
    _element(spaces, "target", prefix="helpdesktray", namespace=TARGET_NAMESPACE)
    _element(root, "resources", minRequiredRevision="1.0")
    supported = _element(_element(root, "supportedOn"), "definitions")
    _element(supported, "definition", name=SUPPORTED, displayName=f"$(string.{SUPPORTED})")
    categories = _element(root, "categories")
    _element(categories, "category", name=CATEGORY, displayName=f"$(string.{CATEGORY})")
    policies = _element(root, "policies")
    for key in policy_keys():
        ident = _ident(key)
        path, value_name = registry_location(key)
        kind = kind_of(key)
        attrs = {
            "name": ident,
            "class": "Machine",
            "displayName": f"$(string.{ident})",
            "explainText": f"$(string.{ident}_Explain)",
        }
        if kind.name != "bool":
            attrs["presentation"] = f"$(presentation.{ident})"
        attrs["key"] = path
        if kind.name == "bool":
            attrs["valueName"] = value_name
        policy = _element(policies, "policy", **attrs)
        _element(policy, "parentCategory", ref=CATEGORY)
        _element(policy, "supportedOn", ref=SUPPORTED)
        if kind.name == "bool":
            _element(_element(policy, "enabledValue"), "decimal", value="1")
            _element(_element(policy, "disabledValue"), "decimal", value="0")
            continue
        elements = _element(policy, "elements")
        if kind.name == "number":
            tag = "decimal" if kind.high <= DWORD_MAX else "longDecimal"
            _element(elements, tag, id=ident, valueName=value_name, required="true",
                     minValue=str(kind.low), maxValue=str(kind.high))  # fmt: skip
        elif kind.name == "choice":
            listed = _element(elements, "enum", id=ident, valueName=value_name, required="true")
            for choice in kind.choices:
                item = _element(listed, "item", displayName=f"$(string.{_choice_id(key, choice)})")
                _element(_element(item, "value"), "string", choice)
        else:
            _element(elements, "text", id=ident, valueName=value_name,
                     maxLength=str(kind.max_length))  # fmt: skip
    return _document(root)


_EXPLAIN = {
    "en": {
        "bool": "Enabled: on. Disabled: off. Either way employees cannot change it.",
        "other": "Enabled: the value below, which employees cannot change.",
        "not": "Not configured{also}: the policy file decides, or else the employee.",
        "also": " or Disabled",
        "range": "From {low} to {high}.",
        "whole": " Whole seconds.",
        "default": "Built-in default: {value}.",
        "empty": "(empty)",
        "on": "on",
        "off": "off",
        "where": "Registry: HKLM\\{path}, value {name} ({type}). Policy file: [{section}] {name}.",
    },
    "nl": {
        "bool": "Ingeschakeld: aan. Uitgeschakeld: uit. In beide gevallen kunnen medewerkers "
        "het niet wijzigen.",
        "other": "Ingeschakeld: de waarde hieronder, die medewerkers niet kunnen wijzigen.",
        "not": "Niet geconfigureerd{also}: het beleidsbestand beslist, of anders de medewerker.",
        "also": " of Uitgeschakeld",
        "range": "Van {low} tot en met {high}.",
        "whole": " Hele seconden.",
        "default": "Standaard: {value}.",
        "empty": "(leeg)",
        "on": "aan",
        "off": "uit",
        "where": "Register: HKLM\\{path}, waarde {name} ({type}). Beleidsbestand: "
        "[{section}] {name}.",
    },
}


def _explain(key: str, language: str) -> str:
    words = _EXPLAIN[language]
    kind = kind_of(key)
    default = getattr(Settings(), KEYS[key].field)
    path, name = registry_location(key)
    lines = [KEYS[key].doc if language == "en" else DUTCH[key][2], ""]
    if kind.name == "bool":
        lines += [words["bool"], words["not"].format(also="")]
        shown = words["on"] if default else words["off"]
        reg_type = "REG_DWORD 1/0"
    else:
        lines += [words["other"], words["not"].format(also=words["also"])]
        shown = str(default) if default != "" else words["empty"]
        reg_type = "REG_SZ"
    if kind.name == "number":
        whole = words["whole"] if isinstance(default, float) else ""
        lines.append(words["range"].format(low=kind.low, high=kind.high) + whole)
        shown = str(int(default))
        reg_type = "REG_DWORD" if kind.high <= DWORD_MAX else "REG_QWORD"
    lines.append(words["default"].format(value=shown))
    section = key.partition(".")[0]
    lines += ["", words["where"].format(path=path, name=name, type=reg_type, section=section)]
    return "\n".join(lines)


def render_adml(language: str) -> str:
    """The ADML file for ``language`` (``en`` or ``nl``)."""
    english = language == "en"
    root = _top("policyDefinitionResources")
    _element(root, "displayName", APP_NAME)
    _element(
        root,
        "description",
        "Settings of the helpdesk-tray service desk client"
        if english
        else "Instellingen van de servicedesk-tray helpdesk-tray",
    )
    resources = _element(root, "resources")
    strings = _element(resources, "stringTable")
    presentations = _element(resources, "presentationTable")
    for ident, (en, nl) in FIXED.items():
        _element(strings, "string", en if english else nl, id=ident)
    for key in policy_keys():
        ident = _ident(key)
        title = DUTCH[key][0 if english else 1]
        _element(strings, "string", f"{title} ({key})", id=ident)
        _element(strings, "string", _explain(key, language), id=f"{ident}_Explain")
        kind = kind_of(key)
        for choice in kind.choices:
            en_word, nl_word = CHOICE_WORDS.get((key, choice), (choice, choice))
            _element(strings, "string", en_word if english else nl_word, id=_choice_id(key, choice))
        if kind.name == "bool":
            continue
        default = getattr(Settings(), KEYS[key].field)
        shown = presentations
        presentation = _element(shown, "presentation", id=ident)
        label = f"{title}:"
        if kind.name == "number":
            tag = "decimalTextBox" if kind.high <= DWORD_MAX else "longDecimalTextBox"
            _element(presentation, tag, label, refId=ident, defaultValue=str(int(default)))
        elif kind.name == "choice":
            _element(presentation, "dropdownList", label, refId=ident, noSort="true",
                     defaultItem=str(kind.choices.index(default)))  # fmt: skip
        else:
            box = _element(presentation, "textBox", refId=ident)
            _element(box, "label", label)
            if default:
                _element(box, "defaultValue", str(default))
    return _document(root)


def render() -> dict[Path, str]:
    """Every file of the template, by path under the output folder."""
    missing = [key for key in policy_keys() if key not in DUTCH]
    stale = sorted(set(DUTCH) - set(policy_keys()))
    if missing or stale:
        raise SystemExit(
            "tools/make_admx.py: "
            + (f"no Dutch text for {', '.join(missing)}" if missing else "")
            + ("; " if missing and stale else "")
            + (f"Dutch text for keys Group Policy cannot set: {', '.join(stale)}" if stale else "")
        )
    return {
        ADMX: render_admx(),
        ADML["en-US"]: render_adml("en"),
        ADML["nl-NL"]: render_adml("nl"),
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Write the template into ``--out`` (or check it is current with ``--check``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--check", action="store_true", help="fail if the files differ")
    args = parser.parse_args(argv)
    stale = []
    for relative, text in render().items():
        path = args.out / relative
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        if args.check:
            stale.append(str(path))
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    if stale:
        sys.stderr.write(f"out of date (run python -m tools.make_admx): {', '.join(stale)}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
