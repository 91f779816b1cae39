"""The month's draft: blocks written from the site's data, in French (the group edits them).

Only titles and first names are used; the public version of each block (`public_text`) has no
names at all. Figures come from coopere/reports (reports.summary), never counted here again."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select

from ..auth.models import User
from ..events.models import Event
from ..events.services import PUBLIC_KINDS
from ..exchanges.stories import consented_stories
from ..extensions import db
from ..i18n import day_text, french_hours
from ..listings.models import Listing, ListingKind, ListingStatus, Participation
from ..reports.period import Period
from ..reports.summary import summary
from ..timeutil import add_months, to_paris, utcnow
from .models import BlockKind

# At most this many of each, so that the draft fits the paper version (one sheet, large print).
MAX_EVENTS = 4
MAX_LISTINGS = 8
MAX_PROJECTS = 4
MAX_STORIES = 2
SHEET_HOOK = "coopere.sheet_of_month"  # app.extensions key set by coopere/sheets, when present


def block(kind: BlockKind, title: str, text: str, public_text: str | None = None) -> dict:
    return {
        "kind": kind.value,
        "title": title,
        "text": text.strip(),
        "public_text": (text if public_text is None else public_text).strip(),
    }


def month_period(month: date) -> Period:
    """The reports' period of `month` (its first day), up to today when it is the current one."""
    end = add_months(month, 1) - timedelta(days=1)
    today = to_paris(utcnow()).date()
    return Period(month, min(end, max(today, month)), "month")


def build_blocks(month: date, group_text: str = "") -> list[dict]:
    """Every block the month's data gives, in the order of the letter (empty ones left out)."""
    period = month_period(month)
    with force_locale("fr"):
        blocks = [
            events_block(),
            listings_block(period),
            projects_block(),
            stories_block(period),
            figures_block(period),
            sheet_block(),
        ]
    blocks = [item for item in blocks if item and item["text"]]
    blocks.append(
        block(BlockKind.TEXT, "Le mot du groupe", group_text or "Bonjour à toutes et à tous !")
    )
    return blocks


def events_block() -> dict | None:
    events = db.session.scalars(
        select(Event)
        .where(
            Event.ends_at >= utcnow(),
            Event.cancelled.is_(False),
            Event.kind.in_([kind.value for kind in PUBLIC_KINDS]),
        )
        .order_by(Event.starts_at)
        .limit(MAX_EVENTS)
    )
    lines = []
    for event in events:
        start = to_paris(event.starts_at)
        name = event.title or event.kind_label
        lines.append(
            f"- {day_text(start.date()).capitalize()}, {french_hours(start)} : "
            f"{name[:1].upper() + name[1:]}, {event.place}"
        )
    return block(BlockKind.EVENTS, "Nos prochains rendez-vous", "\n".join(lines))


def listings_block(period: Period) -> dict | None:
    rows = db.session.execute(
        select(Listing.kind, Listing.title, User.first_name, Listing.theme_id)
        .join(User, User.id == Listing.owner_id)
        .where(
            Listing.status == ListingStatus.OPEN.value,
            Listing.kind.in_([ListingKind.OFFER.value, ListingKind.NEED.value]),
            period.covers(Listing.published_at),
        )
        .order_by(Listing.published_at.desc())
        .limit(MAX_LISTINGS + 1)
    ).all()
    more = len(rows) > MAX_LISTINGS
    rows = rows[:MAX_LISTINGS]
    if not rows:
        return None
    from ..listings.models import Theme

    themes = dict(db.session.execute(select(Theme.id, Theme.label_fr)).all())
    by_theme: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for kind, title, first_name, theme_id in rows:
        by_theme[themes.get(theme_id, "Autres annonces")].append((kind, title, first_name))
    named, public = [], []
    for theme in sorted(by_theme, key=str.casefold):
        named.append(f"{theme} :")
        public.append(f"{theme} :")
        for kind, title, first_name in by_theme[theme]:
            verb = "propose" if kind == ListingKind.OFFER.value else "cherche"
            named.append(f"- {first_name} {verb} : {title}")
            public.append(f"- {verb.capitalize()} : {title}")
    if more:
        named.append("Et d'autres annonces sur le site !")
        public.append("Et d'autres annonces sur le site !")
    return block(
        BlockKind.LISTINGS,
        "Nouvelles annonces du mois",
        "\n".join(named),
        "\n".join(public),
    )


def projects_block() -> dict | None:
    projects = list(
        db.session.scalars(
            select(Listing)
            .where(
                Listing.kind == ListingKind.PROJECT.value,
                Listing.status == ListingStatus.OPEN.value,
            )
            .order_by(Listing.published_at.desc())
            .limit(MAX_PROJECTS * 3)
        )
    )
    if not projects:
        return None
    joined = dict(
        db.session.execute(
            select(Participation.listing_id, db.func.count())
            .where(Participation.listing_id.in_([p.id for p in projects]))
            .group_by(Participation.listing_id)
        ).all()
    )
    lines = []
    for project in projects:
        count = joined.get(project.id, 0)
        if project.max_participants is not None and count >= project.max_participants:
            continue  # full: it looks for nobody
        free = (project.max_participants or 0) - count
        wanted = (
            f" (encore {free} place{'s' if free > 1 else ''})" if project.max_participants else ""
        )
        lines.append(f"- {project.title}{wanted}")
        if len(lines) == MAX_PROJECTS:
            break
    return block(BlockKind.PROJECTS, "Des projets cherchent du monde", "\n".join(lines))


def stories_block(period: Period) -> dict | None:
    """One or two exchanges done this month and thanked, when both people agreed to be quoted
    (exchanges/stories.py: the query the fête's panels read too)."""
    named, public = [], []
    for story in consented_stories(period, MAX_STORIES):
        named.append(
            f"{story.thanker} et {story.other} se sont retrouvés pour « {story.title} ». "
            f"{story.thanker} dit merci : « {story.thanks} »"
        )
        # The note itself may name people: the public version does not quote it.
        public.append(
            f"Deux voisins se sont retrouvés pour « {story.title} », et se sont dit merci."
        )
    return block(
        BlockKind.STORIES, "Ils se sont dit merci", "\n\n".join(named), "\n\n".join(public)
    )


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def figures_block(period: Period) -> dict | None:
    """The month's figures in words, read from the reports (reports.summary)."""
    figures = summary(period)
    lines = []
    if figures["exchanges_done"]:
        lines.append(_plural(figures["exchanges_done"], "coup de main", "coups de main"))
    published = figures["offers_published"] + figures["needs_published"]
    if published:
        lines.append(_plural(published, "nouvelle annonce", "nouvelles annonces"))
    if figures["members_new"]:
        lines.append(_plural(figures["members_new"], "nouveau voisin", "nouveaux voisins"))
    if figures["cafe_attendance"]:
        lines.append(_plural(figures["cafe_attendance"], "présence", "présences") + " aux cafés")
    if not lines:
        return None
    text = "\n".join(f"- {line} ce mois-ci" for line in lines)
    return block(BlockKind.FIGURES, "Le mois en chiffres", text)


def sheet_block() -> dict | None:
    """The eco-gesture of the month, read through coopere/sheets' optional hook."""
    hook = current_app.extensions.get(SHEET_HOOK)
    sheet = hook() if callable(hook) else None
    if not sheet:
        return None
    text = f"{sheet['title']}\n{sheet['summary']}".strip()
    if sheet.get("url"):
        text += f"\nLa fiche complète : {sheet['url']}"
    return block(BlockKind.SHEET, "L'éco-geste du mois", text)
