"""The coordination's pages to start a perimeter: creating it, its set-up page (its coach, the
pilote's activation letter to print), and the network's common texts it starts from."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..actions import made_file
from ..network.create import NewPerimeter
from ..network.sites import public_url
from . import accounts, audit, defaults, perimeters
from .blueprint import bp
from .creation import CreationError, create, letter_path, set_coach
from .perimeters_forms import NO_COACH, CoachForm, DefaultsForm, NewPerimeterForm, coach_choices
from .models import Account
from .phases import PHASE_LABELS
from .store import db_session, network


def _chosen(people, value: str):
    return next((person for person in people if str(person.id) == value), None)


@bp.route("/perimetres/nouveau", methods=["GET", "POST"], endpoint="perimeter_new")
def perimeter_new():
    people = accounts.coaches()
    form = NewPerimeterForm()
    form.coach.choices = coach_choices(people, _("Choisir plus tard"))
    if form.validate_on_submit():
        new = NewPerimeter(
            slug=form.slug.data.strip(),
            name=form.name.data.strip(),
            short_name=(form.short_name.data or "").strip(),
            city=form.city.data.strip(),
            postcode=form.postcode.data.strip(),
            estimated_dwellings=form.dwellings.data,
            meeting_place=(form.meeting_place.data or "").strip(),
            contact=(form.contact.data or "").strip(),
            pilote_first_name=form.pilote_first_name.data.strip(),
            pilote_last_name=form.pilote_last_name.data.strip(),
            pilote_login=form.pilote_login.data.strip(),
        )
        try:
            created = create(
                new,
                coach=_chosen(people, form.coach.data),
                letter=form.letter.data,
                account=current_user,
            )
        except CreationError as error:
            form.slug.errors.append(str(error))
        else:
            flash(_("Le périmètre « %(name)s » est créé, en phase d'amorçage.", name=new.name),
                  "success")  # fmt: skip
            return redirect(url_for("association.perimeter_setup", slug=created.slug))
    status = 400 if form.errors else 200
    return render_template("association/perimeter_new.html", form=form), status


@bp.route("/perimetres/<slug>/mise-en-route", methods=["GET", "POST"], endpoint="perimeter_setup")
def perimeter_setup(slug: str):
    followed = perimeters.one(current_user, slug) or abort(404)
    people = accounts.coaches()
    form = CoachForm(coach=str(followed.profile.coach_id or NO_COACH))
    form.coach.choices = coach_choices(people, _("Pas encore d'accompagnateur·rice"))
    if form.validate_on_submit():
        chosen = _chosen(people, form.coach.data)
        if set_coach(slug, chosen, account=current_user):
            if chosen is None:
                flash(_("« %(name)s » n'a plus d'accompagnateur·rice.", name=followed.entry.name),
                      "success")  # fmt: skip
            else:
                flash(_("%(coach)s accompagne « %(name)s ».", coach=chosen.name,
                        name=followed.entry.name), "success")  # fmt: skip
        return redirect(url_for("association.perimeter_setup", slug=slug))
    return render_template(
        "association/perimeter_setup.html",
        followed=followed,
        form=form,
        phase_label=PHASE_LABELS.get(followed.profile.phase, followed.profile.phase),
        address=public_url(network(), slug),
        letter=letter_path(slug) is not None,
    )


@bp.get("/perimetres/<slug>/lettre-pilote.pdf", endpoint="pilote_letter")
def pilote_letter(slug: str):
    followed = perimeters.one(current_user, slug) or abort(404)
    path = letter_path(followed.slug) or abort(404)
    audit.record("perimeter.letter_downloaded", account=current_user, target=slug)
    db_session().commit()
    return made_file(path.read_bytes(), f"lettre-pilote-{slug}.pdf", private=True)


@bp.route("/textes-communs", methods=["GET", "POST"], endpoint="defaults")
def defaults_page():
    stored = defaults.current()
    texts = {key: stored[key].value if key in stored else defaults.built_in()[key]
             for key in defaults.KEYS}  # fmt: skip
    form = DefaultsForm(data=texts)
    if form.validate_on_submit():
        try:
            changed = defaults.save(
                {key: getattr(form, key).data for key in defaults.KEYS}, account=current_user
            )
        except defaults.DefaultsError as error:
            getattr(form, error.key or "charter").errors.append(str(error))
        else:
            db_session().commit()
            flash(
                _("Les textes communs sont enregistrés : les prochains périmètres en partiront.")
                if changed
                else _("Rien n'a changé."),
                "success",
            )
            return redirect(url_for("association.defaults"))
    return render_template(
        "association/defaults.html",
        form=form,
        stored=stored,
        labels=defaults.LABELS,
        names=dict(db_session().execute(select(Account.id, Account.name)).all()),
    ), 400 if form.errors else 200
