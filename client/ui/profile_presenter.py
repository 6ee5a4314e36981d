"""What IT's profile says, shown where the employee looks: their agent, departments, articles.

The agent card on the menu and the panel, the departments to choose from,
where a report goes, the face of the agent handling a ticket (the desk's
photo where IT published none) and the help articles. Everything is worked
out when the employee first looks (the menu or the panel opens), never for
an idle tray (docs/performance.md).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QLocale, QObject, Slot

if TYPE_CHECKING:
    from PySide6.QtGui import QImage

    from client.core.availability import Availability
    from client.core.models import Agent
    from client.core.profile import Agent as ProfileAgent
    from client.core.profile import Article, Department
    from client.core.settings import Settings
    from client.services.account import Account
    from client.services.profile import ProfileService
    from client.services.tasks import TaskRunner
    from client.ui.tray import TrayIcon
    from client.ui.windows import Windows

logger = logging.getLogger(__name__)


class ProfilePresenter(QObject):
    """Shows the profile's people and articles on the menu, the panel and in the windows."""

    def __init__(
        self,
        profile: ProfileService | None,
        account: Account,
        tray: TrayIcon,
        windows: Windows,
        io: TaskRunner,
        settings: Settings,
        parent: QObject | None = None,
        now: Callable[[], datetime] = lambda: datetime.now().astimezone(),
    ) -> None:
        super().__init__(parent)
        self._profile = profile
        self._account = account
        self._tray = tray
        self._windows = windows
        self._io = io
        self._settings = settings
        self._now = now  # in the user's own zone: "back at 8:30" is local
        self._my_department = settings.profile_my_department
        self._shown_agent = ""  # whose photo the menu and the panel show
        self._face_request = 0  # the handler's face last asked for (see show_handler_face)

    # -- The employee's own agent ---------------------------------------------------------

    @Slot()
    def want_profile(self) -> None:
        """The menu or the panel is opening: the profile is read now if it was not yet."""
        if self._profile is not None:
            self._profile.want(at_once=True)

    @Slot()
    def profile_changed(self) -> None:
        """The profile was read, or a new one came in: everything shown from it, again."""
        view = self._profile.view if self._profile is not None else None
        if view is not None:  # its colour, on the windows open now and those opened later
            self._windows.set_accent(view.profile.accent)
        self._shown_agent = ""  # the agent's photo may be new too
        self.show_agent()
        self.update_destination()
        self.show_handler_face()  # the profile's photo, once read
        self.update_articles()

    @Slot(str)
    def choose_department(self, department_id: str) -> None:
        """The employee said which department they are in: shown at once."""
        self._my_department = department_id
        self.show_agent()
        self.update_destination()

    @Slot()
    def show_agent(self) -> None:
        """The employee's agent (of their department) on the menu and the panel, as of now.

        Worked out only once the menu or the panel has been opened (it runs again
        each time either opens): an idle tray nobody looked at holds none of it.
        """
        if not self._tray.menu_seen and not self._windows.home.seen:
            return
        view = self._profile.view if self._profile is not None else None
        department, source = self._department()
        self._tray.show_articles(bool(view and view.profile.articles))
        if view is not None:
            choices = [(d.id, d.name.get(self._language())) for d in view.profile.departments]
            # Chosen by the employee only where IT and the desk say nothing (and the desk
            # is not about to say).
            choosable = len(choices) > 1 and source in ("", "chosen")
            choosable = choosable and not self._account.asking_person
            self._tray.show_departments(choices, department.id if department else "", choosable)
        agent = view.profile.agents.get(department.agent) if view and department else None
        if view is None or department is None or agent is None:
            self._windows.show_agent(None)
            return
        from client.ui.agent_card import AgentCardData, heading_text

        seen, now = self._availability(agent, department.backup)
        data = AgentCardData(agent, seen, now, self._language(), heading_text(), self._notice())
        self._windows.show_agent(data)
        if agent.id != self._shown_agent and self._profile is not None:
            self._shown_agent = agent.id
            if agent.photo:  # photos off (the policy, the agent): initials
                shown = agent.id

                def photo(png: bytes | None) -> None:
                    if self._shown_agent == shown:  # not the previous department's agent
                        self._windows.set_agent_photo(png)

                self._profile.avatar(agent.id, photo)
            else:
                self._windows.set_agent_photo(None)

    def _department(self) -> tuple[Department | None, str]:
        """The employee's department in the profile, and how it was recognised.

        The IT policy's value, the desk's record of the user, the employee's own
        choice, in that order; with a single department, that one (``"only"``).
        """
        from client.core.profile import detect_department  # only with a profile

        view = self._profile.view if self._profile is not None else None
        if view is None:
            return None, ""
        person = self._account.person
        department, source = detect_department(
            view.profile,
            policy_value=self._settings.profile_department,
            desk_value=(person.department or "") if person is not None else "",
            chosen=self._my_department,
        )
        if (
            source != "policy"
            and person is None
            and any(d.desk_values for d in view.profile.departments)
        ):
            self._account.learn_person()  # once; person_known shows the card again
        if department is None and len(view.profile.departments) == 1:
            return view.profile.departments[0], "only"
        return department, source

    # -- Where a report goes --------------------------------------------------------------

    @Slot()
    def update_destination(self) -> None:
        """Tell the report dialog where its report goes: the department's queue, or IT's."""
        if not self._windows.takes_destination:
            return  # no report open, or one being saved keeps the queue it was given
        self.want_profile()  # its queue is fixed when the report is saved
        from client.ui.report_dialog import destination_text

        department, _ = self._department()
        view = self._profile.view if self._profile is not None else None
        if department is None or view is None:
            self._windows.set_destination(self._settings.desk_queue, "")
            return
        agent = view.profile.agents.get(department.agent)
        away, backup = False, ""
        if agent is not None:
            seen, _now = self._availability(agent, department.backup)
            away, backup = not seen.available, seen.backup.name if seen.backup else ""
        where = destination_text(
            department.name.get(self._language()), agent.name if agent else "", backup, away
        )
        self._windows.set_destination(department.queue or self._settings.desk_queue, where)

    # -- The agent handling a ticket ------------------------------------------------------

    @Slot()
    @Slot(object)
    def show_handler_face(self, _agent: object = None) -> None:
        """The face of the agent handling the ticket in the tracker.

        The profile's photo when the handler is one of its agents (matched by
        e-mail, else by name), else the desk's photo of them, else initials.
        With photos switched off by the policy, initials only.
        """
        tracker = self._windows.tracker
        agent = tracker.handler if tracker is not None else None
        if tracker is None or agent is None or not self._settings.profile_photos:
            return
        from client.ui.faces import face_image
        from client.ui.tracker import FACE_SIDE

        side = 2 * FACE_SIDE  # sharp on a high-density screen
        # Only the latest request's photo is shown: a slow desk photo must not land on
        # the profile's, nor one agent's on another's. Reads are owned by the tracker:
        # one that ends after the window is gone is dropped with it.
        self._face_request += 1
        request = self._face_request

        def show(image: QImage | None) -> None:
            if request == self._face_request and tracker.handler == agent:
                tracker.set_handler_photo(image)

        known = self._profile_agent(agent)
        if known is not None:
            tracker.set_handler_availability(self._availability_words(known))
            if known.photo and self._profile is not None:
                self._profile.avatar(known.id, lambda png: show(face_image(png, side)), tracker)
            else:
                show(None)  # IT switched this agent's photo off: initials, never the desk's
            return
        desk = self._account.desk
        if desk is None:
            return
        self._io.submit(
            lambda: face_image(desk.agent_photo(agent), side),
            owner=tracker,
            on_success=show,
            on_error=lambda error: logger.info("no photo of the handler: %s", error),
        )

    def _profile_agent(self, agent: Agent) -> ProfileAgent | None:
        """The profile's entry for a desk's agent, if IT published one (asks for the profile)."""
        if self._profile is None:
            return None
        self._profile.want(at_once=True)  # one small local file: decide the source knowing it
        view = self._profile.view
        if view is None:
            return None
        email = (agent.email or "").casefold()
        name = agent.name.casefold()
        agents = view.profile.agents.values()
        return next((a for a in agents if email and a.email.casefold() == email), None) or next(
            (a for a in agents if a.name.casefold() == name), None
        )

    def _availability(self, agent: ProfileAgent, backup: str) -> tuple[Availability, datetime]:
        """Whether a profile's agent is at work now (``backup``: who stands in), and now."""
        from client.core.availability import availability_of

        view = self._profile.view if self._profile is not None else None
        agents = view.profile.agents if view is not None else {}
        now = self._now()
        return availability_of(agent, now, agents.get(backup)), now

    def _availability_words(self, agent: ProfileAgent) -> str:
        """Whether a profile's agent is at work now (and who helps meanwhile), in words."""
        from client.ui.agent_card import availability_text

        view = self._profile.view if self._profile is not None else None
        if view is None:
            return ""
        departments = view.profile.departments
        stands_in = next((d.backup for d in departments if d.agent == agent.id), "")
        return availability_text(*self._availability(agent, stands_in))

    # -- Help articles --------------------------------------------------------------------

    @Slot()
    def show_articles(self, article_id: str = "") -> None:
        """Show (or raise) the help articles IT published with the profile (this one open)."""
        view = self._profile.view if self._profile is not None else None
        if view is None:
            return
        self._windows.show_articles(
            view.profile.articles, self._notice(), self._language(), self._read_article
        )
        window = self._windows.articles_window
        if article_id and window is not None:
            window.open_article(article_id)

    @Slot()
    def update_articles(self) -> None:
        """A new profile: its articles, in the articles window if it is open."""
        view = self._profile.view if self._profile is not None else None
        if view is not None and self._windows.articles_window is not None:
            self._windows.update_articles(view.profile.articles, self._notice())

    def _notice(self) -> str:
        """The card's words on an old or refused profile, for the articles too."""
        from client.ui.agent_card import notice_text

        view = self._profile.view if self._profile is not None else None
        if view is None:
            return ""
        return notice_text(view.stale, view.verified_at, view.refusal, view.refusal_role)

    def _read_article(
        self, article: Article, then: Callable[[bytes | None], None], owner: QObject
    ) -> None:
        if self._profile is not None:
            self._profile.article_body(article.body, then, owner)

    def language(self) -> str:
        """The user's language for the profile's texts: English unless Dutch (C locale too)."""
        return self._language()

    def _language(self) -> str:
        """The user's language for the profile's texts: English unless Dutch (C locale too)."""
        language = self._settings.language or QLocale().name()[:2]
        return language if language in ("en", "nl") else "en"
