"""The credential in the OS keyring through the keyring library."""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import keyring
import keyring.backend
import keyring.errors
import pytest

from client.adapters.keyring_store import SERVICE, KeyringStore
from client.adapters.secrets import HelperSecretStore, keyring_helper_command
from client.core.errors import SecretStoreError
from tests.fakes import MemoryKeyring


def test_round_trip_through_the_keyring_library(memory_keyring: MemoryKeyring) -> None:
    store = KeyringStore()
    assert store.get("anna@https://desk") is None
    store.set("anna@https://desk", "token-123456")
    assert memory_keyring.entries == {(SERVICE, "anna@https://desk"): "token-123456"}
    assert store.get("anna@https://desk") == "token-123456"
    store.delete("anna@https://desk")
    store.delete("anna@https://desk")  # forgetting twice is fine
    assert store.get("anna@https://desk") is None


class _LockedKeyring(keyring.backend.KeyringBackend):
    priority = 1

    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringLocked("the collection is locked")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.PasswordSetError("prompt dismissed")

    def delete_password(self, service: str, username: str) -> None:
        raise keyring.errors.KeyringError("no backend")


def test_keyring_failures_become_secret_store_errors() -> None:
    keyring.set_keyring(_LockedKeyring())  # type: ignore[no-untyped-call]  # keyring's __init__
    store = KeyringStore()
    calls: list[Callable[[], object]] = [
        lambda: store.get("a"),
        lambda: store.set("a", "b"),
        lambda: store.delete("a"),
    ]
    for call in calls:
        with pytest.raises(SecretStoreError):
            call()


# --- the helper process the tray uses ------------------------------------------------------


ROOT = Path(__file__).resolve().parents[2]


def _helper_env(monkeypatch: pytest.MonkeyPatch, backend: str, store: Path | None = None) -> None:
    # The test backends live in tests/, which the helper can import only by PYTHONPATH.
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", f"tests.support.file_keyring.{backend}")
    if store is not None:
        monkeypatch.setenv("HELPDESK_TRAY_TEST_KEYRING", str(store))


def test_the_helper_process_keeps_the_secret_in_the_keyring(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _helper_env(monkeypatch, "FileKeyring", tmp_path / "keyring.json")
    store = HelperSecretStore(keyring_helper_command(), timeout=60)
    assert store.get("anna@https://desk") is None
    store.set("anna@https://desk", "tok-" + "9" * 36)
    assert json.loads((tmp_path / "keyring.json").read_text()) == {
        f"{SERVICE}/anna@https://desk": "tok-" + "9" * 36
    }
    assert store.get("anna@https://desk") == "tok-" + "9" * 36
    store.delete("anna@https://desk")
    assert store.get("anna@https://desk") is None


def test_a_locked_keyring_is_a_secret_store_error(monkeypatch: pytest.MonkeyPatch) -> None:
    _helper_env(monkeypatch, "LockedKeyring")
    store = HelperSecretStore(keyring_helper_command(), timeout=60)
    with pytest.raises(SecretStoreError, match="unlock"):
        store.get("anna@https://desk")
    with pytest.raises(SecretStoreError, match="Prompt dismissed"):
        store.set("anna@https://desk", "secret")


def test_a_keyring_that_never_answers_is_given_up_on(monkeypatch: pytest.MonkeyPatch) -> None:
    _helper_env(monkeypatch, "StuckKeyring")
    with pytest.raises(SecretStoreError, match="did not answer"):
        HelperSecretStore(keyring_helper_command(), timeout=3).get("anna@https://desk")


def test_a_broken_helper_is_a_secret_store_error(tmp_path: Path) -> None:
    with pytest.raises(SecretStoreError, match="failed"):
        HelperSecretStore([sys.executable, "-c", "print('not json')"], timeout=30).get("a")
    with pytest.raises(SecretStoreError, match="did not start"):
        HelperSecretStore([str(tmp_path / "missing")], timeout=30).get("a")


def test_the_secret_never_appears_in_the_command_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    seen = tmp_path / "argv.json"
    script = (
        f"import json, sys; json.dump(sys.argv, open({str(seen)!r}, 'w'));"
        " print(json.dumps({'ok': True}))"
    )
    HelperSecretStore([sys.executable, "-c", script], timeout=30).set("anna", "the-secret-token")
    assert "the-secret-token" not in seen.read_text()


def test_a_waiting_helper_is_stopped_at_quit(monkeypatch: pytest.MonkeyPatch) -> None:
    _helper_env(monkeypatch, "StuckKeyring")
    store = HelperSecretStore(keyring_helper_command(), timeout=60)
    outcome: list[BaseException] = []

    def ask() -> None:
        try:
            store.get("anna@https://desk")
        except SecretStoreError as exc:
            outcome.append(exc)

    worker = threading.Thread(target=ask)
    worker.start()
    while not store._helper.is_running():  # the helper has started
        worker.join(0.01)
    store.cancel()
    worker.join(10)
    assert not worker.is_alive() and len(outcome) == 1


def test_the_helper_is_not_fooled_by_a_client_folder_where_the_user_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "client"
    fake.mkdir()
    (fake / "__init__.py").write_text("")
    (fake / "__main__.py").write_text('print(\'{"ok": true, "secret": "stolen"}\')')
    monkeypatch.chdir(tmp_path)
    _helper_env(monkeypatch, "FileKeyring", tmp_path / "keyring.json")
    assert HelperSecretStore(keyring_helper_command(), timeout=60).get("anna") is None
