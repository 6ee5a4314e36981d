"""A demo organisation's signed profile: departments, their agents, articles, drawn faces.

Built with the project's own publishing code (``client/adapters/profile_repository.py``)
into a folder and served on 127.0.0.1, as IT would serve it from any web
server. The faces are drawn here, never photos of real people. Hours are set
around ``now`` so one agent is at work and another is not, whenever it runs.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from PIL import Image, ImageDraw
from securesystemslib.signer import CryptoSigner, Signer

from client.adapters.profile_repository import ROLES, ProfileRepository, serve_folder
from client.adapters.profile_source import read_fixes
from client.adapters.profile_update import PROFILE_TARGET

ZONE = ZoneInfo("Europe/Amsterdam")
DEMO_DIR = Path(__file__).resolve().parent
ARTICLES_DIR = DEMO_DIR / "articles"
#: The demo's knowledge articles: file in demo/articles/, title, keywords.
ARTICLES = (
    ("vpn.nl.md", "VPN werkt niet thuis", ("vpn", "thuiswerken", "verbinding")),
    ("vpn.en.md", "The VPN does not connect at home", ("vpn", "home", "connection")),
    ("printer.en.md", "The printer says it is offline", ("printer", "offline", "print")),
    ("printer.nl.md", "De printer staat offline", ("printer", "offline", "afdrukken")),
    ("password.nl.md", "Wachtwoord vergeten of verlopen", ("wachtwoord", "inloggen")),
    (
        "teams-audio.en.md",
        "No sound in a Teams call",
        ("teams", "audio", "headset", "sound", "geluid", "microfoon"),
    ),
    (
        "outlook-mail.nl.md",
        "Outlook ontvangt of verstuurt geen mail",
        ("outlook", "mail", "e-mail", "postvak", "email", "inbox", "outbox", "send", "receive"),
    ),
    (
        "second-screen.en.md",
        "A second screen is not detected",
        ("monitor", "screen", "display", "dock", "scherm", "beeldscherm", "tweede"),
    ),
    (
        "wifi-office.nl.md",
        "Wifi op kantoor valt steeds weg",
        ("wifi", "draadloos", "netwerk", "kantoor", "wireless", "office", "network"),
    ),
    (
        "mfa-new-phone.en.md",
        "Moving the authenticator app to a new phone",
        ("mfa", "authenticator", "phone", "sign-in", "telefoon", "inlogcode", "code"),
    ),
    (
        "teams-camera.nl.md",
        "Camera werkt niet in Teams",
        ("teams", "camera", "webcam", "beeld", "video"),
    ),
    (
        "password.en.md",
        "Forgot or expired password",
        ("password", "login", "sign-in", "expired"),
    ),
    (
        "network-drive.nl.md",
        "Netwerkschijf of gedeelde map niet zichtbaar",
        (
            "netwerkschijf",
            "netwerkmap",
            "gedeeld",
            "verkenner",
            "network",
            "drive",
            "shared",
            "folder",
        ),
    ),
    (
        "slow-laptop.en.md",
        "The laptop is slow or the fan is loud",
        ("slow", "laptop", "fan", "performance", "traag", "langzaam", "computer", "ventilator"),
    ),
)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def drawn_face(
    skin: tuple[int, int, int], hair: tuple[int, int, int], shirt: tuple[int, int, int]
) -> bytes:
    """A friendly drawn face (PNG), 256 px: no real person's photo in a demo."""
    image = Image.new("RGB", (256, 256), (226, 236, 244))
    draw = ImageDraw.Draw(image)
    draw.ellipse((48, 190, 208, 330), fill=shirt)  # shoulders
    draw.ellipse((78, 50, 178, 170), fill=skin)  # head
    draw.chord((72, 36, 184, 130), 180, 360, fill=hair)  # hair
    for x in (108, 148):
        draw.ellipse((x - 6, 102, x + 6, 114), fill=(40, 40, 50))  # eyes
    draw.arc((104, 118, 152, 150), 20, 160, fill=(120, 50, 50), width=4)  # smile
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _article(name: str, title: str, keywords: tuple[str, ...]) -> dict[str, Any]:
    article_id, language, _ = name.split(".")
    return {
        "id": f"{article_id}-{language}",
        "title": title,
        "language": language,
        "keywords": list(keywords),
        "body": f"articles/{name}",
    }


def _week(span: str) -> dict[str, str]:
    return dict.fromkeys(WEEKDAYS, span)


def demo_document(now: datetime) -> tuple[dict[str, Any], dict[str, bytes]]:
    """The demo profile and its files, with hours around ``now`` (Amsterdam time)."""
    local = now.astimezone(ZONE)
    start = (local - timedelta(hours=1)).replace(minute=0)
    end = (local + timedelta(hours=2)).replace(minute=0)
    if start.date() != local.date():
        start = local.replace(hour=0, minute=0)
    at_work = f"{start:%H:%M}-{end:%H:%M}" if end.date() == local.date() else f"{start:%H:%M}-24:00"
    office = (8, 30) <= (local.hour, local.minute) < (17, 0)
    # Away now: office hours in the evening and at night, an early shift during the day.
    gone_home = "07:00-08:00" if office else "08:30-17:00"
    # The demo's fixes are read as IT's folder would be: demo/fixes/<id>.toml and their scripts.
    fixes, scripts, problems = read_fixes(DEMO_DIR)
    if problems:
        raise ValueError(f"the demo's fixes do not hold up: {problems}")
    document = {
        "format": 1,
        "version": 1,
        "organisation": {
            "name": {"en": "Example Council IT", "nl": "Gemeente Voorbeeld ICT"},
            "accent": "#0b6e4f",
        },
        # The demo desk's three departments (demo/tray_api seed_demo), their agents with
        # the desk's e-mail addresses (so the tracker knows them), queues by their slugs.
        "agents": [
            {
                "id": "joost",
                "name": "Joost Bakker",
                "role": {"en": "Service desk, Finance", "nl": "Servicedesk, Financiën"},
                "photo": "agents/joost.png",
                "email": "joost@example.org",
                "phone": "+31 20 555 0101",
                "chat": "https://chat.example.org/joost",
                "hours": {"time_zone": "Europe/Amsterdam", "week": _week(at_work)},
            },
            {
                "id": "sanne",
                "name": "Sanne de Vries",
                "role": {"en": "Service desk, HR", "nl": "Servicedesk, HR"},
                "email": "sanne@example.org",
                "phone": "+31 20 555 0102",
                "hours": {"time_zone": "Europe/Amsterdam", "week": _week(gone_home)},
            },
            {
                "id": "priya",
                "name": "Priya Ramdin",
                "role": {"en": "Service desk, Sales", "nl": "Servicedesk, Verkoop"},
                "photo": "agents/priya.png",
                "email": "priya@example.org",
                "hours": {"time_zone": "Europe/Amsterdam", "week": _week(gone_home)},
            },
        ],
        "departments": [
            {
                "id": "finance",
                "name": {"en": "Finance", "nl": "Financiën"},
                "queue": "finance",
                "agent": "joost",
                "backup": "priya",
                "match": {"policy": ["FIN"], "desk": ["Finance"]},
            },
            {
                "id": "hr",
                "name": "HR",
                "queue": "hr",
                "agent": "sanne",
                "backup": "joost",
                "match": {"policy": ["HR"], "desk": ["HR"]},
            },
            {
                "id": "sales",
                "name": {"en": "Sales", "nl": "Verkoop"},
                "queue": "sales",
                "agent": "priya",
                "backup": "joost",
                "match": {"policy": ["SAL"], "desk": ["Sales"]},
            },
        ],  # fmt: skip
        "articles": [_article(*entry) for entry in ARTICLES],
        "fixes": fixes,
    }
    files = {
        "agents/joost.png": drawn_face((241, 200, 170), (90, 60, 40), (40, 90, 160)),
        "agents/priya.png": drawn_face((176, 128, 96), (30, 30, 30), (160, 60, 90)),
        **{f"articles/{name}": (ARTICLES_DIR / name).read_bytes() for name, *_ in ARTICLES},
        **scripts,
    }
    return document, files


@dataclass
class DemoRepository:
    """The demo profile's repository, its keys (a demo keeps them at hand) and trusted root."""

    repo: ProfileRepository
    keys: dict[str, list[Signer]]

    @property
    def root(self) -> bytes:
        """The trusted root IT installs beside the policy (``profile-root.json``)."""
        return (self.repo.metadata_dir / "1.root.json").read_bytes()

    def publish(self, document: dict[str, Any], files: dict[str, bytes]) -> None:
        """Publish ``document`` with its files as the new profile."""
        payload = {PROFILE_TARGET: json.dumps(document, ensure_ascii=False).encode(), **files}
        self.repo.publish(
            payload, self.keys["targets"], self.keys["snapshot"], self.keys["timestamp"]
        )


def publish_demo_profile(folder: Path, now: datetime) -> DemoRepository:
    """Create the demo repository in ``folder`` and publish the demo profile in it."""
    keys: dict[str, list[Signer]] = {role: [CryptoSigner.generate_ed25519()] for role in ROLES}
    repo = ProfileRepository(folder)
    repo.create(keys, {})
    demo = DemoRepository(repo, keys)
    demo.publish(*demo_document(now))
    return demo


#: Serve the demo repository on 127.0.0.1 (any free port), yielding its URL: the shared
#: ``serve_folder``, under the name the demo's callers (bench, tools, tests) use.
serve_profile = serve_folder
