"""IT's folder of plain files (TOML, Markdown, photos) read into a profile document and its files.

The folder (docs/admin-guide.md, "Write the profile"):

- ``organisation.toml``: the name, accent colour, logo, desk field, and
  ``photos = false`` to publish no photos at all;
- ``departments.toml``: one table per department, the table's name is its id;
- ``agents/<id>.toml``: one agent per file, the file name is the id; the
  photo beside it (``agents/<id>.png``, ``.jpg`` or ``.jpeg``);
- ``articles/<name>.md``: Markdown after a ``+++`` block of TOML (``id``,
  ``title``, ``language``, ``keywords``);
- ``fixes/<id>.toml``: one self-fix per file, the file name is the id; its
  scripts in ``fixes/<id>/``, named per platform in ``[scripts.<platform>]``.
  Each script's SHA-256 and length are written into the document, and shell
  and Python scripts are syntax-checked before anything is published;
- ``health.toml`` (optional): IT's health rules, one ``[rules.<id>]`` table
  each: a built-in rule's id changes or (``enabled = false``) switches off
  that rule, a new id adds one (docs/health.md, "IT's rules").

Every problem names its file and what is wrong. The document built is read
with :func:`client.core.profile.parse_profile`, so the problems the tray
would log are named here too, against the file they come from. Qt-free.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import tomllib
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from client.adapters.photos import decode_photo
from client.adapters.profile_update import MAX_FILE_BYTES, MAX_TOTAL_BYTES, PROFILE_TARGET
from client.core.errors import BadResponse
from client.core.fixes import INTERPRETERS, MAX_SCRIPT_BYTES, PLATFORMS
from client.core.profile import FORMAT, ProfileError, parse_profile

ORGANISATION_FILE = "organisation.toml"
DEPARTMENTS_FILE = "departments.toml"
AGENTS_DIR = "agents"
ARTICLES_DIR = "articles"
HEALTH_FILE = "health.toml"
_RULE_KEYS = (
    "metric", "above", "below", "title", "advice", "fix", "period_days", "persist_passes",
    "escalate_after_hours", "enabled",
)  # fmt: skip
FIXES_DIR = "fixes"
#: Where the logo is published (a target path of the profile).
BRANDING_DIR = "branding"

#: The photo types published: what every tray decodes, and what cameras and HR systems make.
PHOTO_SUFFIXES = (".png", ".jpg", ".jpeg")
_MAGIC = {b"\x89PNG\r\n\x1a\n": "PNG", b"\xff\xd8\xff": "JPEG"}
#: The square a photo is checked at: the size the tray's profile helper prepares.
_CHECK_SIDE = 160

_ORGANISATION_KEYS = ("name", "accent", "logo", "photos")
_DEPARTMENT_KEYS = ("name", "queue", "agent", "backup", "match")
_AGENT_KEYS = (
    "name", "role", "email", "phone", "chat", "show_photo", "photo", "hours", "absent", "status",
)  # fmt: skip
_ARTICLE_KEYS = ("id", "title", "language", "keywords")
_FIX_KEYS = (
    "version", "title", "description", "symptoms", "changes", "keywords", "timeout",
    "reversible", "run_as", "harmless", "arguments", "parameters", "scripts",
)  # fmt: skip
#: How IT's machine checks a script's syntax before publishing (``None``: not checked here).
_SYNTAX_CHECK = {"sh": ("sh", "-n"), "bash": ("bash", "-n")}
_FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
#: A problem parse_profile names by position: ``agents[2] (kim).hours.mon: ...``.
_POSITION = re.compile(
    r"^(agents|departments|articles|fixes|health\.rules)\[(\d+)\](?: \([^)]*\))?(.*)$",
    re.DOTALL,
)


@dataclass(frozen=True)
class ProfileSource:
    """The document and files read from IT's folder, and every problem found on the way."""

    document: dict[str, Any]
    #: Target path → content: the photos, the logo, the article bodies (not the document).
    files: dict[str, bytes]
    problems: tuple[str, ...]

    def payload(self) -> dict[str, bytes]:
        """Everything to publish: ``profile.json`` and the files."""
        document = json.dumps(self.document, ensure_ascii=False, indent=1).encode("utf-8")
        return {PROFILE_TARGET: document, **self.files}


def read_profile_source(folder: Path, version: int = 1) -> ProfileSource:
    """Read IT's ``folder`` into a profile document of ``version`` and its files."""
    return _Reader(folder).read(version)


class _Reader:
    """One reading of the folder: problems collected, files gathered, parts labelled by file."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.problems: list[str] = []
        self.files: dict[str, bytes] = {}
        #: For each list of the document, the file (or table) each entry came from.
        self.labels: dict[str, list[str]] = {
            "agents": [], "departments": [], "articles": [], "fixes": [], "health.rules": [],
        }  # fmt: skip

    def problem(self, where: str, what: str) -> None:
        self.problems.append(f"{where}: {what}")

    def read(self, version: int) -> ProfileSource:
        if not self.folder.is_dir():
            self.problem(str(self.folder), "not a folder")
            return ProfileSource({}, {}, tuple(self.problems))
        organisation, photos = self._organisation()
        document: dict[str, Any] = {
            "format": FORMAT,
            "version": version,
            "organisation": organisation,
            "departments": self._departments(),
            "agents": self._agents(photos),
            "articles": self._articles(),
            "fixes": self.fixes(),
        }
        rules = self._health_rules()
        if rules:
            document["health"] = {"rules": rules}
        try:
            parsed = parse_profile(document)
        except ProfileError as error:  # only the format and version, which are ours
            self.problem("profile", str(error))
        else:
            self.problems += [self._located(problem) for problem in parsed.problems]
        total = len(json.dumps(document, ensure_ascii=False).encode()) + sum(
            len(data) for data in self.files.values()
        )
        if total > MAX_TOTAL_BYTES:
            self.problem(
                "profile",
                f"the files come to {_megabytes(total)}; the tray takes at most "
                f"{_megabytes(MAX_TOTAL_BYTES)} in all (make photos smaller, or publish fewer)",
            )
        return ProfileSource(document, self.files, tuple(self.problems))

    def _located(self, problem: str) -> str:
        """A problem of parse_profile named by the file its part came from."""
        if problem.startswith("organisation."):
            return f"{ORGANISATION_FILE}: {problem.removeprefix('organisation.')}"
        match = _POSITION.match(problem)
        if match is None:
            return problem
        kind, index, rest = match.group(1), int(match.group(2)), match.group(3)
        labels = self.labels[kind]
        where = labels[index] if index < len(labels) else f"{kind}[{index}]"
        return f"{where}: {rest.lstrip('.: ')}" if rest else where

    # --- files -----------------------------------------------------------------------------

    def _toml(self, path: Path, where: str) -> dict[str, Any] | None:
        try:
            data = path.read_bytes()
        except OSError as error:
            self.problem(where, f"cannot be read ({error.strerror})")
            return None
        try:
            return _plain_table(tomllib.loads(data.decode("utf-8")))
        except UnicodeDecodeError:
            self.problem(where, "not UTF-8 text (save it as UTF-8)")
        except tomllib.TOMLDecodeError as error:
            self.problem(where, f"not valid TOML: {error}")
        return None

    def _small_file(self, path: Path, where: str) -> bytes | None:
        """The file's bytes, unless it is larger than the tray takes (checked before reading)."""
        try:
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                self.problem(
                    where,
                    f"{_megabytes(size)}; the tray takes files of at most "
                    f"{_megabytes(MAX_FILE_BYTES)} (not published)",
                )
                return None
            return path.read_bytes()
        except OSError as error:
            self.problem(where, f"cannot be read ({error.strerror})")
            return None

    def _image(self, path: Path, where: str) -> bytes | None:
        """A PNG or JPEG the tray can show, else ``None`` with the problem named."""
        data = self._small_file(path, where)
        if data is None:
            return None
        if not any(data.startswith(magic) for magic in _MAGIC):
            self.problem(where, "not a PNG or JPEG image (not published)")
            return None
        try:
            decode_photo(data, _CHECK_SIDE)
        except BadResponse as error:
            self.problem(where, f"the tray cannot show it: {error.detail} (not published)")
            return None
        return data

    def _unknown_keys(self, raw: dict[str, Any], known: tuple[str, ...], where: str) -> None:
        for key in raw:
            if key not in known:
                self.problem(where, f"unknown setting {key!r} (known: {', '.join(known)})")

    # --- the parts -------------------------------------------------------------------------

    def _organisation(self) -> tuple[dict[str, Any], bool]:
        """The organisation's entry, and whether photos are published at all."""
        path = self.folder / ORGANISATION_FILE
        if not path.is_file():
            self.problem(
                ORGANISATION_FILE,
                f"missing: is {self.folder} a profile folder? (docs/admin-guide.md)",
            )
            return {}, True
        raw = self._toml(path, ORGANISATION_FILE) or {}
        self._unknown_keys(raw, _ORGANISATION_KEYS, ORGANISATION_FILE)
        photos = raw.pop("photos", True)
        if not isinstance(photos, bool):
            self.problem(ORGANISATION_FILE, "photos: true or false")
            photos = True
        logo = raw.pop("logo", None)
        if logo is not None:
            where = f"{ORGANISATION_FILE}: logo"
            if not isinstance(logo, str) or not _FILE_NAME.match(logo):
                self.problem(where, "the name of an image file beside organisation.toml")
            elif not (self.folder / logo).is_file():
                self.problem(where, f"there is no file {logo} beside organisation.toml")
            elif (data := self._image(self.folder / logo, logo)) is not None:
                target = f"{BRANDING_DIR}/{logo}"
                self.files[target] = data
                raw["logo"] = target
        return raw, photos

    def _health_rules(self) -> list[dict[str, Any]]:
        """``health.toml``'s rules, each labelled by its table for the problems."""
        path = self.folder / HEALTH_FILE
        if not path.is_file():
            return []
        raw = self._toml(path, HEALTH_FILE) or {}
        self._unknown_keys(raw, ("rules",), HEALTH_FILE)
        tables = raw.get("rules", {})
        if not isinstance(tables, dict):
            self.problem(HEALTH_FILE, "rules: one [rules.<id>] table per rule")
            return []
        rules = []
        for rule_id, table in tables.items():
            where = f"{HEALTH_FILE} [rules.{rule_id}]"
            if not isinstance(table, dict):
                self.problem(where, "not a table")
                continue
            self._unknown_keys(table, _RULE_KEYS, where)
            rules.append({"id": rule_id, **table})
            self.labels["health.rules"].append(where)
        return rules

    def _departments(self) -> list[dict[str, Any]]:
        path = self.folder / DEPARTMENTS_FILE
        if not path.is_file():
            return []
        raw = self._toml(path, DEPARTMENTS_FILE) or {}
        departments = []
        for department_id, entry in raw.items():
            where = f"{DEPARTMENTS_FILE} [{department_id}]"
            if not isinstance(entry, dict):
                self.problem(where, "not a table: write [id] on a line, then its settings")
                continue
            self._unknown_keys(entry, _DEPARTMENT_KEYS, where)
            departments.append({"id": department_id, **entry})
            self.labels["departments"].append(where)
        return departments

    def _agents(self, photos: bool) -> list[dict[str, Any]]:
        folder = self.folder / AGENTS_DIR
        if not folder.is_dir():
            return []
        agents = []
        used: set[str] = set()
        entries = sorted(p for p in folder.iterdir() if not p.name.startswith("."))
        for path in entries:
            where = f"{AGENTS_DIR}/{path.name}"
            if path.suffix != ".toml":
                continue
            if not _ID.match(path.stem):
                self.problem(
                    where,
                    "the file name is the agent's id: lower-case letters, digits, - and _ "
                    "(not read)",
                )
                continue
            raw = self._toml(path, where)
            if raw is None:
                continue
            self._unknown_keys(raw, _AGENT_KEYS, where)
            entry: dict[str, Any] = {"id": path.stem, **raw}
            photo = self._photo_file(folder, path.stem, entry.pop("photo", None), where)
            if photo is not None:
                used.add(photo.name)
                wanted = photos and entry.get("show_photo", True) is not False
                # A photo that is not shown is not published either: it stays on IT's side.
                data = self._image(photo, f"{AGENTS_DIR}/{photo.name}") if wanted else None
                if data is not None:
                    target = f"{AGENTS_DIR}/{photo.name}"
                    self.files[target] = data
                    entry["photo"] = target
            agents.append(entry)
            self.labels["agents"].append(where)
        for path in entries:
            if path.name in used or path.suffix == ".toml" or not path.is_file():
                continue
            if path.suffix.lower() in PHOTO_SUFFIXES:
                self.problem(
                    f"{AGENTS_DIR}/{path.name}",
                    f"no agent file uses this photo ({AGENTS_DIR}/{path.stem}.toml); it is not "
                    "published. Delete it if the person has left.",
                )
            else:
                self.problem(
                    f"{AGENTS_DIR}/{path.name}",
                    "neither an agent (.toml) nor a photo (.png, .jpg, .jpeg); not read",
                )
        return agents

    def _photo_file(self, folder: Path, agent_id: str, named: object, where: str) -> Path | None:
        """The agent's photo: the file ``photo`` names, else ``<id>.png|.jpg|.jpeg`` beside it."""
        if named is not None:
            if not isinstance(named, str) or not _FILE_NAME.match(named):
                self.problem(where, "photo: the name of an image file in agents/")
                return None
            if not (folder / named).is_file():
                self.problem(where, f"photo: there is no file agents/{named}")
                return None
            return folder / named
        found = [folder / f"{agent_id}{suffix}" for suffix in PHOTO_SUFFIXES]
        found = [path for path in found if path.is_file()]
        if len(found) > 1:
            names = ", ".join(path.name for path in found)
            self.problem(where, f"two photos ({names}); keep one, or name it with photo = ...")
            return None
        return found[0] if found else None

    def _articles(self) -> list[dict[str, Any]]:
        folder = self.folder / ARTICLES_DIR
        if not folder.is_dir():
            return []
        articles = []
        seen: dict[str, str] = {}
        for path in sorted(p for p in folder.iterdir() if not p.name.startswith(".")):
            where = f"{ARTICLES_DIR}/{path.name}"
            if path.suffix != ".md":
                self.problem(where, "not a Markdown file (.md); not read")
                continue
            if not _FILE_NAME.match(path.name):
                self.problem(
                    where, "file names may use letters, digits, '.', '_' and '-' only (not read)"
                )
                continue
            article = self._article(path, where)
            if article is None:
                continue
            other = seen.get(article["id"])
            if other is not None:
                self.problem(where, f"the id {article['id']!r} is used by {other} too (not read)")
                continue
            seen[article["id"]] = where
            articles.append(article)
            self.labels["articles"].append(where)
        return articles

    def _article(self, path: Path, where: str) -> dict[str, Any] | None:
        data = self._small_file(path, where)
        if data is None:
            return None
        try:
            text = data.decode("utf-8").removeprefix("\ufeff")
        except UnicodeDecodeError:
            self.problem(where, "not UTF-8 text (save it as UTF-8)")
            return None
        lines = text.splitlines(keepends=True)
        closing = next((i for i, line in enumerate(lines[1:], 1) if line.strip() == "+++"), None)
        if not lines or lines[0].strip() != "+++" or closing is None:
            self.problem(
                where, "must start with a +++ block (title, language, keywords) closed by +++"
            )
            return None
        try:
            raw = _plain_table(tomllib.loads("".join(lines[1:closing])))
        except tomllib.TOMLDecodeError as error:
            self.problem(where, f"the +++ block is not valid TOML: {error}")
            return None
        self._unknown_keys(raw, _ARTICLE_KEYS, where)
        body = "".join(lines[closing + 1 :]).lstrip("\n")
        target = f"{ARTICLES_DIR}/{path.name}"
        self.files[target] = body.encode("utf-8")
        article_id = raw.pop("id", path.name.removesuffix(".md").replace(".", "-").lower())
        return {"id": article_id, **raw, "body": target}

    def fixes(self) -> list[dict[str, Any]]:
        """The ``fixes/`` folder: each ``<id>.toml`` with its scripts pinned by hash and length."""
        folder = self.folder / FIXES_DIR
        if not folder.is_dir():
            return []
        fixes = []
        for path in sorted(p for p in folder.iterdir() if not p.name.startswith(".")):
            where = f"{FIXES_DIR}/{path.name}"
            if path.is_dir() and (folder / f"{path.name}.toml").is_file():
                continue  # a fix's scripts, read with its file
            if path.suffix != ".toml" or not _ID.match(path.stem):
                self.problem(
                    where,
                    "not a fix: a fix is <id>.toml (lower-case letters, digits, - and _) "
                    "with its scripts in a folder of the same name (not read)",
                )
                continue
            raw = self._toml(path, where)
            if raw is None:
                continue
            self._unknown_keys(raw, _FIX_KEYS, where)
            scripts = raw.get("scripts")
            entry: dict[str, Any] = {"id": path.stem, **raw, "scripts": {}}
            for platform, variant in (scripts if isinstance(scripts, dict) else {}).items():
                entry["scripts"][platform] = self._variant(path.stem, platform, variant, where)
            fixes.append(entry)
            self.labels["fixes"].append(where)
        return fixes

    def _variant(self, fix_id: str, platform: str, raw: object, where: str) -> object:
        """``[scripts.<platform>]`` with each script file replaced by its pinned target."""
        if not isinstance(raw, dict) or platform not in PLATFORMS:
            return raw  # the tray's reading names what is wrong
        variant = dict(raw)
        for role in ("detect", "fix"):
            name = raw.get(role)
            here = f"{where} [scripts.{platform}] {role}"
            if not isinstance(name, str) or not _FILE_NAME.match(name):
                self.problem(here, f"the name of a script file in {FIXES_DIR}/{fix_id}/")
                variant.pop(role, None)
                continue
            data = self._script(self.folder / FIXES_DIR / fix_id / name, raw.get("interpreter"))
            if data is None:
                variant.pop(role, None)
                continue
            target = f"{FIXES_DIR}/{fix_id}/{name}"
            self.files[target] = data
            variant[role] = {
                "file": target,
                "sha256": hashlib.sha256(data).hexdigest(),
                "length": len(data),
            }
        return variant

    def _script(self, path: Path, interpreter: object) -> bytes | None:
        """A script's bytes, if it is UTF-8 text of a size the tray runs and its syntax holds."""
        where = f"{FIXES_DIR}/{path.parent.name}/{path.name}"
        if not path.is_file():
            self.problem(where, "missing")
            return None
        data = self._small_file(path, where)
        if data is None:
            return None
        if not 0 < len(data) <= MAX_SCRIPT_BYTES:
            self.problem(where, f"{len(data)} bytes; a script has 1 to {MAX_SCRIPT_BYTES}")
            return None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            self.problem(where, "not UTF-8 text (save it as UTF-8)")
            return None
        problem = syntax_problem(text, str(interpreter), where)
        if problem:
            self.problem(where, problem)
            return None
        return data


def syntax_problem(text: str, interpreter: str, name: str) -> str:
    """What is wrong with a script's syntax ("" when nothing, or no checker is on this machine).

    Python scripts are compiled; shell scripts read by ``sh -n`` / ``bash -n``
    when that shell is installed. PowerShell is not checked here.
    """
    if interpreter not in INTERPRETERS:
        return ""  # the tray's reading names the interpreter
    if interpreter == "python":
        try:
            compile(text, name, "exec", dont_inherit=True)
        except (SyntaxError, ValueError) as error:
            return f"Python syntax error: {error}"
        return ""
    check = _SYNTAX_CHECK.get(interpreter)
    program = shutil.which(check[0]) if check else None
    if check is None or program is None:
        return ""
    done = subprocess.run(  # noqa: S603 - a fixed checker that only reads the text
        [program, *check[1:]], input=text.encode(), capture_output=True, timeout=30, check=False
    )
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["?"]
        return f"{interpreter} syntax error: {detail[0].removeprefix(f'{program}: ')}"
    return ""


def read_fixes(folder: Path) -> tuple[list[dict[str, Any]], dict[str, bytes], tuple[str, ...]]:
    """Only the ``fixes/`` folder of ``folder``: entries, script files, problems (the demo's)."""
    reader = _Reader(folder)
    fixes = reader.fixes()
    return fixes, reader.files, tuple(reader.problems)


def _plain_table(table: dict[str, Any]) -> dict[str, Any]:
    """A TOML table with its dates and times as ISO text."""
    return {str(key): _plain_values(value) for key, value in table.items()}


def _plain_values(value: Any) -> Any:
    """TOML's dates and times as the ISO text the profile document holds."""
    if isinstance(value, dict):
        return {str(k): _plain_values(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_values(v) for v in value]
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"
