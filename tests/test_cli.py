"""The headless commands against the real demo desk."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import jsonschema
import pytest

from client.adapters.desks.django_helpdesk import DjangoHelpdeskConnector, DjangoHelpdeskDesk
from client.adapters.http import HttpConfig
from client.adapters.keyring_store import SERVICE
from client.adapters.paths import HOME_ENV, POLICY_ENV, default_paths
from client.cli import EXIT_DESK, EXIT_OK, EXIT_SAVED, EXIT_USAGE, main
from client.core.diagnostics_schema import SCHEMA
from client.start import TOKEN_ENV
from tests.fakes import MemoryKeyring
from tests.support.desk_fixture import EMPLOYEE_PASSWORD, DeskAccess

# The CLI makes a QCoreApplication for its translations; in this process the
# tests' QApplication must exist first.
pytestmark = pytest.mark.usefixtures("qapp")


def _run(environ: dict[str, str], *argv: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), environ, out, err, io.StringIO(stdin))
    return code, out.getvalue(), err.getvalue()


def _sign_in(environ: dict[str, str], url: str, password: str) -> tuple[int, str, str]:
    args = ("sign-in", "--url", url, "--username", "anna", "--password-stdin")
    return _run(environ, *args, stdin=password + "\n")


def _desk(access: DeskAccess) -> DjangoHelpdeskDesk:
    return DjangoHelpdeskConnector(HttpConfig()).open(access.url, access.anna_token)


@pytest.fixture
def environ(tmp_path: Path) -> dict[str, str]:
    return {HOME_ENV: str(tmp_path / "home"), POLICY_ENV: str(tmp_path / "policy.toml")}


class _ClosedPipe(io.StringIO):
    """Standard output whose reader has stopped (``| head``)."""

    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")


@pytest.mark.desk
def test_sign_in_report_and_list(
    demo_desk: DeskAccess, environ: dict[str, str], tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    code, out, err = _sign_in(environ, demo_desk.url, EMPLOYEE_PASSWORD)
    assert (code, err) == (EXIT_OK, "")
    assert "Anna Jansen" in out
    assert memory_keyring.entries == {(SERVICE, f"anna@{demo_desk.url}"): demo_desk.anna_token}
    settings_text = (tmp_path / "home" / "config" / "settings.toml").read_text()
    assert demo_desk.url in settings_text and EMPLOYEE_PASSWORD not in settings_text

    log = tmp_path / "vpn.log"
    log.write_text("12:00 tunnel down\n")
    code, out, err = _run(
        environ,
        "report",
        "--subject",
        "VPN from the CLI",
        "--description",
        "drops",
        "--attach",
        str(log),
    )
    assert code == EXIT_OK, err
    ticket = out.strip().split()[-1].rstrip(".")
    assert ticket.startswith("finance-")

    mine_now = next(
        t for t in _desk(demo_desk).changed_tickets(None)[0] if t.title == "VPN from the CLI"
    )
    (opened,) = _desk(demo_desk).ticket(mine_now.ref).events[:1]
    assert sorted(a.filename for a in opened.attachments) == ["diagnostics.json", "vpn.log"]

    code, out, err = _run(environ, "tickets", "--json")
    rows = json.loads(out)
    mine = next(r for r in rows if r["ticket"] == ticket)
    assert (mine["title"], mine["stage"], mine["agent"]) == ("VPN from the CLI", "received", None)

    code, out, _ = _run(environ, "tickets")
    assert ticket in out and "VPN from the CLI" in out
    err_out = io.StringIO()  # "tickets --json | head": the reader stops early
    code = main(["tickets", "--json"], environ, _ClosedPipe(), err_out, io.StringIO())
    assert (code, err_out.getvalue()) == (EXIT_OK, ""), "no traceback, no complaint"

    kept = default_paths(environ).ticket_files_dir / ticket
    kept.mkdir(parents=True)
    (kept / "screenshot.webp").write_bytes(b"RIFF")  # a file of a ticket, opened earlier
    assert _run(environ, "sign-out")[0] == EXIT_OK
    assert memory_keyring.entries == {}
    assert not kept.exists(), "the tickets' files go with the sign-in"
    code, _, err = _run(environ, "tickets")
    assert code == EXIT_DESK and err.strip()


def test_without_signing_in_the_cli_says_so(environ: dict[str, str]) -> None:
    code, out, err = _run(environ, "tickets")
    assert code == EXIT_DESK and out == ""
    assert "sign in" in err.lower()


def test_a_missing_attachment_is_named(environ: dict[str, str], tmp_path: Path) -> None:
    missing = tmp_path / "nope.txt"
    code, _, err = _run(environ, "report", "--subject", "x", "--attach", str(missing))
    assert code == EXIT_USAGE
    assert err.strip() == f"There is no file {missing}.", "not 'no longer there': it never was"


def test_a_file_over_the_limit_is_named_with_the_limit(
    environ: dict[str, str], tmp_path: Path
) -> None:
    big = tmp_path / "memory.dmp"
    with big.open("wb") as out:
        out.truncate(20 * 1024 * 1024 + 1)  # one byte over the default limit, sparse
    code, _, err = _run(environ, "report", "--subject", "x", "--attach", str(big))
    assert code == EXIT_USAGE
    assert "“memory.dmp”: This file is too large" in err and "21.0 MB" in err


def test_an_empty_subject_is_refused(environ: dict[str, str]) -> None:
    code, _, err = _run(environ, "report", "--subject", "  ")
    assert code == EXIT_USAGE and err.strip()


@pytest.mark.desk
def test_a_wrong_password_is_refused(demo_desk: DeskAccess, environ: dict[str, str]) -> None:
    code, _, err = _sign_in(environ, demo_desk.url, "wrong")
    assert code == EXIT_DESK and "password" in err.lower()


def test_the_policy_locks_the_desk_address(environ: dict[str, str]) -> None:
    Path(environ[POLICY_ENV]).write_text('[desk]\nurl = "https://desk.example.org"\n')
    code, _, err = _sign_in(environ, "https://evil.example.org", "x")
    assert code == EXIT_USAGE and "IT" in err


@pytest.mark.desk
def test_a_report_made_while_the_desk_is_away_is_saved_for_later(
    demo_desk: DeskAccess, environ: dict[str, str], tmp_path: Path
) -> None:
    environ.update(
        {
            "HELPDESK_TRAY_DESK_URL": "http://127.0.0.1:9",  # nobody listens
            "HELPDESK_TRAY_DESK_USERNAME": "anna",
            "HELPDESK_TRAY_TOKEN": demo_desk.anna_token,
        }
    )
    code, out, err = _run(environ, "report", "--subject", "Sent from a train")
    assert code == EXIT_SAVED
    assert "saved on this computer" in out and "keep trying" not in err
    # Back on the network, the next command (or the tray) sends what waited.
    environ["HELPDESK_TRAY_DESK_URL"] = demo_desk.url
    code, out, _ = _run(environ, "report", "--subject", "Second report")
    assert code == EXIT_OK
    titles = [t.title for t in _desk(demo_desk).changed_tickets(None)[0]]
    assert titles.count("Sent from a train") == 1 and titles.count("Second report") == 1


@pytest.mark.desk
def test_without_a_keyring_the_cli_says_so_plainly(
    demo_desk: DeskAccess, environ: dict[str, str]
) -> None:
    import keyring
    import keyring.backends.fail

    keyring.set_keyring(keyring.backends.fail.Keyring())  # type: ignore[no-untyped-call]
    code, _, err = _sign_in(environ, demo_desk.url, EMPLOYEE_PASSWORD)
    assert code == EXIT_DESK and "keyring" in err.lower()


def test_diagnose_prints_the_snapshot_in_words_and_as_its_json_document(
    environ: dict[str, str],
) -> None:
    code, out, err = _run(environ, "diagnose")
    assert (code, err) == (EXIT_OK, "")
    assert out.startswith("Diagnostics of this computer, ") and "Memory: " in out
    code, out, _ = _run(environ, "diagnose", "--json")
    document = json.loads(out)
    jsonschema.validate(document, SCHEMA, format_checker=jsonschema.FormatChecker())


def test_a_report_can_go_without_diagnostics(
    demo_desk: DeskAccess, environ: dict[str, str]
) -> None:
    environ.update({"HELPDESK_TRAY_DESK_URL": demo_desk.url, "HELPDESK_TRAY_DESK_USERNAME": "anna",
                    "HELPDESK_TRAY_TOKEN": demo_desk.anna_token})  # fmt: skip
    code, _, err = _run(environ, "report", "--subject", "Quiet report", "--no-diagnostics")
    assert code == EXIT_OK, err
    desk = _desk(demo_desk)
    mine = next(t for t in desk.changed_tickets(None)[0] if t.title == "Quiet report")
    assert [a for e in desk.ticket(mine.ref).events for a in e.attachments] == []


#: The user's credential, as an odd log line might quote it (no "token" word to give it away).
CREDENTIAL = "c0ffee41d7e5b84a03a1c6f0e2d7b95c84aa13e6"


def _log_quoting_the_credential(environ: dict[str, str]) -> None:
    log_file = default_paths(environ).log_file
    log_file.parent.mkdir(parents=True, exist_ok=True)
    log_file.write_text(f"12:01 ERROR odd line quoting {CREDENTIAL} verbatim\n", encoding="utf-8")


def test_diagnose_masks_the_credential_from_the_environment_in_the_log_tail(
    environ: dict[str, str],
) -> None:
    environ[TOKEN_ENV] = CREDENTIAL
    _log_quoting_the_credential(environ)
    code, out, err = _run(environ, "diagnose", "--json")
    assert (code, err) == (EXIT_OK, "")
    assert CREDENTIAL not in out
    assert json.loads(out)["log_tail"] == ["12:01 ERROR odd line quoting [redacted] verbatim"]


def test_diagnose_masks_the_stored_credential_in_the_log_tail(
    environ: dict[str, str], memory_keyring: MemoryKeyring
) -> None:
    environ.update({"HELPDESK_TRAY_DESK_URL": "http://127.0.0.1:9",
                    "HELPDESK_TRAY_DESK_USERNAME": "anna"})  # fmt: skip
    memory_keyring.set_password(SERVICE, "anna@http://127.0.0.1:9", CREDENTIAL)
    _log_quoting_the_credential(environ)
    code, out, _ = _run(environ, "diagnose", "--json")
    assert code == EXIT_OK
    assert CREDENTIAL not in out


def test_diagnose_works_when_the_keyring_cannot_be_asked(environ: dict[str, str]) -> None:
    import keyring
    import keyring.backends.fail

    environ.update({"HELPDESK_TRAY_DESK_URL": "http://127.0.0.1:9",
                    "HELPDESK_TRAY_DESK_USERNAME": "anna"})  # fmt: skip
    keyring.set_keyring(keyring.backends.fail.Keyring())  # type: ignore[no-untyped-call]
    code, out, err = _run(environ, "diagnose", "--json")
    assert (code, err) == (EXIT_OK, "")
    assert json.loads(out)["network"]["desk"]["host"] == "127.0.0.1"


def test_show_opens_the_panel_for_a_keyboard_shortcut(monkeypatch: pytest.MonkeyPatch) -> None:
    import client.start

    started: list[tuple[list[str], bool]] = []

    def run(argv: list[str], environ: object, show_panel: bool = False) -> int:
        started.append((argv, show_panel))
        return 0

    monkeypatch.setattr(client.start, "run", run)
    assert main(["show"]) == EXIT_OK
    assert main([]) == EXIT_OK
    assert [panel for _, panel in started] == [True, False]


def test_the_help_names_the_show_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "open the IT help panel" in capsys.readouterr().out


def test_help_and_usage_mistakes_speak_the_users_language(environ: dict[str, str]) -> None:
    import subprocess
    import sys

    dutch = {**os.environ, **environ, "HELPDESK_TRAY_UI_LANGUAGE": "nl"}
    shown = subprocess.run(
        [sys.executable, "-m", "client", "report", "--help"],
        env=dutch, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert shown.stdout.startswith("gebruik: helpdesk-tray report [-h]")
    assert "opties:" in shown.stdout and "deze hulp tonen en stoppen" in shown.stdout
    assert "usage" not in shown.stdout and "show this help" not in shown.stdout
    wrong = subprocess.run(
        [sys.executable, "-m", "client", "report"], env=dutch, capture_output=True, text=True
    )
    assert wrong.returncode == EXIT_USAGE
    assert (
        wrong.stderr.splitlines()[-1] == "helpdesk-tray report: fout: dit is ook nodig: --subject"
    )
