"""The main menu, built from the route × role table (coopere/policy.py): an entry shows only to
whom the table lets through, so the menu and the permissions cannot disagree.

Three sections, so that an admin's menu fits on a café tablet: « Mon voisinage » (every member,
always open), « Animer » (the animation group) and « Administrer » (admins), the last two folded."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .auth.models import Role
from .policy import allowed


@dataclass(frozen=True)
class Entry:
    endpoint: str
    label: object  # a lazy French string
    # "unread" or "sponsees": shown only when there is something there; "group": to the
    # animation group only (members may open the page, from an email or their home page)
    only_if: str = ""


@dataclass(frozen=True)
class Section:
    key: str
    title: object
    entries: tuple[Entry, ...]
    folded: bool  # a disclosure (<details>) rather than a row of links


SECTIONS = (
    Section(
        "voisinage",
        _l("Mon voisinage"),
        (
            Entry("auth.home", _l("Mon espace")),
            Entry("browse.index", _l("Annonces")),
            Entry("listings.mine", _l("Mes annonces")),
            Entry("exchanges.index", _l("Mes échanges")),
            Entry("events.upcoming", _l("Rendez-vous")),
            Entry("sheets.index", _l("Fiches pratiques")),
            Entry("notifications.index", _l("Notifications"), only_if="unread"),
            Entry("sponsorship.index", _l("Mes filleuls"), only_if="sponsees"),
            Entry("auth.account", _l("Mon compte")),
        ),
        folded=False,
    ),
    Section(
        "animer",
        _l("Animer"),
        (
            Entry("members.desk", _l("Inscrire")),
            Entry("members.index", _l("Membres")),
            Entry("events.index", _l("Organiser")),
            Entry("group.index", _l("Tâches du groupe")),
            Entry("dwellings.index", _l("Logements")),
            Entry("printruns.index", _l("Impressions")),
            Entry("moderation.queue", _l("Modération")),
            Entry("reports.index", _l("Bilan")),
            Entry("newsletter.index", _l("Lettre des voisins"), only_if="group"),
            Entry("fete.index", _l("Fête de la Coopération")),
        ),
        folded=True,
    ),
    Section(
        "administrer",
        _l("Administrer"),
        (
            Entry("perimeter.settings", _l("Réglages")),
            Entry("perimeter.group", _l("Groupe d'animation")),
            Entry("listings.themes", _l("Thèmes")),
            Entry("perimeter.audit", _l("Journal")),
        ),
        folded=True,
    ),
)
VISITOR = Section(
    "visiteur",
    _l("Menu"),
    (Entry("public.home", _l("Accueil")), Entry("auth.login", _l("Me connecter"))),
    folded=False,
)


@dataclass(frozen=True)
class Link:
    endpoint: str
    label: str
    current: bool


@dataclass(frozen=True)
class ShownSection:
    key: str
    title: str
    links: list[Link]
    folded: bool
    current: bool  # the page shown is one of its links


def menu_for(
    user, *, current_endpoint: str | None = None, unread: int = 0, sponsees: bool = False
) -> list[ShownSection]:
    """The sections and links `user` may use, in order; empty sections are left out."""
    if not (user and user.is_authenticated):
        sections = (VISITOR,)
    else:
        sections = SECTIONS
    shown = []
    for section in sections:
        links = []
        for entry in section.entries:
            if not allowed(entry.endpoint, user):
                continue
            if entry.only_if == "unread" and not unread:
                continue
            if entry.only_if == "sponsees" and not sponsees:
                continue
            if entry.only_if == "group" and not user.has_role(Role.ANIMATOR):
                continue
            label = (
                _("Notifications (%(count)s)", count=unread)
                if entry.only_if == "unread"
                else str(entry.label)
            )
            links.append(Link(entry.endpoint, label, entry.endpoint == current_endpoint))
        if links:
            shown.append(
                ShownSection(
                    section.key,
                    str(section.title),
                    links,
                    section.folded,
                    any(link.current for link in links),
                )
            )
    return shown


def current_menu() -> list[ShownSection]:
    """The menu of the page being drawn (two cheap queries at most, each once per request)."""
    from .members.sponsor_views import has_sponsees
    from .notifications.views import unread_notifications

    authenticated = current_user.is_authenticated
    return menu_for(
        current_user,
        current_endpoint=request.endpoint,
        unread=unread_notifications() if authenticated else 0,
        sponsees=has_sponsees() if authenticated else False,
    )


def configure_menu(app: Flask) -> None:
    app.jinja_env.globals["main_menu"] = current_menu
