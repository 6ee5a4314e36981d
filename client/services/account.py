"""Who is signed in at which desk: restoring the credential, signing in and out."""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from client.core.errors import ClientError, SecretStoreError
from client.core.models import Person
from client.core.ports import DeskConnector, DeskPort, SecretStore, credential_account
from client.services.tasks import TaskRunner

logger = logging.getLogger(__name__)


class AccountState(enum.Enum):
    """Where the user is with signing in."""

    SIGNED_OUT = "signed_out"
    SIGNING_IN = "signing_in"
    SIGNED_IN = "signed_in"


@dataclass(frozen=True)
class _Opened:
    desk: DeskPort
    person: Person | None
    saved: bool


class Account(QObject):
    """Holds the desk view of the signed-in user; the only place that uses the keyring.

    ``connector_for(kind)`` is called on a worker thread (it may import the
    HTTP stack). ``remember_secret`` is told every credential and password this object
    handles, so the log redaction masks them wherever they might appear.

    Signals:
        signed_in(person_or_none): a desk view is ready (person is None when
            restored from the keyring without asking the desk yet).
        signed_out(reason): ``"no_credential"``, ``"auth_failed"``,
            ``"keyring_unavailable"`` or ``"user"``.
        sign_in_failed(error): a sign-in attempt failed (ClientError).
        credential_not_saved(error): signing in worked, but the keyring refused the
            credential; the user will have to sign in again next time. Emitted just
            before ``signed_in``, so that whoever asked knows it when that comes.
        state_changed(AccountState): the state changed (also to signing in).
        person_known(Person): the desk said who the user is (:meth:`learn_person`).
    """

    signed_in = Signal(object)
    signed_out = Signal(str)
    state_changed = Signal(object)
    sign_in_failed = Signal(object)
    credential_not_saved = Signal(object)
    person_known = Signal(object)

    def __init__(
        self,
        runner: TaskRunner,
        connector_for: Callable[[str], DeskConnector],
        secrets: SecretStore,
        save_settings: Callable[[Mapping[str, object]], None],
        remember_secret: Callable[[str], None],
        *,
        desk_kind: str,
        desk_url: str,
        username: str,
        preset_credential: str | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._connector_for = connector_for
        self._secrets = secrets
        self._save_settings = save_settings
        self._remember_secret = remember_secret
        self._kind = desk_kind
        self.desk_url = desk_url
        self.username = username
        self._preset = preset_credential
        self.state = AccountState.SIGNED_OUT
        self._generation = 0
        self.desk: DeskPort | None = None
        self.person: Person | None = None
        self._asked_person = -1  # the sign-in (generation) whoami was last asked for
        self._asking_person = False

    def _connector(self) -> DeskConnector:
        return self._connector_for(self._kind)

    def restore(self) -> None:
        """Open the desk with the stored credential, or report that there is none."""
        if not self.desk_url or not (self.username or self._preset):
            self._set_signed_out("no_credential")
            return
        generation = self._begin(AccountState.SIGNING_IN)
        url, preset = self.desk_url, self._preset
        account = credential_account(self.desk_url, self.username)

        def load() -> tuple[DeskPort | None, str | None]:
            credential = preset or self._secrets.get(account)
            desk = self._connector().open(url, credential) if credential else None
            return desk, credential

        self._runner.submit(
            load,
            owner=self,
            on_success=lambda loaded: self._on_restored(generation, *loaded),
            on_error=lambda error: self._on_restore_failed(generation, error),
        )

    def _on_restored(self, generation: int, desk: DeskPort | None, credential: str | None) -> None:
        if generation != self._generation:
            return  # the user signed in (or out) meanwhile: this result is stale
        if desk is None or credential is None:
            self._set_signed_out("no_credential")
            return
        self._remember_secret(credential)
        self._set_signed_in(desk, None)

    def _on_restore_failed(self, generation: int, error: Exception) -> None:
        if generation != self._generation:
            return
        logger.warning("could not restore the sign-in: %s", error)
        self._set_signed_out(error.code if isinstance(error, ClientError) else "no_credential")

    def _begin(self, state: AccountState) -> int:
        """Start a new step; results of earlier steps are ignored from now on."""
        self._generation += 1
        self._set_state(state)
        return self._generation

    def _set_state(self, state: AccountState) -> None:
        if state is not self.state:
            self.state = state
            self.state_changed.emit(state)

    def sign_in(
        self, url: str, username: str, password: str, *, keep_password: bool = False
    ) -> None:
        """Sign in with the user's own credentials; keep only the desk's token.

        ``keep_password``: the user asked to stay signed in where the desk's
        sessions end (Request Tracker): the credential then holds the password.
        """
        generation = self._begin(AccountState.SIGNING_IN)
        url = url.strip().rstrip("/")
        username = username.strip()
        account = credential_account(url, username)

        self._remember_secret(password)

        def work() -> _Opened:
            connector = self._connector()
            credential = connector.sign_in(url, username, password, keep_password=keep_password)
            self._remember_secret(credential)  # thread-safe: masked in logs from now on
            desk = connector.open(url, credential)
            person = desk.whoami()
            saved = True
            try:
                self._secrets.set(account, credential)
            except SecretStoreError as exc:
                logger.warning("the keyring refused the credential: %s", exc)
                saved = False
            self._save_settings({"desk.url": url, "desk.username": username})
            return _Opened(desk, person, saved)

        def done(opened: _Opened) -> None:
            if generation != self._generation:
                return
            self.desk_url, self.username = url, username
            self._preset = None
            if not opened.saved:
                self.credential_not_saved.emit(SecretStoreError())
            self._set_signed_in(opened.desk, opened.person)

        def failed(error: Exception) -> None:
            if generation != self._generation:
                return
            if not isinstance(error, ClientError):
                logger.error("sign-in failed unexpectedly", exc_info=error)
                error = ClientError(str(error))
            # A failed attempt leaves things as they were (still signed in, or not).
            self._set_state(
                AccountState.SIGNED_IN if self.desk is not None else AccountState.SIGNED_OUT
            )
            self.sign_in_failed.emit(error)

        self._runner.submit(work, owner=self, on_success=done, on_error=failed)

    def credential_rejected(self) -> None:
        """The desk no longer accepts the credential (revoked, expired): sign out."""
        if self.state is AccountState.SIGNED_IN:
            self._generation += 1
            self._set_signed_out("auth_failed")

    def sign_out(self) -> None:
        """Forget the credential here and in the keyring."""
        account = credential_account(self.desk_url, self.username)
        self._runner.submit(
            lambda: self._secrets.delete(account),
            owner=self,
            on_success=lambda _: None,
            on_error=lambda error: logger.warning("could not remove the credential: %s", error),
        )
        self._preset = None
        self._generation += 1
        self._set_signed_out("user")

    def learn_person(self) -> bool:
        """Ask the desk who the user is, once per sign-in; whether a question was sent.

        A restored sign-in does not ask at start (a request per desktop per
        start, for nothing); this asks when something needs it (the user's
        department, from the desk's record of them).
        """
        desk, generation = self.desk, self._generation
        if desk is None or self.person is not None or self._asked_person == generation:
            return False
        self._asked_person = generation

        def known(person: Person) -> None:
            self._asking_person = False
            if generation == self._generation:
                self.person = person
                self.person_known.emit(person)

        def unknown(error: Exception) -> None:
            self._asking_person = False
            self._asked_person = -1  # asked again when next needed (the desk may be back)
            logger.warning("the desk did not say who you are: %s", error)

        self._asking_person = True
        self._runner.submit(desk.whoami, owner=self, on_success=known, on_error=unknown)
        return True

    @property
    def asking_person(self) -> bool:
        """Whether the desk was asked who the user is and has not answered yet."""
        return self._asking_person

    def _set_signed_in(self, desk: DeskPort, person: Person | None) -> None:
        self.desk, self.person = desk, person
        self._set_state(AccountState.SIGNED_IN)
        logger.info("signed in at %s as %s", self.desk_url or "(preset desk)", self.username)
        self.signed_in.emit(person)

    def _set_signed_out(self, reason: str) -> None:
        self.desk, self.person = None, None
        self._set_state(AccountState.SIGNED_OUT)
        logger.info("signed out (%s)", reason)
        self.signed_out.emit(reason)
