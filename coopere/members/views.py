"""The animators' side: the registration desk (three screens), the members list, a member's
page, corrections, departures and sponsorship links (printouts: `printout_views`)."""

from __future__ import annotations


from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ..inputs import page_number, paging, parse_id, remembered_search
from ..auth.forms import ConfirmForm
from ..auth.identifiers import format_phone
from ..auth.models import User
from ..cafe.calls import set_call_before_cafes
from ..cafe.desk import event_for_desk
from ..cafe.views import newcomer_registered
from ..dwellings.services import streets
from ..actions import attempt_and_say, form_page, save_and_say
from ..extensions import db
from ..i18n import elide
from ..listings.themes import all_themes
from ..perimeter.models import get_perimeter
from . import consents as texts
from . import printout_views  # noqa: F401  (its routes, on this blueprint)
from .blueprint import bp, member_or_404
from .desk import has_errors, registration_of, summary, validate_steps
from .forms import MemberEditForm, SponsorForm, registration_form_class, step_fields
from .models import ConsentKind
from .checks import MemberError
from .consent_records import consent_history, current_consents
from .dwelling_labels import dwelling_choices, dwelling_label, find_dwelling
from .recovery import never_activated
from .registration import register_resident
from .services import PAGE_SIZE, STATUS_FILTERS, history, listings_of, mark_left, members_page
from .services import sponsors_by_sponsee, update_member
from .sponsorship import SponsorshipError, contact_route, end_sponsorship, link_sponsor
from .sponsorship import possible_sponsors, sponsees_of, sponsorship_of, sponsorships_history

# --- the registration desk ------------------------------------------------------------------


@bp.route("/inscription", methods=["GET", "POST"])
def desk():
    perimeter = get_perimeter() or abort(404)
    themes = all_themes()
    form = registration_form_class(themes)()
    sponsors = [user for user in possible_sponsors(current_user) if not user.is_offline]
    form.sponsor_id.choices = [SelectChoice("", _("À trouver plus tard"))] + [
        SelectChoice(str(user.id), user.full_name) for user in sponsors
    ]
    step, duplicates, suggestions = 1, [], []
    cafe_event = event_for_desk(
        request.values.get("cafe")
    )  # started from a café desk: back there after
    if request.method == "POST":
        current = min(max(parse_id(form.step.data) or 1, 1), 3)
        if request.form.get("go") == "back":
            step = max(1, current - 1)
        else:
            valid, duplicates, suggestions = validate_steps(form, range(1, current + 1))
            if not valid:
                step = next(n for n in range(1, current + 1) if has_errors(form, n) or n == current)
            elif current < 3:
                step = current + 1
            else:
                saved = _save_registration(form, themes, perimeter)
                if saved is not None and cafe_event is not None:
                    return newcomer_registered(cafe_event, saved)
                if saved is not None:
                    flash(
                        _(
                            "%(name)s est inscrit(e). Imprimez sa carte d'accueil et son "
                            "récépissé.",
                            name=saved.full_name,
                        ),
                        "success",
                    )
                    return redirect(url_for("members.show", member_id=saved.id, nouveau=1))
                step = 3
    form.step.data = str(step)
    if step == 1 and (form.phone.data or "").startswith("+"):
        form.phone.data = format_phone(form.phone.data)  # as the animator typed it, not E.164
    return render_template(
        "members/desk.html",
        form=form,
        step=step,
        themes=themes,
        visible=step_fields(form, step),
        duplicates=duplicates,
        suggestions=suggestions,
        dwellings=dwelling_choices() if step == 1 else {},
        perimeter=perimeter,
        privacy_notice=texts.PRIVACY_NOTICE,
        cafe_event=cafe_event,
        summary=summary(form, themes) if step == 3 else None,
    ), 422 if form.errors or duplicates else 200


def _save_registration(form, themes, perimeter) -> User | None:
    data = registration_of(form, themes)
    return attempt_and_say(
        lambda: register_resident(data, actor=current_user, perimeter=perimeter),
        (MemberError, SponsorshipError),
        field=form.charter,
    ).value


# --- the members list -----------------------------------------------------------------------


@bp.route("/membres/", methods=["GET", "POST"])
def index():
    q = remembered_search("members_q")  # a name: by POST, never in the URL
    if request.method == "POST":  # then the list's address, with the filters that name nobody
        return redirect(
            url_for(
                "members.index",
                **{
                    k: v
                    for k in ("rue", "batiment", "statut")
                    if (v := request.form.get(k, "").strip()[:200])
                },
            )
        )
    street = request.args.get("rue", "")[:200]
    building = request.args.get("batiment", "").strip()[:80]
    status = request.args.get("statut", "")
    status = status if status in STATUS_FILTERS else ""
    page = page_number(request.args.get("page"))  # a 20-digit page overflowed the OFFSET (a 500)
    members, count = members_page(q, street, building, status, page)
    return render_template(
        "members/index.html",
        members=members,
        **paging(count, page, PAGE_SIZE),
        q=q,
        street=street,
        building=building,
        status=status,
        statuses=STATUS_FILTERS,
        streets=streets(),
        sponsors=sponsors_by_sponsee([member.id for member in members]),
        confirm=ConfirmForm(),
    )


@bp.route("/membres/<int:member_id>")
def show(member_id: int):
    from ..privacy.services import pending_erasure

    member = member_or_404(member_id)
    sponsorship = sponsorship_of(member)
    consents = current_consents(member)
    share = consents.get(ConsentKind.SHARE_PHONE.value)
    return render_template(
        "members/show.html",
        member=member,
        sponsorship=sponsorship,
        reached=contact_route(member, phone_shared=bool(share and share.given), in_exchange=True),
        sponsorships=sponsorships_history(member),
        consents=consents,
        consent_texts=texts.ALL,
        consent_history=consent_history(member),
        listings=listings_of(member),
        events=history(member),
        sponsees=sponsees_of(member),
        just_registered=bool(request.args.get("nouveau")),
        registrar=db.session.get(User, member.registered_by_id)
        if member.registered_by_id
        else None,
        never_activated=never_activated(member),
        confirm=ConfirmForm(),
        erasure=pending_erasure(member),
    )


@bp.route("/membres/<int:member_id>/modifier", methods=["GET", "POST"])
def edit(member_id: int):
    member = member_or_404(member_id)
    form = MemberEditForm(obj=member)
    if request.method == "GET":
        form.address.data = dwelling_label(member.dwelling) if member.dwelling else ""
        form.not_in_register.data = member.dwelling is None
        form.has_internet.data = "yes" if member.has_internet else "no"
        form.phone.data = format_phone(member.phone)
    suggestions: list[str] = []
    if form.validate_on_submit():
        dwelling_id = None
        if not form.not_in_register.data:
            dwelling_id, suggestions = find_dwelling(form.address.data)
            if dwelling_id is None:
                form.address.errors.append(
                    _(
                        "Cette adresse n'est pas dans le registre. Choisissez-la dans la "
                        "liste, ou cochez « L'adresse n'est pas dans le registre »."
                    )
                )
        if not form.errors:
            values = {
                name: form[name].data
                for name in (
                    "first_name",
                    "last_name",
                    "address_note",
                    "phone",
                    "email",
                    "contact_preference",
                    "languages",
                )
            }
            values.update(dwelling_id=dwelling_id, has_internet=form.has_internet.data == "yes")

            def save():
                update_member(member, values, actor=current_user)
                set_call_before_cafes(member, form.call_before_cafes.data, actor=current_user)

            if attempt_and_say(
                save,
                MemberError,
                lambda _done: elide(
                    _("La fiche de %(name)s est enregistrée.", name=member.full_name),
                    member.full_name,
                ),
                field=form.first_name,
            ).ok:
                return redirect(url_for("members.show", member_id=member.id))
    return form_page(
        "members/edit.html",
        form,
        member=member,
        dwellings=dwelling_choices(),
        suggestions=suggestions,
    )


@bp.route("/membres/<int:member_id>/depart", methods=["POST"])
def leave(member_id: int):
    member = member_or_404(member_id)
    if not ConfirmForm().validate_on_submit() or request.form.get("confirm") != "yes":
        flash(_("Cochez la case pour confirmer le départ : rien n'a été changé."), "error")
        return redirect(url_for("members.show", member_id=member.id))
    attempt_and_say(
        lambda: mark_left(member, actor=current_user),
        MemberError,
        _("%(name)s est noté(e) comme parti(e) du périmètre.", name=member.full_name),
    )
    return redirect(url_for("members.show", member_id=member.id))


# --- sponsorship ----------------------------------------------------------------------------


@bp.route("/membres/<int:member_id>/parrainage", methods=["GET", "POST"])
def sponsor(member_id: int):
    member = member_or_404(member_id)
    perimeter = get_perimeter() or abort(404)
    current = sponsorship_of(member)
    form = SponsorForm()
    candidates = [user for user in possible_sponsors(member) if not user.is_offline]
    form.sponsor_id.choices = [SelectChoice("", _("Choisissez…"))] + [
        SelectChoice(str(user.id), user.full_name) for user in candidates
    ]
    if request.method == "GET":
        form.consent_reference.data = member.paper_reference
    if form.validate_on_submit():
        sponsor_id = parse_id(form.sponsor_id.data)
        new_sponsor = db.session.get(User, sponsor_id) if sponsor_id is not None else None

        def link():
            if new_sponsor is None:
                raise SponsorshipError(_("Choisissez un parrain ou une marraine."))
            link_sponsor(
                member,
                new_sponsor,
                actor=current_user,
                consent_reference=form.consent_reference.data,
                sponsor_agreed=form.sponsor_agreed.data,
                perimeter=perimeter,
                transfer=current is not None,
            )

        if attempt_and_say(
            link,
            SponsorshipError,
            lambda _done: elide(
                _(
                    "%(sponsor)s est maintenant le parrain ou la marraine de %(name)s.",
                    sponsor=new_sponsor.full_name,
                    name=member.full_name,
                ),
                member.full_name,
            ),
            field=form.sponsor_id,
        ).ok:
            return redirect(url_for("members.show", member_id=member.id))
    return form_page(
        "members/sponsor.html",
        form,
        member=member,
        current=current,
        limit=current_app.config["SPONSEES_MAX"],
    )


@bp.route("/membres/<int:member_id>/parrainage/fin", methods=["POST"])
def end_sponsor(member_id: int):
    member = member_or_404(member_id)
    current = sponsorship_of(member)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if current is None:
        flash(_("Cette personne n'a pas de parrain ni de marraine : rien n'a été changé."), "error")
    else:
        end_sponsorship(current, actor=current_user)
        save_and_say(
            elide(
                _(
                    "Le parrainage de %(name)s par %(sponsor)s est terminé.",
                    name=member.full_name,
                    sponsor=current.sponsor.full_name,
                ),
                member.full_name,
            )
        )
    return redirect(url_for("members.show", member_id=member.id))


# --- personal-data rights (coopere.privacy) ---------------------------------------------------


@bp.route("/membres/<int:member_id>/donnees.pdf")
def export_pdf(member_id: int):
    """Everything held about the person, printed for them (a resident without internet)."""
    from ..privacy.views import export_response

    return export_response(member_or_404(member_id), "pdf", actor=current_user)


@bp.route("/membres/<int:member_id>/donnees.json")
def export_json(member_id: int):
    from ..privacy.views import export_response

    return export_response(member_or_404(member_id), "json", actor=current_user)


@bp.route("/membres/<int:member_id>/effacer", methods=["GET", "POST"])
def erase(member_id: int):
    """Erasure by an admin, after typing the person's first name (irreversible)."""
    from ..privacy.views import erase_page

    return erase_page(member_or_404(member_id))
