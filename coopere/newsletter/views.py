"""Pages of the newsletter: the archive and an issue for members; the editor, the test and the
send for animators; the public version (no names) when the group chose it. Thin: the rules are in
newsletter/services.py and newsletter/sending.py."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ..actions import attempt_and_say, made_file
from ..auth.forms import ConfirmForm
from ..auth.models import Role, User
from ..extensions import db
from ..printing import LayoutError
from . import sending, services
from .forms import BlockForm, SettingsForm
from .models import NewsletterIssue
from .printouts import month_text

bp = Blueprint("newsletter", __name__)


def _issue(issue_id: int) -> NewsletterIssue:
    issue = db.session.get(NewsletterIssue, issue_id)
    if issue is None or (issue.is_draft and not current_user.has_role(Role.ANIMATOR)):
        abort(404)
    return issue


def _to_editor(issue_id: int, anchor: str = ""):
    return redirect(url_for("newsletter.edit", issue_id=issue_id, _anchor=anchor or None))


@bp.route("/lettre")
def index():
    animator = current_user.has_role(Role.ANIMATOR)
    issues = services.issues() if animator else services.published_issues()
    return render_template(
        "newsletter/index.html",
        issues=issues,
        animator=animator,
        month_text=month_text,
        confirm=ConfirmForm(),
    )


@bp.route("/lettre/nouvelle", methods=["POST"])
def create():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    outcome = attempt_and_say(
        lambda: services.create_draft(actor=current_user), services.NewsletterError
    )
    return _to_editor(outcome.value.id) if outcome.ok else redirect(url_for(".index"))


@bp.route("/lettre/<int:issue_id>")
def show(issue_id: int):
    issue = _issue(issue_id)
    return render_template(
        "newsletter/show.html",
        issue=issue,
        blocks=issue.blocks,
        month_text=month_text(issue),
        preview=issue.is_draft,
        copies=services.copies_for(current_user),  # a sponsor's paper copies, for their sponsees
    )


@bp.route("/la-lettre/<int:issue_id>")
def public_show(issue_id: int):
    issue = db.session.get(NewsletterIssue, issue_id)
    if issue is None or issue.is_draft or not issue.public:
        abort(404)
    return render_template(
        "newsletter/show.html",
        issue=issue,
        blocks=services.public_blocks(issue),
        month_text=month_text(issue),
        preview=False,
        public=True,
    )


@bp.route("/lettre/<int:issue_id>/modifier")
def edit(issue_id: int):
    issue = _issue(issue_id)
    settings = SettingsForm(formdata=None, name=issue.name, public=issue.public)
    forms = [
        BlockForm(formdata=None, prefix=f"b{index}", title=item["title"], text=item["text"])
        for index, item in enumerate(issue.blocks)
    ]
    return render_template(
        "newsletter/edit.html",
        issue=issue,
        settings=settings,
        blocks=list(zip(issue.blocks, forms, strict=True)),
        audience=services.audience(),
        month_text=month_text(issue),
        confirm=ConfirmForm(),
    )


@bp.route("/lettre/<int:issue_id>/reglages", methods=["POST"])
def settings(issue_id: int):
    issue = _issue(issue_id)
    form = SettingsForm()
    if form.validate_on_submit():
        attempt_and_say(
            lambda: services.edit_settings(issue, form.name.data or "", bool(form.public.data)),
            services.NewsletterError,
            _("La lettre est enregistrée."),
        )
    return _to_editor(issue_id)


@bp.route("/lettre/<int:issue_id>/bloc/<int:index>", methods=["POST"])
def block(issue_id: int, index: int):
    issue = _issue(issue_id)
    form = BlockForm(prefix=f"b{index}")
    action = request.form.get("action", "")
    actions = {
        "save": (
            lambda: services.edit_block(issue, index, form.title.data or "", form.text.data or ""),
            _("Le bloc est enregistré."),
        ),
        "remove": (lambda: services.remove_block(issue, index), _("Le bloc est retiré.")),
        "up": (lambda: services.move_block(issue, index, -1), None),
        "down": (lambda: services.move_block(issue, index, 1), None),
    }
    if action not in actions or not form.validate_on_submit():
        flash(_("Cette action n'existe pas : rien n'a changé."), "error")
        return _to_editor(issue_id)
    run, success = actions[action]
    attempt_and_say(run, services.NewsletterError, success)
    return _to_editor(issue_id, "blocs")


@bp.route("/lettre/<int:issue_id>/bloc/ajouter", methods=["POST"])
def add_block(issue_id: int):
    issue = _issue(issue_id)
    if ConfirmForm().validate_on_submit():
        attempt_and_say(
            lambda: services.add_text_block(issue), services.NewsletterError, _("Bloc ajouté.")
        )
    return _to_editor(issue_id, "blocs")


@bp.route("/lettre/<int:issue_id>/essai", methods=["POST"])
def send_test(issue_id: int):
    issue = _issue(issue_id)
    if ConfirmForm().validate_on_submit():
        attempt_and_say(
            lambda: sending.send_test(issue, current_user),
            services.NewsletterError,
            _("Un essai vous est envoyé par courriel."),
        )
    return _to_editor(issue_id, "envoi")


@bp.route("/lettre/<int:issue_id>/envoyer", methods=["POST"])
def send(issue_id: int):
    issue = _issue(issue_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)

    def said(result: dict) -> str:
        if result["already"]:
            return _("Cette lettre est déjà envoyée : rien n'est envoyé une seconde fois.")
        return ngettext(
            "La lettre est publiée : %(num)d courriel en cours d'envoi.",
            "La lettre est publiée : %(num)d courriels en cours d'envoi.",
            result["emails"],
        )

    attempt_and_say(lambda: sending.send(issue, actor=current_user), services.NewsletterError, said)
    return redirect(url_for(".show", issue_id=issue_id))


@bp.route("/lettre/<int:issue_id>/papier.pdf")
def paper(issue_id: int):
    issue = _issue(issue_id)
    try:
        pdf = sending.paper_copy(issue)
    except LayoutError:
        current_app.logger.info("newsletter %s too long for one sheet", issue.id)
        flash(
            _(
                "La lettre est trop longue pour une feuille recto-verso : raccourcissez ou "
                "retirez un bloc."
            ),
            "error",
        )
        return _to_editor(issue_id)
    return made_file(pdf, f"lettre-{issue.month.isoformat()[:7]}.pdf")


@bp.route("/lettre/<int:issue_id>/papier/parrain-<int:sponsor_id>.pdf")
def sponsor_paper(issue_id: int, sponsor_id: int):
    """A sponsor's copies, one per offline member they sponsor: the sponsor or an animator.
    Anyone else gets the same 404 as for an id that matches nobody."""
    issue = _issue(issue_id)
    sponsor = db.session.get(User, sponsor_id)
    if sponsor is None or not (
        sponsor.id == current_user.id or current_user.has_role(Role.ANIMATOR)
    ):
        abort(404)
    back = _to_editor(issue_id) if issue.is_draft else redirect(url_for(".show", issue_id=issue_id))
    try:
        pdf, count = sending.sponsor_copies(issue, sponsor)
    except services.NewsletterError as error:
        flash(str(error), "error")
        return back
    except LayoutError:
        current_app.logger.info("newsletter %s too long for one sheet", issue.id)
        flash(_("La lettre est trop longue pour une feuille recto-verso."), "error")
        return back
    return made_file(pdf, f"lettre-{issue.month.isoformat()[:7]}-{count}-exemplaires.pdf")
