"""Signing in, restoring the sign-in from the keyring, and losing it."""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from pytestqt.qtbot import QtBot

from client.core.errors import AuthFailed, SecretStoreError, Unavailable
from client.core.ports import credential_account
from client.services.account import Account, AccountState
from client.services.tasks import SyncTaskRunner, TaskRunner
from tests.fakes import FakeConnector, FakeDesk, MemorySecretStore, make_account

URL = "https://desk.example.org"


class _Saved:
    def __init__(self) -> None:
        self.values: dict[str, object] = {}

    def __call__(self, values: Mapping[str, object]) -> None:
        self.values.update(values)


def _account(
    runner: TaskRunner,
    connector: FakeConnector,
    secrets: MemorySecretStore,
    saved: _Saved | None = None,
    remembered: list[str] | None = None,
    **options: object,
) -> Account:
    return make_account(
        runner,
        connector,
        secrets,
        save_settings=saved if saved is not None else _Saved(),
        remember_secret=(remembered if remembered is not None else []).append,
        **{"preset_credential": None, "desk_url": URL, **options},
    )


def test_first_start_without_a_credential_asks_to_sign_in(
    qtbot: QtBot, sync_runner: SyncTaskRunner, fake_desk: FakeDesk, secrets: MemorySecretStore
) -> None:
    account = _account(sync_runner, FakeConnector(fake_desk), secrets, desk_url="", username="")
    with qtbot.waitSignal(account.signed_out) as signal:
        account.restore()
    assert signal.args == ["no_credential"]
    assert account.state is AccountState.SIGNED_OUT and account.desk is None


def test_a_stored_credential_is_restored_without_asking_the_desk(
    qtbot: QtBot, sync_runner: SyncTaskRunner, fake_desk: FakeDesk, secrets: MemorySecretStore
) -> None:
    connector = FakeConnector(fake_desk)
    secrets.entries[credential_account(URL, "anna")] = connector.token
    remembered: list[str] = []
    account = _account(sync_runner, connector, secrets, remembered=remembered)
    fake_desk.fail_with = Unavailable("offline")  # the desk may be away at start
    with qtbot.waitSignal(account.signed_in):
        account.restore()
    assert account.desk is fake_desk
    assert fake_desk.calls == []
    assert remembered == [connector.token]


def test_who_the_user_is_is_asked_once_and_only_when_needed(
    qtbot: QtBot, sync_runner: SyncTaskRunner, fake_desk: FakeDesk, secrets: MemorySecretStore
) -> None:
    connector = FakeConnector(fake_desk)
    secrets.entries[credential_account(URL, "anna")] = connector.token
    account = _account(sync_runner, connector, secrets)
    assert not account.learn_person(), "not signed in: nobody to ask"
    account.restore()
    before = account.person
    assert fake_desk.calls == [] and before is None
    with qtbot.waitSignal(account.person_known) as known:
        assert account.learn_person()
    after = account.person
    assert known.args == [fake_desk.person] and after == fake_desk.person
    assert not account.learn_person(), "known now"
    assert [name for name, _ in fake_desk.calls] == ["whoami"]


def test_a_desk_that_could_not_say_who_the_user_is_is_asked_again_when_next_needed(
    qtbot: QtBot, sync_runner: SyncTaskRunner, fake_desk: FakeDesk, secrets: MemorySecretStore
) -> None:
    connector = FakeConnector(fake_desk)
    secrets.entries[credential_account(URL, "anna")] = connector.token
    account = _account(sync_runner, connector, secrets)
    account.restore()
    fake_desk.fail_with = Unavailable("offline")
    assert account.learn_person()
    unknown = account.person
    assert unknown is None and not account.asking_person
    fake_desk.fail_with = None  # the network is back
    assert account.learn_person()
    known = account.person
    assert known == fake_desk.person and not account.learn_person()


def test_a_locked_keyring_at_start_means_signing_in_again(
    qtbot: QtBot, sync_runner: SyncTaskRunner, fake_desk: FakeDesk, secrets: MemorySecretStore
) -> None:
    secrets.fail_with = SecretStoreError("locked")
    account = _account(sync_runner, FakeConnector(fake_desk), secrets)
    with qtbot.waitSignal(account.signed_out) as signal:
        account.restore()
    assert signal.args == ["keyring_unavailable"]


def test_signing_in_keeps_only_the_token(
    qtbot: QtBot, sync_runner: SyncTaskRunner, fake_desk: FakeDesk, secrets: MemorySecretStore
) -> None:
    connector = FakeConnector(fake_desk)
    saved = _Saved()
    remembered: list[str] = []
    account = _account(sync_runner, connector, secrets, saved, remembered, desk_url="", username="")
    with qtbot.waitSignal(account.signed_in) as signal:
        account.sign_in(URL + "/", " anna ", connector.password)
    assert signal.args[0].name == "Anna Jansen"
    assert secrets.entries == {credential_account(URL, "anna"): connector.token}
    assert saved.values == {"desk.url": URL, "desk.username": "anna"}
    assert connector.password in remembered and connector.token in remembered
    assert (account.desk_url, account.username) == (URL, "anna")


def test_a_wrong_password_is_reported_and_nothing_is_stored(
    qtbot: QtBot, sync_runner: SyncTaskRunner, fake_desk: FakeDesk, secrets: MemorySecretStore
) -> None:
    saved = _Saved()
    account = _account(sync_runner, FakeConnector(fake_desk), secrets, saved)
    with qtbot.waitSignal(account.sign_in_failed) as signal:
        account.sign_in(URL, "anna", "wrong")
    assert isinstance(signal.args[0], AuthFailed)
    assert secrets.entries == {} and saved.values == {}
    assert account.state is AccountState.SIGNED_OUT


def test_a_keyring_that_refuses_still_signs_in_for_this_session(
    qtbot: QtBot, sync_runner: SyncTaskRunner, fake_desk: FakeDesk, secrets: MemorySecretStore
) -> None:
    connector = FakeConnector(fake_desk)
    account = _account(sync_runner, connector, secrets)
    secrets.fail_with = SecretStoreError("no backend")
    heard: list[str] = []
    account.credential_not_saved.connect(lambda _error: heard.append("not saved"))
    account.signed_in.connect(lambda _person: heard.append("signed in"))
    with qtbot.waitSignals([account.signed_in, account.credential_not_saved]):
        account.sign_in(URL, "anna", connector.password)
    assert account.state is AccountState.SIGNED_IN
    assert heard == ["not saved", "signed in"], "known when the sign-in is announced"


def test_a_rejected_credential_signs_out(
    qtbot: QtBot, sync_runner: SyncTaskRunner, fake_desk: FakeDesk, secrets: MemorySecretStore
) -> None:
    connector = FakeConnector(fake_desk)
    account = _account(sync_runner, connector, secrets, preset_credential=connector.token)
    with qtbot.waitSignal(account.signed_in):
        account.restore()
    with qtbot.waitSignal(account.signed_out) as signal:
        account.credential_rejected()
    assert signal.args == ["auth_failed"]


def test_signing_out_forgets_the_credential(
    qtbot: QtBot, sync_runner: SyncTaskRunner, fake_desk: FakeDesk, secrets: MemorySecretStore
) -> None:
    connector = FakeConnector(fake_desk)
    secrets.entries[credential_account(URL, "anna")] = connector.token
    account = _account(sync_runner, connector, secrets)
    with qtbot.waitSignal(account.signed_in):
        account.restore()
    with qtbot.waitSignal(account.signed_out) as signal:
        account.sign_out()
    assert signal.args == ["user"] and secrets.entries == {}


@pytest.mark.parametrize("preset", ["", None])
def test_no_preset_and_no_stored_credential(
    qtbot: QtBot,
    sync_runner: SyncTaskRunner,
    fake_desk: FakeDesk,
    secrets: MemorySecretStore,
    preset: str | None,
) -> None:
    account = _account(sync_runner, FakeConnector(fake_desk), secrets, preset_credential=preset)
    with qtbot.waitSignal(account.signed_out) as signal:
        account.restore()
    assert signal.args == ["no_credential"]


def test_a_late_restore_does_not_undo_a_sign_in(
    qtbot: QtBot, fake_desk: FakeDesk, secrets: MemorySecretStore
) -> None:
    from tests.fakes import ManualRunner

    runner = ManualRunner()
    connector = FakeConnector(fake_desk)
    secrets.entries[credential_account(URL, "anna")] = "an-old-revoked-token-0000000000"
    account = _account(runner, connector, secrets)
    account.restore()  # the keyring is slow: the user signs in meanwhile
    account.sign_in(URL, "anna", connector.password)
    runner.jobs.reverse()  # the sign-in finishes first, the stale restore after it
    with qtbot.assertNotEmitted(account.signed_out):
        runner.finish_next()
        runner.finish_next()
    assert account.state is AccountState.SIGNED_IN and account.desk is fake_desk
