"""``helpdesk-tray``: the tray by default, and headless commands over the same adapters.

A report made here goes through the same outbox as the tray's: it is saved
first, then sent; if the desk cannot be reached it waits, and the tray sends
it later.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import shutil
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NoReturn, TextIO

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent, QEventLoop, QThreadPool

from client import TRAY_LAUNCHES, __version__
from client.adapters.paths import default_paths
from client.adapters.policy import UserSettingsFile, load_settings
from client.adapters.store import SqliteOutbox
from client.app import connector_for, evidence_service
from client.core.diagnostics import CONTENT_TYPE, FILE_NAME, facts, to_json
from client.core.errors import (
    ClientError,
    ConfigurationError,
    SecretStoreError,
    StoreError,
    ValidationError,
    as_client_error,
)
from client.core.models import Attachment
from client.core.outbox import OutboxSender, OutboxState
from client.core.ports import DeskPort, SecretStore, credential_account
from client.core.redact import Redactor
from client.core.reports import build_report
from client.core.settings import MergeResult, desk_url_problem
from client.services.tasks import TaskRunner
from client.start import TOKEN_ENV, launch
from client.ui import resources, texts
from client.ui.texts import diagnostics_text

EXIT_OK, EXIT_DESK, EXIT_USAGE, EXIT_SAVED = 0, 1, 2, 4

translate = QCoreApplication.translate


#: argparse's most common complaints (its own words, matched), in the user's language.
_ARGPARSE_ERRORS = (
    (
        r"the following arguments are required: (.*)",
        QT_TRANSLATE_NOOP("cli", "this is needed too: %1"),
    ),
    (r"unrecognized arguments: (.*)", QT_TRANSLATE_NOOP("cli", "not understood: %1")),
    (
        r"argument COMMAND: invalid choice: '([^']*)'.*",
        QT_TRANSLATE_NOOP("cli", "there is no command %1 (see --help)"),
    ),
)


class _Formatter(argparse.HelpFormatter):
    """argparse's help layout, with "usage:" in the user's language."""

    def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:  # noqa: D102
        # A subcommand's own name is worked out with prefix "": no "usage:" in it.
        words = translate("cli", "usage: ") if prefix is None else prefix
        super().add_usage(usage, actions, groups, words)


class _Parser(argparse.ArgumentParser):
    """argparse, with its own words (headings, ``--help``) in the user's language too."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self.add_argument(
            "-h", "--help", action="help", default=argparse.SUPPRESS,
            help=translate("cli", "show this help and stop"),
        )  # fmt: skip
        self._positionals.title = translate("cli", "arguments")
        self._optionals.title = translate("cli", "options")

    def error(self, message: str) -> NoReturn:  # noqa: D102
        self.print_usage(sys.stderr)
        for pattern, words in _ARGPARSE_ERRORS:
            found = re.fullmatch(pattern, message)
            if found:
                message = translate("cli", str(words)).replace("%1", found.group(1))
                break
        text = translate("cli", "%1: error: %2").replace("%1", self.prog).replace("%2", message)
        self.exit(EXIT_USAGE, text + "\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="helpdesk-tray",
        description=translate("cli", "IT help in the system tray. Without a command: the tray."),
    )
    parser.add_argument(
        "--version", action="version", version=f"helpdesk-tray {__version__}",
        help=translate("cli", "show the version and stop"),
    )  # fmt: skip
    parser._positionals.title = translate("cli", "commands")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    report = commands.add_parser(
        "report",
        help=translate("cli", "report a problem (saved first; sent now, or later by the tray)"),
    )
    report.add_argument(
        "--subject", required=True, help=translate("cli", "the problem in a few words")
    )
    report.add_argument(
        "--description", default="", help=translate("cli", "what happened (optional)")
    )
    report.add_argument(
        "--attach",
        action="append",
        default=[],
        type=Path,
        metavar="FILE",
        help=translate("cli", "attach a file (repeat for more)"),
    )
    report.add_argument(
        "--no-diagnostics",
        action="store_true",
        help=translate("cli", "do not send a diagnostics snapshot of this computer"),
    )
    diagnose = commands.add_parser(
        "diagnose", help=translate("cli", "show the diagnostics a report would carry")
    )
    diagnose.add_argument(
        "--json", action="store_true", help=translate("cli", "the JSON document itself")
    )
    tickets = commands.add_parser("tickets", help=translate("cli", "list your tickets"))
    tickets.add_argument(
        "--json", action="store_true", help=translate("cli", "machine-readable output")
    )
    sign_in = commands.add_parser(
        "sign-in", help=translate("cli", "sign in and keep the token in the keyring")
    )
    sign_in.add_argument(
        "--url", help=translate("cli", "the service desk's address (default: from settings)")
    )
    sign_in.add_argument("--username", help=translate("cli", "your user name at the service desk"))
    sign_in.add_argument(
        "--password-stdin",
        action="store_true",
        help=translate("cli", "read the password from standard input"),
    )
    commands.add_parser("sign-out", help=translate("cli", "forget the stored sign-in"))
    commands.add_parser(
        "show",
        help=translate(
            "cli", "open the IT help panel (for a keyboard shortcut; starts the tray if needed)"
        ),
    )
    return parser


class _Cli:
    """The headless commands, over the same adapters and settings as the tray."""

    def __init__(
        self,
        settings: MergeResult,
        environ: Mapping[str, str],
        out: TextIO,
        err: TextIO,
        stdin: TextIO,
    ) -> None:
        self._settings = settings
        self._environ = environ
        self._out = out
        self._err = err
        self._stdin = stdin
        self._paths = default_paths(environ)

    def _say(self, text: str) -> None:
        self._out.write(text + "\n")

    def _complain(self, text: str) -> None:
        self._err.write(text + "\n")

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

    def _snapshot(self) -> dict[str, Any] | None:
        """Take the diagnostics snapshot as the tray does (``None`` if it cannot be taken)."""
        # Qt objects live under the application and leave by deleteLater, never by
        # Python's garbage collector while a worker's result may still be on its way.
        core = QCoreApplication.instance()
        pool = QThreadPool(core)
        settings = self._settings.settings
        # The user's credential, as the tray's redactor knows it, so that a log line
        # quoting it verbatim is masked too. Signed out, or without a keyring: no
        # credential to mask, and the snapshot is taken all the same.
        redactor = Redactor()
        credential = self._environ.get(TOKEN_ENV)
        if not credential and settings.desk_url and settings.desk_username:
            try:
                credential = self._secrets().get(
                    credential_account(settings.desk_url, settings.desk_username)
                )
            except SecretStoreError:
                credential = None
        if credential:
            redactor.add_secret(credential)
        evidence = evidence_service(
            TaskRunner(pool, core),
            self._settings,
            lambda: settings.desk_url,
            self._paths.log_file,
            redactor,
        )
        evidence.setParent(core)
        loop = QEventLoop()
        result: list[dict[str, Any] | None] = []

        def done(document: dict[str, Any] | None) -> None:
            result.append(document)
            loop.quit()

        evidence.diagnostics_ready.connect(lambda _number, document: done(document))
        evidence.diagnostics_failed.connect(lambda _number, _error: done(None))
        evidence.collect_diagnostics()
        loop.exec()
        evidence.shutdown()  # the helper process has done its part
        pool.waitForDone()
        evidence.deleteLater()
        pool.deleteLater()
        # Deleted now, on this thread, with their timers: no event loop runs after this
        # to do it, and a garbage collection on another thread must not (a command run
        # inside a longer-lived process, the test suite, crashed that way).
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        return result[0]

    def diagnose(self, args: argparse.Namespace) -> int:
        document = self._snapshot()
        if document is None:
            self._complain(translate("cli", "The diagnostics could not be collected."))
            return EXIT_DESK
        if args.json:
            self._out.write(to_json(document).decode("utf-8") + "\n")
        else:
            self._say(diagnostics_text(document))
        return EXIT_OK

    def report(self, args: argparse.Namespace) -> int:
        from client.adapters.files import read_user_file  # deferred: start-up budget

        settings = self._settings.settings
        attachments: list[Attachment] = []
        for path in args.attach:
            room = settings.max_attachment_bytes - sum(a.size for a in attachments)
            try:
                attachments.append(read_user_file(str(path), room))
            except ValidationError as error:
                if error.code == "file_missing":  # typed here: it never was there
                    self._complain(texts.fill(translate("cli", "There is no file %1."), path))
                else:
                    self._complain(texts.file_problem(error, settings.max_attachment_bytes))
                return EXIT_USAGE
        summary = ""
        if not args.no_diagnostics:
            document = self._snapshot()
            if document is not None:
                attachments.insert(0, Attachment(FILE_NAME, CONTENT_TYPE, to_json(document)))
                summary = texts.diagnostics_summary(facts(document))
        report = build_report(
            args.subject,
            args.description,
            attachments,
            summary=summary,
            max_attachment_bytes=settings.max_attachment_bytes,
        )
        store = SqliteOutbox(
            self._paths.data_dir / "outbox.sqlite3",
            max_bytes=self._settings.settings.max_outbox_bytes,
        )
        try:
            store.add(report, time.time())
            try:
                desk = self._desk()
            except ClientError as error:
                return self._saved_not_sent(error)
            sender = OutboxSender(store, time.time)
            while (attempt := sender.send_next(desk)) is not None:
                if attempt.item.key != report.key:
                    continue  # an older report went first, as in the tray
                if attempt.delivered:
                    ticket = str(attempt.item.ticket)
                    self._say(translate("cli", "Your report is ticket %1.").replace("%1", ticket))
                    for name, why in attempt.item.refused:
                        self._complain(
                            translate("cli", "Not sent with it: %1 (%2).")
                            .replace("%1", name)
                            .replace("%2", texts.refusal(why))
                        )
                    self._send_waiting(store, sender, desk)
                    return EXIT_OK
                if attempt.item.state is OutboxState.REJECTED:
                    assert attempt.error is not None
                    self._complain(texts.error_message(as_client_error(attempt.error)))
                    self._complain(
                        translate(
                            "cli", "The report is kept; you can change and resend it in the tray."
                        )
                    )
                    return EXIT_DESK
                assert attempt.error is not None
                return self._saved_not_sent(as_client_error(attempt.error))
            return self._saved_not_sent(ConfigurationError("waiting for an earlier attempt"))
        finally:
            store.close()

    def _send_waiting(self, store: SqliteOutbox, sender: OutboxSender, desk: DeskPort) -> None:
        """The desk answers again: earlier reports that waited for it go too."""
        store.due_now(time.time())
        while (attempt := sender.send_next(desk)) is not None and attempt.error is None:
            ticket = str(attempt.item.ticket)
            self._say(
                translate("cli", "An earlier report, “%1”, is ticket %2.")
                .replace("%1", attempt.item.subject[:60])
                .replace("%2", ticket)
            )

    def _saved_not_sent(self, error: ClientError) -> int:
        self._complain(texts.error_message(error))
        self._say(
            translate(
                "cli",
                "Your report is saved on this computer; IT help sends it as soon as the "
                "service desk can be reached.",
            )
        )
        return EXIT_SAVED

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
            self._say(translate("cli", "You have no tickets."))
        for t in tickets:
            agent = t.agent.name if t.agent else translate("cli", "not assigned yet")
            title = t.title[:80].replace("\n", " ")
            self._say(f"{t.ref!s:<14} {texts.stage_label(t.stage):<16} {agent:<20} {title}")
        return EXIT_OK

    def sign_in(self, args: argparse.Namespace) -> int:
        settings = self._settings.settings
        url = (args.url or settings.desk_url).rstrip("/")
        if args.url and "desk.url" in self._settings.locked and url != settings.desk_url:
            self._complain(
                translate("cli", "The service desk address is set by your IT department.")
            )
            return EXIT_USAGE
        username = args.username or settings.desk_username
        problem = desk_url_problem(url) if url else None
        if problem is not None:
            self._complain(texts.error_message(ValidationError(problem, "url")))
            return EXIT_USAGE
        if not url or not username:
            self._complain(
                translate("cli", "Give the service desk address (--url) and --username.")
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
            self._complain(texts.error_message(error, signing_in=True))
            return EXIT_DESK
        try:
            self._secrets().set(credential_account(url, username), token)
        except SecretStoreError:
            self._complain(
                translate(
                    "cli",
                    "No safe place for passwords (a keyring) was found on this computer, so the "
                    "sign-in cannot be kept. On Linux, install and unlock a Secret Service such "
                    "as GNOME Keyring or KWallet, then sign in again.",
                )
            )
            return EXIT_DESK
        UserSettingsFile(self._paths.user_settings_file).update(
            {"desk.url": url, "desk.username": username}
        )
        self._say(translate("cli", "Signed in as %1.").replace("%1", person.name))
        return EXIT_OK

    def sign_out(self, _args: argparse.Namespace) -> int:
        settings = self._settings.settings
        self._secrets().delete(credential_account(settings.desk_url, settings.desk_username))
        # The tickets' files opened on this computer go with the sign-in.
        shutil.rmtree(default_paths(self._environ).ticket_files_dir, ignore_errors=True)
        self._say(translate("cli", "Signed out."))
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
    if tuple(args_list) in TRAY_LAUNCHES:
        # The tray itself (client/entry.py starts it without this module).
        return launch(args_list, environ)
    # The collector is off since the modules began to load (client/entry.py): the tray
    # turns it on once its icon is drawn, a command here.
    gc.enable()
    # A command (or --help): Qt's core only, for the translations of what we print.
    # An instance may exist already when this runs inside the test suite.
    core_app = QCoreApplication.instance() or QCoreApplication([sys.argv[0]])
    settings = load_settings(default_paths(environ), environ)
    resources.install_translators(core_app, settings.settings.language)
    parser = _parser()
    args = parser.parse_args(args_list)  # --help and --version end here
    if args.command is None:
        parser.print_usage(err)
        return EXIT_USAGE
    cli = _Cli(settings, environ, out, err, stdin)
    command = {
        "report": cli.report,
        "tickets": cli.tickets,
        "sign-in": cli.sign_in,
        "sign-out": cli.sign_out,
        "diagnose": cli.diagnose,
    }[args.command]
    try:
        return command(args)
    except BrokenPipeError:
        # The reader stopped early (``tickets --json | head``): nothing is wrong. Python
        # would still complain when it flushes stdout on the way out, so it goes nowhere.
        if out is sys.stdout:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except ValidationError as error:
        err.write(texts.error_message(error) + "\n")
        return EXIT_USAGE
    except StoreError as error:
        err.write(texts.error_message(error) + "\n")
        return EXIT_DESK
    except ClientError as error:
        err.write(texts.error_message(error) + "\n")
        return EXIT_DESK
