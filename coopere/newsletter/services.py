"""The newsletter's rules: one issue per month, its blocks edited, removed, reordered while it is a
draft; who gets it and how; `last_sent_on` for the association console. Sending:
newsletter/sending.py; the draft's data: newsletter/draft.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..audit.services import record
from ..auth.models import User
from ..extensions import db
from ..members.models import ConsentKind, Sponsorship
from ..notifications.email import consenting
from ..notifications.transport import enabled
from ..printruns.services import letter_dwellings
from ..timeutil import to_paris, utcnow
from . import draft
from .models import DEFAULT_NAME, BlockKind, IssueStatus, NewsletterIssue

NAME_MAX, TITLE_MAX, TEXT_MAX = 80, 120, 4000


class NewsletterError(ValueError):
    """An action refused; the message is French (lazy) and safe to show."""


def this_month() -> date:
    return to_paris(utcnow()).date().replace(day=1)


def issues() -> list[NewsletterIssue]:
    """Every issue, newest first (the archive)."""
    return list(
        db.session.scalars(
            select(NewsletterIssue).order_by(
                NewsletterIssue.month.desc(), NewsletterIssue.id.desc()
            )
        )
    )


def published_issues(*, public_only: bool = False) -> list[NewsletterIssue]:
    query = select(NewsletterIssue).where(NewsletterIssue.status == IssueStatus.PUBLISHED.value)
    if public_only:
        query = query.where(NewsletterIssue.public.is_(True))
    return list(db.session.scalars(query.order_by(NewsletterIssue.month.desc())))


def latest_public_issue() -> NewsletterIssue | None:
    """The newest published issue the group chose to show everyone (the home page's link)."""
    return db.session.scalar(
        select(NewsletterIssue)
        .where(
            NewsletterIssue.status == IssueStatus.PUBLISHED.value,
            NewsletterIssue.public.is_(True),
        )
        .order_by(NewsletterIssue.month.desc(), NewsletterIssue.id.desc())
        .limit(1)
    )


def last_name_used() -> str:
    name = db.session.scalar(
        select(NewsletterIssue.name).order_by(NewsletterIssue.id.desc()).limit(1)
    )
    return name or DEFAULT_NAME


def create_draft(*, actor: User, month: date | None = None) -> NewsletterIssue:
    """The month's draft, built from its data; one issue per month (the existing one is kept)."""
    month = (month or this_month()).replace(day=1)
    existing = db.session.scalar(
        select(NewsletterIssue).where(NewsletterIssue.month == month).limit(1)
    )
    if existing is not None:
        return existing
    issue = NewsletterIssue(name=last_name_used(), month=month, created_by_id=actor.id)
    issue.blocks = draft.build_blocks(month)
    db.session.add(issue)
    db.session.flush()
    record("newsletter.drafted", actor=actor, issue=issue.id)
    return issue


def _editable(issue: NewsletterIssue) -> list[dict]:
    if not issue.is_draft:
        raise NewsletterError(_l("Cette lettre est publiée : elle ne se modifie plus."))
    return issue.blocks


def _at(blocks: list[dict], index: int) -> dict:
    if not 0 <= index < len(blocks):
        raise NewsletterError(_l("Ce bloc n'existe plus : rechargez la page."))
    return blocks[index]


def _clean(text: str, limit: int, what) -> str:
    text = (text or "").replace("\r\n", "\n").strip()
    if len(text) > limit:
        raise NewsletterError(_l("%(what)s : %(max)d caractères au plus.", what=what, max=limit))
    return text


def edit_settings(issue: NewsletterIssue, name: str, public: bool) -> None:
    _editable(issue)
    name = _clean(name, NAME_MAX, _l("Le nom de la lettre"))
    if not name:
        raise NewsletterError(_l("Donnez un nom à la lettre."))
    issue.name, issue.public = name, public


def edit_block(issue: NewsletterIssue, index: int, title: str, text: str) -> None:
    """Change a block's title and text. An edited block that names people (offers, stories) no
    longer has a public version: the public page leaves it out."""
    blocks = _editable(issue)
    item = _at(blocks, index)
    title = _clean(title, TITLE_MAX, _l("Le titre"))
    text = _clean(text, TEXT_MAX, _l("Le texte"))
    if not title or not text:
        raise NewsletterError(_l("Un bloc a un titre et un texte : retirez-le s'il est vide."))
    if text != item["text"]:
        if item["kind"] in (BlockKind.LISTINGS, BlockKind.STORIES):
            item["public_text"] = ""
        else:
            item["public_text"] = text
    item["title"], item["text"] = title, text
    issue.blocks = blocks


def remove_block(issue: NewsletterIssue, index: int) -> None:
    blocks = _editable(issue)
    _at(blocks, index)
    del blocks[index]
    issue.blocks = blocks


def move_block(issue: NewsletterIssue, index: int, step: int) -> None:
    blocks = _editable(issue)
    _at(blocks, index)
    target = index + (1 if step > 0 else -1)
    if 0 <= target < len(blocks):
        blocks[index], blocks[target] = blocks[target], blocks[index]
        issue.blocks = blocks


def add_text_block(issue: NewsletterIssue) -> None:
    blocks = _editable(issue)
    blocks.append(draft.block(BlockKind.TEXT, "Le mot du groupe", "…"))
    issue.blocks = blocks


def public_blocks(issue: NewsletterIssue) -> list[dict]:
    """The public version: no names (the blocks' public text; blocks without one are left out)."""
    return [
        {**item, "text": item["public_text"]} for item in issue.blocks if item.get("public_text")
    ]


# --- who gets it ------------------------------------------------------------------------------


def present_members() -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .where(User.left_at.is_(None), User.erased_at.is_(None), User.is_enabled.is_(True))
            .order_by(User.id)
        )
    )


def email_recipients() -> list[User]:
    """Members who hold the NEWSLETTER consent and have an address (none when emails are off)."""
    if not enabled():
        return []
    return consenting([u for u in present_members() if u.has_internet], ConsentKind.NEWSLETTER)


@dataclass(frozen=True)
class Audience:
    emails: int
    paper: int  # offline members, through their sponsor
    # each sponsor's id, first name and how many copies they hand over (their PDF holds as many)
    sponsors: list[tuple[int, str, int]]
    letterboxes: int


def _sponsored_counts(sponsor_id: int | None = None) -> list[tuple[int, int]]:
    """(sponsor id, offline members present they sponsor now), one sponsor or all of them."""
    sponsee = db.aliased(User)
    query = (
        select(Sponsorship.sponsor_id, func.count(func.distinct(Sponsorship.sponsee_id)))
        .join(sponsee, sponsee.id == Sponsorship.sponsee_id)
        .where(
            Sponsorship.ended_at.is_(None),
            sponsee.has_internet.is_(False),
            sponsee.left_at.is_(None),
            sponsee.erased_at.is_(None),
        )
        .group_by(Sponsorship.sponsor_id)
    )
    if sponsor_id is not None:
        query = query.where(Sponsorship.sponsor_id == sponsor_id)
    return [(row[0], row[1]) for row in db.session.execute(query)]


def paper_by_sponsor() -> list[tuple[User, int]]:
    """Each sponsor of an offline member present, with how many copies they hand over."""
    rows = _sponsored_counts()
    sponsors = {
        u.id: u for u in db.session.scalars(select(User).where(User.id.in_([r[0] for r in rows])))
    }
    return sorted(((sponsors[i], n) for i, n in rows if i in sponsors), key=lambda pair: pair[0].id)


def copies_for(sponsor: User) -> int:
    """How many paper copies a sponsor hands over: one per offline member they sponsor now."""
    rows = _sponsored_counts(sponsor.id)
    return rows[0][1] if rows else 0


def audience() -> Audience:
    sponsors = paper_by_sponsor()
    return Audience(
        emails=len(email_recipients()),
        paper=sum(count for _sponsor, count in sponsors),
        sponsors=[(sponsor.id, sponsor.first_name, count) for sponsor, count in sponsors],
        letterboxes=len(letter_dwellings()),
    )


def last_sent_on() -> date | None:
    """The day (Paris) the latest newsletter was sent, for the association console's snapshot."""
    sent = db.session.scalar(select(func.max(NewsletterIssue.sent_at)))
    return to_paris(sent).date() if sent else None
