"""Publishing an issue, from one source, three ways: the members' page (and the public one if
the group wants), an email to each consenting member (HTML and plain text, through the
notifications outbox and the background queue), and paper (the one-copy PDF for offline members
through their sponsors; a print run to every dwelling that accepts mail).

Nothing is sent twice: each email has a per-recipient outbox key (« newsletter:<issue>:<member> »),
accepted in batches that each commit; a send interrupted midway is resumed by the next click,
which skips the keys already in the outbox; a sent issue sends nothing more."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from markupsafe import escape

from .. import printing
from ..audit.services import record
from ..auth.models import User
from ..extensions import db
from ..members.models import ConsentKind
from ..notifications.email import build_email, unsubscribe_token
from ..notifications.outbox import accept, accepted_keys
from ..notifications.transport import Email, enabled
from ..perimeter.models import get_perimeter
from ..printruns.jobs import launch
from ..printruns.services import PrintRunError, create_newsletter_run, letter_dwellings
from ..timeutil import utcnow
from ..urls import has_public_url, public_base, public_url_for
from . import printouts
from .models import IssueStatus, NewsletterIssue
from .services import NewsletterError, copies_for, email_recipients

BATCH = 100  # emails accepted per commit: an interruption loses at most one batch's work


STOP = "@@stop-url@@"  # where each member's own stop link goes in the rendered email


def _rendered(issue: NewsletterIssue, locale: str, *, test: bool = False) -> Email:
    """The issue's email in one language, rendered once for every member reading it, with STOP
    where each one's own stop link goes (build_email: the same templates and subject)."""
    reader = SimpleNamespace(id=0, email="", first_name="", locale=locale)
    with force_locale(locale):
        return build_email(
            reader,
            ConsentKind.NEWSLETTER,
            (_l("[Essai] %(name)s", name=issue.name) if test else issue.name),
            "email/newsletter.txt",
            html_template="email/newsletter.html",
            stop_url=STOP,
            issue=issue,
            blocks=issue.blocks,
            month_text=printouts.month_text(issue),
            page_url=public_url_for("newsletter.show", issue_id=issue.id),
        )


def _email(issue: NewsletterIssue, user: User, cache: dict | None = None, **options) -> Email:
    cache = {} if cache is None else cache
    locale = user.locale or "fr"
    if locale not in cache:
        cache[locale] = _rendered(issue, locale, **options)
    model = cache[locale]
    stop = public_url_for(
        "notifications.unsubscribe", token=unsubscribe_token(user, ConsentKind.NEWSLETTER)
    )
    return replace(
        model,
        to=user.email,
        user_id=user.id,
        unsubscribe_url=stop,
        body=model.body.replace(STOP, stop),
        html=model.html.replace(STOP, escape(stop)),
    )


def _require_email() -> None:
    if not enabled():
        raise NewsletterError(
            _l(
                "Les courriels ne sont pas configurés sur ce site (serveur d'envoi ou adresse "
                "publique) : rien n'est envoyé."
            )
        )


def send_test(issue: NewsletterIssue, animator: User) -> None:
    """« M'envoyer un essai »: the email, as members will get it, to the animator only."""
    _require_email()
    if not animator.email:
        raise NewsletterError(_l("Votre compte n'a pas d'adresse de courriel."))
    if not issue.blocks:
        raise NewsletterError(_l("La lettre est vide : ajoutez un bloc."))
    accept(_email(issue, animator, test=True))
    issue.test_sent_at = utcnow()
    record("newsletter.test_sent", actor=animator, issue=issue.id)


def email_key(issue: NewsletterIssue, user_id: int) -> str:
    return f"newsletter:{issue.id}:{user_id}"


def queue_emails(issue: NewsletterIssue) -> int:
    """Accept the issue's email for each consenting member not yet in the outbox for it,
    committing every BATCH; returns how many were accepted now."""
    done = accepted_keys(f"newsletter:{issue.id}:")
    # Every email is built before the first commit, which would expire the members read here.
    cache: dict = {}
    pending = [
        (_email(issue, user, cache), email_key(issue, user.id))
        for user in email_recipients()
        if email_key(issue, user.id) not in done
    ]
    issue_id = issue.id
    for start in range(0, len(pending), BATCH):
        for email, key in pending[start : start + BATCH]:
            accept(email, key=key)
        db.session.get(NewsletterIssue, issue_id).emails_queued = len(done) + min(
            start + BATCH, len(pending)
        )
        db.session.commit()
    return len(pending)


def send(issue: NewsletterIssue, *, actor: User) -> dict:
    """Publish the issue and send it (emails, the letterboxes' print run). A sent issue sends
    nothing more; an interrupted send resumes where it stopped. Returns what was done now."""
    if issue.sent_at is not None:
        return {"emails": 0, "print_run": None, "already": True}
    if not issue.blocks:
        raise NewsletterError(_l("La lettre est vide : ajoutez un bloc."))
    if email_recipients():
        _require_email()
    if issue.status != IssueStatus.PUBLISHED:
        issue.status, issue.published_at = IssueStatus.PUBLISHED.value, utcnow()
    issue.sending_started_at = issue.sending_started_at or utcnow()
    db.session.commit()
    emails = queue_emails(issue)
    run = None
    if issue.print_run_id is None and has_public_url() and letter_dwellings():
        try:
            run = create_newsletter_run(
                printouts.paper_params(issue, get_perimeter(), issue.blocks),
                base_url=public_base(),
                actor=actor,
            )
        except PrintRunError as error:
            raise NewsletterError(str(error)) from error
        issue.print_run_id = run.id
    issue.sent_at = utcnow()
    record("newsletter.sent", actor=actor, issue=issue.id, emails=issue.emails_queued)
    db.session.commit()
    if run is not None:
        launch(run)
    return {"emails": emails, "print_run": run.id if run else None, "already": False}


def _paper(issue: NewsletterIssue) -> printing.NewsletterPaper:
    params = printouts.paper_params(issue, get_perimeter(), issue.blocks)
    qr = public_base() + "/bienvenue" if has_public_url() else ""
    return printouts.paper(params, qr)


def paper_copy(issue: NewsletterIssue) -> bytes:
    """The one-copy PDF (A4 recto-verso, large print) for offline members and their sponsors."""
    return printing.render_newsletter(_paper(issue))


def sponsor_copies(issue: NewsletterIssue, sponsor: User) -> tuple[bytes, int]:
    """A sponsor's PDF: one copy per offline member they sponsor now (2 pages each), and how
    many. NewsletterError when they sponsor no offline member."""
    count = copies_for(sponsor)
    if not count:
        raise NewsletterError(
            _l("Aucun filleul sans internet : pas d'exemplaire papier à imprimer.")
        )
    return printing.render_newsletter_copies(_paper(issue), count), count
