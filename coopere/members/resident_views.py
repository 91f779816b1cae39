"""A resident's own side: activating their account with the welcome card's code, their
profile and contact preferences, their consents, and what is recorded about them.

The account pages are always about `current_user` themself, never about a sponsee the user
is acting for: a sponsor manages a sponsee from the sponsorship pages."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user
from sqlalchemy import func, select

from ..actions import attempt, attempt_and_say, form_page
from ..auth.forms import ConfirmForm
from ..auth.identifiers import InvalidIdentifier, format_phone, parse_login
from ..auth.views import flash_login_notices
from ..cafe.calls import set_call_before_cafes
from ..extensions import db, limiter
from ..listings.models import Listing, ListingStatus
from ..perimeter.models import get_perimeter
from . import consents as texts
from .forms import ActivationForm, CodeForm, ProfileForm
from .models import ConsentKind, Method
from .activation import activate as activate_account, check_code, check_code_id
from .checks import DuplicateError, MemberError, check_identifiers_free
from .consent_records import consent_history, current_consents
from .dwelling_labels import dwelling_label
from .services import set_own_consent, update_own_profile

bp = Blueprint("resident", __name__)


# --- activation -----------------------------------------------------------------------------


def _per_address() -> str:
    return current_app.config["RATELIMIT_ACTIVATION"]


def _site_wide() -> str:
    return current_app.config["RATELIMIT_ACTIVATION_GLOBAL"]


def _whole_site() -> str:
    """The key of the count for the whole site: the perimeter's, in a network (the limiter's
    storage is shared by every perimeter a worker serves)."""
    slug = current_app.config.get("NETWORK_SLUG")
    return f"{slug}/activation" if slug else "activation"


def activation_limits(methods: list[str] | None = None):
    """Code attempts are counted per address and for the whole site, across both activation
    routes, so that guessing a code is hopeless even from many addresses."""

    def decorate(view):
        view = limiter.shared_limit(
            _site_wide, scope="activation-global", key_func=_whole_site, methods=methods
        )(view)
        return limiter.shared_limit(_per_address, scope="activation", methods=methods)(view)

    return decorate


def _code_page(form: CodeForm, refused: str | None = None, status: int = 200):
    return render_template(
        "resident/activate.html", form=form, refused=refused, perimeter=get_perimeter()
    ), status


# The activation code a browser is using: only its row's id, kept in the (signed) session, so
# that the code itself is in no address after the card's QR code was first opened.
PENDING = "activation_code_id"


@bp.route("/activer", methods=["GET", "POST"])
@activation_limits(methods=["POST"])
def activate():
    """Type the card's code (posted, never in the address); then, for the code the session
    holds, choose a password (posted here too)."""
    if current_user.is_authenticated:
        return _code_page(CodeForm(formdata=None))
    typing = "code" in request.form or request.args.get("autre")  # « Taper un autre code »
    if session.get(PENDING) is not None and not typing:
        return _choose_password()
    form = CodeForm()
    if form.validate_on_submit():
        try:
            row = check_code(form.code.data)
        except MemberError as error:
            return _code_page(form, refused=str(error), status=422)
        session[PENDING] = row.id
        return redirect(url_for("resident.activate"), 303)
    return _code_page(form, status=422 if form.errors else 200)


@bp.route("/activer/<code>")
@activation_limits()
def activate_code(code: str):
    """The welcome card's QR code: the code is exchanged at once for its place in the session,
    and the browser goes on to /activer, so that it stays in no address bar, history, or access
    log line after this first request. A used, replaced or expired card is told why there."""
    session.pop(PENDING, None)
    if not current_user.is_authenticated:
        try:
            session[PENDING] = check_code(code).id
        except MemberError as error:
            flash(str(error), "error")
    return redirect(url_for("resident.activate"), 303)


def _choose_password():
    try:
        row = check_code_id(session.get(PENDING))
    except MemberError as error:
        session.pop(PENDING, None)
        return _code_page(
            CodeForm(formdata=None),
            refused=str(error),
            status=422 if request.method == "POST" else 200,
        )
    person = row.user
    form = ActivationForm()
    needs_login = not (person.phone or person.email)
    if not needs_login:
        del form.login
    if form.validate_on_submit():
        done = _activate(row, form, needs_login)
        if done is not None:
            return done
    return form_page(
        "resident/choose_password.html",
        form,
        person=person,
        phone=format_phone(person.phone),
        needs_login=needs_login,
        perimeter=get_perimeter(),
    )


LOGIN_TAKEN = _l(
    "Ce numéro ou cette adresse sert déjà à un autre compte. Choisissez-en un autre, "
    "ou demandez de l'aide au groupe d'animation."
)


def _activate(row, form: ActivationForm, needs_login: bool):
    """Use the code, then log the person in as /connexion does; None when refused (the form
    carries the message, nothing is saved and the code stays usable)."""
    login = None
    if needs_login:
        login = form.login.data.strip()
        try:
            kind, value = parse_login(login)
            check_identifiers_free(
                value if kind == "phone" else None,
                value if kind == "email" else None,
                exclude_id=row.user_id,
            )
        except InvalidIdentifier:
            form.login.errors.append(
                _("Écrivez un numéro de téléphone ou une adresse e-mail valable.")
            )
            return None
        except DuplicateError:
            # Never tell whose number it is.
            form.login.errors.append(str(LOGIN_TAKEN))
            return None
    was_reset = row.user.activated_at is not None  # a reset card: the account was active before

    def activate():
        user = activate_account(row, form.password.data, login=login)
        drafts = db.session.scalar(
            select(func.count())
            .select_from(Listing)
            .where(Listing.owner_id == user.id, Listing.status == ListingStatus.DRAFT.value)
        )
        return user, drafts

    activated = attempt(activate, (DuplicateError, MemberError))
    if not activated.ok:
        if isinstance(activated.refusal, DuplicateError):
            form.login.errors.append(str(LOGIN_TAKEN))  # never tell whose number it is
        else:
            form.password.errors.append(activated.error)
        return None
    user, drafts = activated.value
    chosen_language = session.get("lang")
    session.clear()  # a fresh session on login: no fixation
    login_user(user)
    if user.locale or chosen_language:
        session["lang"] = user.locale or chosen_language
    if was_reset:
        flash(
            _(
                "Votre nouveau mot de passe est enregistré, %(name)s : vous êtes connecté(e).",
                name=user.first_name,
            ),
            "success",
        )
    else:
        flash(
            _(
                "Bienvenue, %(name)s ! Votre compte est activé : vous êtes connecté(e).",
                name=user.first_name,
            ),
            "success",
        )
    flash_login_notices(user)
    if drafts:
        flash(
            _(
                "Vos premières annonces vous attendent dans « Mes annonces » : confirmez-les, "
                "modifiez-les ou retirez-les."
            ),
            "info",
        )
        if "listings.mine" in current_app.view_functions:
            return redirect(url_for("listings.mine"))
    return redirect(url_for("auth.home"))


# --- profile --------------------------------------------------------------------------------


def _me():
    """The logged-in person (never the sponsee they may be acting for)."""
    return current_user._get_current_object()


@bp.route("/compte/profil", methods=["GET", "POST"])
def profile():
    me = _me()
    form = ProfileForm(
        data={
            "contact_preference": me.contact_preference,
            "languages": me.languages,
            "call_before_cafes": me.call_before_cafes,
        }
    )
    if form.validate_on_submit():

        def save():
            values = {
                "contact_preference": form.contact_preference.data,
                "languages": form.languages.data,
            }
            update_own_profile(me, values)
            set_call_before_cafes(me, form.call_before_cafes.data, actor=me)

        if attempt_and_say(
            save,
            MemberError,
            _("Vos préférences sont enregistrées."),
            field=form.contact_preference,
        ).ok:
            return redirect(url_for("resident.profile"))
    address = dwelling_label(me.dwelling) if me.dwelling else me.address_note
    return form_page(
        "resident/profile.html", form, me=me, address=address, perimeter=get_perimeter()
    )


# --- consents -------------------------------------------------------------------------------

OPTIONAL_KINDS = {text.kind for text in texts.OPTIONAL_CONSENTS}
METHOD_LABELS = {
    Method.TABLET.value: _l("sur tablette"),
    Method.PAPER.value: _l("sur papier"),
    Method.ONLINE.value: _l("en ligne"),
}


def _consents_page(error: str | None = None):
    me = _me()
    current = current_consents(me)
    optional = [(text, current.get(text.kind.value)) for text in texts.OPTIONAL_CONSENTS]
    required = [(text, current.get(text.kind.value)) for text in (texts.CHARTER, texts.PRIVACY)]
    return render_template(
        "resident/consents.html",
        optional=optional,
        required=required,
        history=consent_history(me),
        labels=texts.ALL,
        methods=METHOD_LABELS,
        me=me,
        error=error,
    ), 422 if error else 200


@bp.route("/compte/accords")
def consents():
    return _consents_page()


@bp.route("/compte/accords/<kind>", methods=["POST"])
def set_consent(kind: str):
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        consent_kind = ConsentKind(kind)
    except ValueError:
        return _consents_page(_("Cet accord n'existe pas. Rien n'a changé."))
    choice = request.form.get("given")
    if choice not in ("0", "1"):
        return _consents_page(_("Choisissez de donner ou de retirer cet accord. Rien n'a changé."))
    given = choice == "1"
    me = _me()
    text = texts.ALL[consent_kind]
    latest = current_consents(me).get(consent_kind.value)
    if consent_kind in OPTIONAL_KINDS and latest is not None and latest.given == given:
        # A second click, or a page left open on another device: nothing to record.
        flash(_("Rien à changer : c'était déjà le cas."), "info")
        return redirect(url_for("resident.consents"))
    recorded = attempt(
        lambda: set_own_consent(me, consent_kind, given, perimeter=get_perimeter()), MemberError
    )
    if not recorded.ok:
        return _consents_page(recorded.error)
    if given:
        flash(_("Accord donné, dès maintenant : %(label)s", label=text.label), "success")
    else:
        flash(_("Accord retiré, dès maintenant : %(label)s", label=text.label), "success")
    return redirect(url_for("resident.consents"))


# --- what is recorded about me --------------------------------------------------------------


@bp.route("/compte/mes-donnees.pdf")
def my_data():
    """Everything held about me (coopere.privacy.export), printable."""
    from ..privacy.views import export_response

    if get_perimeter() is None:
        abort(404)
    return export_response(_me(), "pdf", actor=_me(), download_name="mes-donnees.pdf")


@bp.route("/compte/mes-donnees.json")
def my_data_json():
    """The same, as a file to take elsewhere (portability)."""
    from ..privacy.views import export_response

    return export_response(_me(), "json", actor=_me(), download_name="mes-donnees.json")


@bp.route("/compte/effacement", methods=["GET", "POST"])
def request_erasure():
    """Asking for my account to be erased: the admins and the animation group are told."""
    from ..privacy.views import request_erasure_page

    return request_erasure_page(_me())
