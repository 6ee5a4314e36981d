"""The desk registry: one entry per desk kind, and only the chosen desk's module imported."""

from __future__ import annotations

import importlib
from types import ModuleType

import pytest

from client.adapters.desks.registry import DESKS, DeskEntry, DeskRegistry
from client.adapters.http import HttpConfig
from client.core.errors import ConfigurationError
from client.core.settings import DESK_KINDS, SESSION_DESK_KINDS, Settings


class _RecordingImport:
    """``importlib.import_module`` that notes what it was asked for."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def __call__(self, name: str) -> ModuleType:
        self.names.append(name)
        return importlib.import_module(name)


def test_every_kind_the_settings_accept_has_one_entry_that_builds_its_own_kind() -> None:
    registry = DeskRegistry()
    assert sorted(registry.kinds) == sorted(DESK_KINDS)
    for kind in DESK_KINDS:
        assert registry.connector(kind, HttpConfig(), Settings()).kind == kind


def test_every_desk_kind_in_the_registry_has_a_contract_fixture() -> None:
    # A desk that plugs in is a desk the contract suite runs against (tests/contract).
    from tests.support.contract_desks import KINDS

    assert sorted(DeskRegistry().kinds) == sorted(KINDS)


def test_the_capabilities_agree_with_the_settings() -> None:
    registry = DeskRegistry()
    assert {kind for kind in registry.kinds if registry.entry(kind).sessions_end} == set(
        SESSION_DESK_KINDS
    )


@pytest.mark.parametrize("kind", DESK_KINDS)
def test_only_the_chosen_desks_module_is_imported(kind: str) -> None:
    load = _RecordingImport()
    DeskRegistry(import_module=load).connector(kind, HttpConfig(), Settings())
    assert load.names == [DeskRegistry().entry(kind).module]


def test_a_desks_own_options_are_passed_when_set() -> None:
    registry = DeskRegistry()
    chosen = registry.connector("request-tracker", HttpConfig(), Settings(desk_queue="IT"))
    default = registry.connector("request-tracker", HttpConfig(), Settings())
    assert getattr(chosen, "queue", None) == "IT"
    assert getattr(default, "queue", None) == "General"  # empty: the adapter's own default


def test_an_unknown_kind_is_a_configuration_error() -> None:
    registry = DeskRegistry([DeskEntry("zammad", "client.adapters.desks.zammad", "Zammad")])
    with pytest.raises(ConfigurationError):
        registry.entry("request-tracker")
    with pytest.raises(ConfigurationError):
        DeskRegistry().connector("glpi", HttpConfig(), Settings())


def test_the_entries_are_fixed_values() -> None:
    assert isinstance(DESKS, tuple)
    with pytest.raises(AttributeError):
        DESKS[0].module = "elsewhere"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("kind", "credential", "secret"),
    [
        ("django-helpdesk", "d41d8cd98f00b204e9800998ecf8427e", "d41d8cd98f00b204e9800998ecf8427e"),
        ("request-tracker", "1-30-" + "ab" * 16, "1-30-" + "ab" * 16),
        ("redmine", "ab" * 20, "ab" * 20),
        ("zammad", "ab" * 20, "ab" * 20),
        ("topdesk", "anna:abcde-fghij-klmno-pqrst-uvwxy", "abcde-fghij-klmno-pqrst-uvwxy"),
    ],
)
def test_every_desk_tells_the_log_mask_the_secret_it_holds(
    kind: str, credential: str, secret: str
) -> None:
    told: list[str] = []
    connector = DeskRegistry().connector(kind, HttpConfig(), Settings(), told.append)
    connector.open("http://127.0.0.1:9", credential)  # nothing is sent yet
    assert secret in told
