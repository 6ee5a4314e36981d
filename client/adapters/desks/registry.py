"""The desks this build can talk to: kind → adapter module and factory, capabilities, options.

Only the configured desk's module is imported, by name and on first use:
an adapter is large (Request Tracker's is a package of 1,800 lines and brings
``html.parser``), and a tray idles all day with the one desk its IT chose
(docs/performance.md). So this module names the adapters and imports none.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, cast

from client.core.errors import ConfigurationError
from client.core.ports import DeskConnector
from client.core.settings import Settings, SignInSecret

if TYPE_CHECKING:
    from client.adapters.http import HttpConfig


@dataclass(frozen=True)
class DeskEntry:
    """One kind of desk: where its connector is, what it can do, which settings it reads.

    The connector is ``<module>.<factory>(config, **options)``, with ``config``
    the shared :class:`~client.adapters.http.HttpConfig`.
    """

    kind: str
    module: str
    factory: str
    #: The sign-in is a session that ends: the user may keep their password to renew it.
    sessions_end: bool = False
    #: ``(keyword, Settings field)``: the desk's own settings, passed when not empty.
    options: tuple[tuple[str, str], ...] = ()
    #: What the employee types to sign in (the sign-in dialog says so).
    secret: SignInSecret = SignInSecret.PASSWORD


#: Every desk this build knows. Adding one: a module in this package, one entry here.
DESKS: tuple[DeskEntry, ...] = (
    DeskEntry(
        "django-helpdesk", "client.adapters.desks.django_helpdesk", "DjangoHelpdeskConnector"
    ),
    DeskEntry(
        "request-tracker",
        "client.adapters.desks.rt",
        "RtConnector",
        sessions_end=True,
        options=(("queue", "desk_queue"),),
    ),
    # desk.queue names the Redmine project new issues go to (its identifier).
    DeskEntry(
        "redmine",
        "client.adapters.desks.redmine",
        "RedmineConnector",
        options=(("queue", "desk_queue"),),
        secret=SignInSecret.PASSWORD_OR_KEY,
    ),
    # desk.queue names the Zammad group new tickets go to.
    DeskEntry(
        "zammad",
        "client.adapters.desks.zammad",
        "ZammadConnector",
        options=(("queue", "desk_queue"),),
        secret=SignInSecret.PASSWORD_OR_TOKEN,
    ),
    # desk.queue names the TOPdesk operator group new incidents go to (optional).
    DeskEntry(
        "topdesk",
        "client.adapters.desks.topdesk",
        "TopdeskConnector",
        options=(("queue", "desk_queue"),),
        secret=SignInSecret.APP_PASSWORD,
    ),
)


class DeskRegistry:
    """Finds a desk kind's entry and builds its connector, importing only that adapter."""

    def __init__(
        self,
        entries: Iterable[DeskEntry] = DESKS,
        import_module: Callable[[str], ModuleType] = importlib.import_module,
    ) -> None:
        """Know ``entries``; ``import_module`` loads an adapter's module by name."""
        self._entries = {entry.kind: entry for entry in entries}
        self._import = import_module

    @property
    def kinds(self) -> tuple[str, ...]:
        """The kinds known, in the order given."""
        return tuple(self._entries)

    def entry(self, kind: str) -> DeskEntry:
        """The entry for ``kind``.

        Raises:
            ConfigurationError: no desk of that kind is known to this build.
        """
        try:
            return self._entries[kind]
        except KeyError:
            raise ConfigurationError(f"this version cannot talk to a {kind!r} desk") from None

    def connector(
        self,
        kind: str,
        config: HttpConfig,
        settings: Settings,
        remember_secret: Callable[[str], None] | None = None,
    ) -> DeskConnector:
        """A connector for ``kind``; imports its adapter module (the first time only).

        Run it where an import may take a moment (a worker thread): the adapter
        brings the HTTP stack with it. ``remember_secret`` is told every secret the
        adapter holds or learns (every connector takes it), so the log masks them.
        """
        entry = self.entry(kind)
        factory = getattr(self._import(entry.module), entry.factory)
        options: dict[str, object] = {
            keyword: value
            for keyword, field in entry.options
            if (value := getattr(settings, field))
        }
        if remember_secret is not None:
            options["remember_secret"] = remember_secret
        return cast(DeskConnector, factory(config, **options))
