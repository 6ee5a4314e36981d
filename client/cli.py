"""``helpdesk-tray``: the tray by default, and headless commands over the same adapters."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TextIO

from PySide6.QtCore import QCoreApplication

from client import __version__
from client.adapters.paths import default_paths
from client.adapters.policy import UserSettingsFile, load_settings
from client.app import TOKEN_ENV, connector_for, run
from client.core.errors import ClientError, ConfigurationError, SecretStoreError, ValidationError
from client.core.models import Attachment
from client.core.ports import DeskPort, SecretStore, credential_account
from client.core.reports import build_report
from client.core.settings import MergeResult
from client.ui import resources, texts

EXIT_OK, EXIT_DESK, EXIT_USAGE = 0, 1, 2


translate = QCoreApplication.translate


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="helpdesk-tray",
        description="IT help in the system tray. Without a command, starts the tray.",
    )
    parser.add_argument("--version", action="version", version=f"helpdesk-tray {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    report = commands.add_parser("report", help="report a problem from the command line")
    report.add_argument("--subject", required=True, help="the problem in a few words")
    report.add_argument("--description", default="", help="what happened (optional)")
    report.add_argument(
        "--attach", action="append", default=[], type=Path, metavar="FILE", help="attach a file"
    )
    tickets = commands.add_parser("tickets", help="list your tickets and their stage")
    tickets.add_argument("--json", action="store_true", help="machine-readable output")
    sign_in = commands.add_parser("sign-in", help="sign in and keep the token in the keyring")
    sign_in.add_argument("--url", help="the service desk's address (default: from settings)")
    sign_in.add_argument("--username", help="your user name at the service desk")
    sign_in.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    commands.add_parser("sign-out", help="forget the stored sign-in")
    return parser


class _Cli:
    """The headless commands, over the same adapters and settings as the tray."""

    def __init__(self, environ: Mapping[str, str], out: TextIO, err: TextIO, stdin: TextIO) -> None:
        self._environ = environ
        self._out = out
        self._err = err
        self._stdin = stdin
        self._paths = default_paths(environ)
        self._settings: MergeResult = load_settings(self._paths, environ)

    def _secrets(self) -> SecretStore:
        # Deferred import, as in the tray: only commands that need the keyring load it.
        from client.adapters.keyring_store import KeyringStore

        return KeyringStore()

    def _desk(self) -> DeskPort:
        settings = self._settings.settings
        if not settings.desk_url:
            raise ConfigurationError("no desk address")
        credential = self._environ.get(TOKEN_ENV) or self._secrets().get(
            credential_account(settings.desk_url, settings.desk_username)
        )
        if not credential:
            raise ConfigurationError("no stored credential")
        return connector_for(settings.desk_kind, self._settings).open(settings.desk_url, credential)

    def report(self, args: argparse.Namespace) -> int:
        import mimetypes  # deferred: the tray itself never needs it (start-up budget)

        attachments = []
        for path in args.attach:
            try:
                data = path.read_bytes()
            except OSError as exc:
                message = translate("cli", "Cannot read the file %1: %2")
                reason = exc.strerror or str(exc)
                self._err.write(message.replace("%1", str(path)).replace("%2", reason) + "\n")
                return EXIT_USAGE
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            attachments.append(Attachment(path.name, content_type, data))
        report = build_report(
            args.subject,
            args.description,
            attachments,
            max_attachment_bytes=self._settings.settings.max_attachment_bytes,
        )
        ref = self._desk().create_ticket(report)
        self._out.write(
            translate("cli", "Your report is ticket %1.").replace("%1", str(ref)) + "\n"
        )
        return EXIT_OK

    def tickets(self, args: argparse.Namespace) -> int:
        tickets, _cursor = self._desk().changed_tickets(None)
        tickets.sort(key=lambda t: t.updated, reverse=True)
        if args.json:
            rows = [
                {
                    "ticket": str(t.ref),
                    "id": t.ref.id,
                    "title": t.title,
                    "stage": t.stage.value,
                    "agent": t.agent.name if t.agent else None,
                    "updated": t.updated.isoformat(),
                    "due": t.due.isoformat() if t.due else None,
                }
                for t in tickets
            ]
            json.dump(rows, self._out, indent=2, ensure_ascii=False)
            self._out.write("\n")
            return EXIT_OK
        if not tickets:
            self._out.write(translate("cli", "You have no tickets.") + "\n")
        for t in tickets:
            agent = t.agent.name if t.agent else translate("cli", "not assigned yet")
            self._out.write(
                f"{t.ref!s:<14} {texts.stage_label(t.stage):<16} {agent:<20} "
                f"{t.title[:80].replace(chr(10), ' ')}\n"
            )
        return EXIT_OK

    def sign_in(self, args: argparse.Namespace) -> int:
        settings = self._settings.settings
        url = args.url or settings.desk_url
        if args.url and "desk.url" in self._settings.locked and args.url != settings.desk_url:
            self._err.write(
                translate("cli", "The service desk address is set by your IT department.") + "\n"
            )
            return EXIT_USAGE
        username = args.username or settings.desk_username
        if not url or not username:
            self._err.write(
                translate("cli", "Give the service desk address (--url) and --username.") + "\n"
            )
            return EXIT_USAGE
        if args.password_stdin:
            password = self._stdin.readline().rstrip("\r\n")
        else:
            import getpass  # deferred: the tray itself never needs it (start-up budget)

            password = getpass.getpass(translate("cli", "Password: "))
        connector = connector_for(settings.desk_kind, self._settings)
        try:
            token = connector.sign_in(url, username, password)
            person = connector.open(url, token).whoami()
        except ClientError as error:
            self._err.write(texts.error_message(error, signing_in=True) + "\n")
            return EXIT_DESK
        self._secrets().set(credential_account(url, username), token)
        UserSettingsFile(self._paths.user_settings_file).update(
            {"desk.url": url.rstrip("/"), "desk.username": username}
        )
        self._out.write(translate("cli", "Signed in as %1.").replace("%1", person.name) + "\n")
        return EXIT_OK

    def sign_out(self, _args: argparse.Namespace) -> int:
        settings = self._settings.settings
        self._secrets().delete(credential_account(settings.desk_url, settings.desk_username))
        self._out.write(translate("cli", "Signed out.") + "\n")
        return EXIT_OK


def main(
    argv: Sequence[str] | None = None,
    environ: Mapping[str, str] = os.environ,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
    stdin: TextIO = sys.stdin,
) -> int:
    """Entry point of the ``helpdesk-tray`` command."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    args = _parser().parse_args(args_list)
    if args.command is None:
        return run([sys.argv[0], *args_list], environ)
    core_app = QCoreApplication.instance() or QCoreApplication([sys.argv[0]])
    cli = _Cli(environ, out, err, stdin)
    resources.install_translators(core_app, cli._settings.settings.language)
    command = {
        "report": cli.report,
        "tickets": cli.tickets,
        "sign-in": cli.sign_in,
        "sign-out": cli.sign_out,
    }[args.command]
    try:
        return command(args)
    except SecretStoreError as error:
        err.write(texts.error_message(error) + "\n")
        return EXIT_DESK
    except ValidationError as error:
        err.write(texts.error_message(error) + "\n")
        return EXIT_USAGE
    except ClientError as error:
        err.write(texts.error_message(error) + "\n")
        return EXIT_DESK
