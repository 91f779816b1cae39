"""Print runs for animators: letters to every dwelling (background job), posters and flyers."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from .. import printing
from ..events.models import Event, EventKind
from ..events.services import upcoming_events
from ..actions import attempt_and_say, form_page, save_and_say
from ..extensions import db
from ..i18n import long_date
from ..dwellings.services import streets
from ..perimeter.models import get_perimeter
from ..urls import public_base, public_url_for
from .forms import LetterRunForm, LetterTemplateForm
from .jobs import launch
from .letter import DEFAULT_LETTER, PLACEHOLDER_HELP
from .models import PrintRun
from .services import (
    PrintRunError,
    confirm_run,
    create_letter_run,
    event_data,
    files_kept_days,
    is_stalled,
    letter_text,
    pdf_path,
)
from .scans import scan_counts

bp = Blueprint("printruns", __name__, url_prefix="/impressions")

# URL part -> flyer size for the print engine (None: the A4 poster).
FLYER_SIZES = {"affiche": None, "a5": "A5", "a6": "A6"}


def _event_choices() -> list[tuple[int, str]]:
    return [
        (e.id, f"{e.display_title} – {long_date(e.starts_at)}") for e in upcoming_events(limit=30)
    ]


def _street_choices() -> list[tuple[str, str]]:
    return [(street, f"{street} ({n})") for street, n in streets(receiving_letters=True)]


@bp.route("/")
def index():
    runs = db.session.scalars(select(PrintRun).order_by(PrintRun.created_at.desc()).limit(50)).all()
    return render_template(
        "printruns/index.html",
        runs=runs,
        scans=scan_counts([r.id for r in runs]),
        stalled={r.id for r in runs if is_stalled(r)},
    )


@bp.route("/lettres", methods=["GET", "POST"])
def new_letters():
    form = LetterRunForm()
    form.event.choices = _event_choices()
    form.streets.choices = _street_choices()
    if form.validate_on_submit():
        event = db.session.get(Event, form.event.data)
        base_url = public_base()  # never the request's host; unset: the French « PUBLIC_URL » page
        created = attempt_and_say(
            lambda: create_letter_run(
                event=event,
                base_url=base_url,
                addressed=form.addressed.data,
                streets=form.streets.data or None,
                building=form.building.data or "",
                unaddressed=form.unaddressed.data,
                actor=current_user,
            ),
            (PrintRunError, printing.TemplateError),
        )
        if created.ok:
            launch(created.value)
            return redirect(url_for("printruns.show", run_id=created.value.id))
    return form_page("printruns/letters.html", form)


def _run(run_id: int) -> PrintRun:
    return db.session.get(PrintRun, run_id) or abort(404)


@bp.route("/<int:run_id>")
def show(run_id: int):
    run = _run(run_id)
    return render_template(
        "printruns/show.html",
        run=run,
        stalled=is_stalled(run),
        scans=scan_counts([run.id]).get(run.id, 0),
        has_file=pdf_path(run) is not None,
        kept_days=files_kept_days(),
    )


@bp.route("/<int:run_id>/etat.json")
def status(run_id: int):
    run = _run(run_id)
    return jsonify(
        status=run.status,
        done=run.done_pages,
        total=run.total_pages,
        percent=run.percent,
        stalled=is_stalled(run),
    )


@bp.route("/<int:run_id>/lettres.pdf")
def download(run_id: int):
    run = _run(run_id)
    path = pdf_path(run)
    if path is None:
        abort(404)
    return send_file(
        path,
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"lettres-{run.code.lower()}.pdf",
    )


@bp.route("/<int:run_id>/confirmer", methods=["POST"])
def confirm(run_id: int):
    from ..auth.forms import ConfirmForm

    run = _run(run_id)
    if ConfirmForm().validate_on_submit():
        attempt_and_say(
            lambda: confirm_run(run, actor=current_user),
            PrintRunError,
            lambda count: _(
                "C'est noté : la lettre d'aujourd'hui est enregistrée pour chaque logement de la "
                "série (%(n)d).",
                n=count,
            ),
        )
    return redirect(url_for("printruns.show", run_id=run.id))


@bp.route("/rendez-vous/<int:event_id>")
def event_printouts(event_id: int):
    event = db.session.get(Event, event_id) or abort(404)
    return render_template("printruns/event.html", event=event)


@bp.route("/rendez-vous/<int:event_id>/<any(affiche, a5, a6):size>.pdf")
def event_pdf(event_id: int, size: str):
    event = db.session.get(Event, event_id) or abort(404)
    info = event_data(event, get_perimeter(), public_url=public_url_for("public.home"))
    try:
        flyer = FLYER_SIZES[size]
        pdf = printing.render_flyers(info, flyer) if flyer else printing.render_poster(info)
    except ValueError as error:
        flash(str(error), "error")
        return redirect(url_for("printruns.event_printouts", event_id=event.id))
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{size}-{event.starts_at:%Y-%m-%d}.pdf"'
        },
    )


@bp.route("/modele-de-lettre", methods=["GET", "POST"])
def letter_template():
    perimeter = get_perimeter()
    form = LetterTemplateForm(letter_template=perimeter.letter_template or DEFAULT_LETTER)
    form.event.choices = _event_choices()
    if form.validate_on_submit():
        event = db.session.get(Event, form.event.data) if form.event.data else None
        sample = event or _sample_event()
        try:
            text = letter_text(perimeter, event_data(sample, perimeter), form.letter_template.data)
        except printing.TemplateError as error:
            form.letter_template.errors.append(str(error))
        else:
            if request.form.get("action") == "preview":
                return _preview(perimeter, sample, text)
            perimeter.letter_template = form.letter_template.data
            save_and_say(_("Le texte de la lettre est enregistré."))
            return redirect(url_for("printruns.letter_template"))
    return form_page("printruns/template.html", form, placeholders=PLACEHOLDER_HELP)


def _sample_event() -> Event:
    from datetime import timedelta

    from ..timeutil import utcnow

    start = utcnow() + timedelta(days=14)
    perimeter = get_perimeter()
    return Event(
        kind=EventKind.APERO_INFO.value,
        starts_at=start.replace(hour=16, minute=30, second=0, microsecond=0),
        ends_at=start.replace(hour=18, minute=30, second=0, microsecond=0),
        place=perimeter.meeting_place or perimeter.city,
    )


def _preview(perimeter, event: Event, text: str) -> Response:
    info = event_data(event, perimeter, public_url=public_url_for("public.home"))
    sample = printing.Recipient(
        address_lines=printing.postal_address_lines(
            12,
            "bis",
            "Rue des Exemples",
            "Résidence Modèle, Bât. A",
            perimeter.postcode,
            perimeter.city,
        ),
        reference="APERCU",
    )
    run = printing.LetterRun(
        event=info,
        body=text,
        recipients=[sample],
        qr_base_url=public_url_for("public.letter_scan"),
        title="Aperçu de la lettre",
    )
    return Response(
        printing.render_letters(run, workers=1),
        mimetype="application/pdf",
        headers={"Content-Disposition": 'inline; filename="apercu-lettre.pdf"'},
    )
