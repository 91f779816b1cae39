"""The animation group's pages: the group and its task families, each event's roster of tasks, the
next rosters at a glance, the fair-share view, the printed roster."""

from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from ..inputs import parse_id
from .. import printing
from ..auth.forms import ConfirmForm
from ..auth.models import GroupRole
from ..database import writes_on_get
from ..events.models import Event
from ..actions import attempt_and_say
from ..extensions import db
from ..perimeter.models import get_perimeter
from ..perimeter.support import active_grants
from . import models  # noqa: F401  (tables known to the app and to migrations)
from . import roster as roster_rules
from . import services
from .forms import NoteForm
from .models import FAMILY_LABELS, TASK_LABELS, Family, Task
from .printouts import roster_sheet
from .services import RosterError

bp = Blueprint("group", __name__)

TASKS = ", ".join(task.value for task in Task)
FAMILIES = ", ".join(family.value for family in Family)
TASK_URL = f"/groupe/tableau/<int:event_id>/<any({TASKS}):task>"


# --- the group and its task families ----------------------------------------------------------


@bp.route("/groupe")
def index():
    return _index()


def _index(note_forms: dict | None = None, status: int = 200):
    people = services.animators()
    families = services.families_by_user(user.id for user in people)
    notes = services.notes_by_family()
    members = {
        family: [user for user in people if family in families[user.id]] for family in Family
    }
    forms = {family: NoteForm(prefix=family.value, formdata=None) for family in Family}
    forms.update(note_forms or {})
    advice_level, advice = services.size_advice(len(people))
    return render_template(
        "group/index.html",
        people=people,
        families=families,
        members=members,
        notes=notes,
        note_forms=forms,
        family_labels=FAMILY_LABELS,
        advice=advice,
        advice_level=advice_level,
        departures=services.departures(notes),
        pilote=GroupRole.PILOTE.value,
        copilote=GroupRole.COPILOTE.value,
        training=training_days(),
        support_grants=active_grants(),
    ), status


@bp.route(f"/groupe/familles/<any({FAMILIES}):family>", methods=["POST"])
def set_family(family: str):
    family = Family(family)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    # parse_id: a 20-digit id overflowed the database integer (a 500); 0 is nobody, refused below.
    user_ids = [parse_id(value) or 0 for value in request.form.getlist("members")]
    label = FAMILY_LABELS[family]
    attempt_and_say(
        lambda: services.set_family_members(family, user_ids, actor=current_user),
        RosterError,
        lambda chosen: (
            _(
                "« %(family)s » : %(names)s s'en occupe(nt).",
                family=label,
                names=", ".join(user.full_name for user in chosen),
            )
            if chosen
            else _("« %(family)s » : personne ne s'en occupe pour l'instant.", family=label)
        ),
    )
    return redirect(url_for("group.index", _anchor=f"famille-{family.value}"))


@bp.route(f"/groupe/familles/<any({FAMILIES}):family>/note", methods=["POST"])
def add_note(family: str):
    family = Family(family)
    form = NoteForm(prefix=family.value)
    if (
        form.validate_on_submit()
        and attempt_and_say(
            lambda: services.add_note(family, form.text.data, author=current_user),
            RosterError,
            _(
                "La note de passation de « %(family)s » est enregistrée.",
                family=FAMILY_LABELS[family],
            ),
            field=form.text,
        ).ok
    ):
        return redirect(url_for("group.index", _anchor=f"famille-{family.value}"))
    return _index({family: form}, status=422)


# --- the roster of an event -------------------------------------------------------------------


def _event(event_id: int) -> Event:
    return db.session.get(Event, event_id) or abort(404)


@bp.route("/groupe/tableau/<int:event_id>")
@writes_on_get
def roster(event_id: int):
    event = _event(event_id)
    try:
        if roster_rules.ensure_slots(event):
            db.session.commit()
    except IntegrityError:  # opened at the same moment by someone else: their slots are there
        db.session.rollback()
    slots = roster_rules.slots_of(event)
    return render_template(
        "group/roster.html",
        event=event,
        slots=slots,
        task_labels={task.value: TASK_LABELS[task] for task in Task},
        is_open=not event.cancelled and not event.has_ended(),
        is_past=event.has_ended(),
        can_assign=services.can_assign(current_user),
        people=services.animators(),
    )


def _roster_action(event_id: int, action) -> Response:
    event = _event(event_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)

    def run() -> str:
        try:
            message = action(event)
            db.session.flush()
        except IntegrityError as error:  # the same slots created at the same moment elsewhere
            raise RosterError(
                _("Quelqu'un vient de modifier ce tableau : vérifiez-le, puis recommencez.")
            ) from error
        return message

    attempt_and_say(run, RosterError, lambda message: message)
    return redirect(url_for("group.roster", event_id=event.id))


def _own_task(event_id: int, task: Task, rule, said) -> Response:
    """The logged-in animator takes a task, or leaves it: `rule` does it, `said(label)` says so."""

    def action(event):
        rule(event, task, current_user)
        return said(TASK_LABELS[task])

    return _roster_action(event_id, action)


@bp.route(f"{TASK_URL}/prendre", methods=["POST"])
def take(event_id: int, task: str):
    return _own_task(
        event_id,
        Task(task),
        roster_rules.take,
        lambda label: _("Merci ! Vous vous chargez de « %(task)s ».", task=label),
    )


@bp.route(f"{TASK_URL}/laisser", methods=["POST"])
def release(event_id: int, task: str):
    return _own_task(
        event_id,
        Task(task),
        roster_rules.release,
        lambda label: _("« %(task)s » est de nouveau à prendre.", task=label),
    )


@bp.route(f"{TASK_URL}/confier", methods=["POST"])
def assign(event_id: int, task: str):
    task = Task(task)
    if not services.can_assign(current_user):
        abort(403)
    value = request.form.get("volunteer_id", "").strip()
    volunteer_id = (parse_id(value) or -1) if value else None  # -1: nobody (refused below)

    def action(event):
        slot = roster_rules.assign(event, task, volunteer_id, actor=current_user)
        if slot.volunteer_id is None:
            return _("« %(task)s » est de nouveau à prendre.", task=TASK_LABELS[task])
        return _(
            "« %(task)s » est confié à %(name)s.",
            task=TASK_LABELS[task],
            name=slot.volunteer.full_name,
        )

    return _roster_action(event_id, action)


@bp.route("/groupe/tableau/<int:event_id>/taches", methods=["POST"])
def add_tasks(event_id: int):
    def action(event):
        roster_rules.add_tasks(event)
        return _("Les tâches sont ajoutées : chacun peut maintenant s'en charger.")

    return _roster_action(event_id, action)


@bp.route("/groupe/tableau/<int:event_id>.pdf")
def roster_pdf(event_id: int):
    event = _event(event_id)
    perimeter = get_perimeter() or abort(404)
    pdf = printing.render_roster(roster_sheet(event, perimeter))
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": (
                f'inline; filename="tableau-des-taches-{event.starts_at:%Y-%m-%d}.pdf"'
            ),
            "Cache-Control": "no-store",
        },
    )


# --- the next rosters, the fair share ---------------------------------------------------------


@bp.route("/groupe/tableaux")
def rosters():
    return render_template("group/rosters.html", rosters=roster_rules.upcoming_rosters())


@bp.route("/groupe/partage")
def fair_share():
    shares, since = roster_rules.fair_share()
    return render_template(
        "group/fair_share.html",
        shares=shares,
        since=since,
        tasks=list(Task),
        task_labels=TASK_LABELS,
        nudge=roster_rules.share_nudge(shares),
    )


# --- the network's training days (a perimeter of a network only) -----------------------------


def network_link():
    """What the perimeter's network offers it (coopere/association/link.py), None outside one."""
    from flask import current_app

    return current_app.extensions.get("coopere.network_link")


def training_days() -> list[dict]:
    link = network_link()
    return link.training_days() if link is not None else []


@bp.post("/groupe/formations/<int:day_id>")
def training_answer(day_id: int):
    """The pilote or the copilote says whether they will come to a training day of the network."""
    link = network_link()
    if link is None:
        abort(404)
    role = current_user.group_role
    if role not in (GroupRole.PILOTE.value, GroupRole.COPILOTE.value):
        abort(403)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    coming = request.form.get("coming") == "oui"
    attempt_and_say(
        lambda: link.answer_training(
            day_id, current_user.id, current_user.first_name, role, coming
        ),
        ValueError,
        _("C'est noté : vous viendrez.") if coming else _("C'est noté : vous ne viendrez pas."),
    )
    return redirect(url_for("group.index", _anchor="formations"))
