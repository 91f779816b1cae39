"""The route × role policy table: every endpoint states who may reach it; others are denied."""

from __future__ import annotations

import enum

from flask import Flask, abort, request
from flask_login import current_user

from .auth.models import Role
from .extensions import login_manager


class Access(enum.Enum):
    """Who may reach an endpoint. Each level includes the ones after it (admin ⊇ animator ⊇
    member)."""

    PUBLIC = None
    MEMBER = Role.MEMBER
    ANIMATOR = Role.ANIMATOR
    ADMIN = Role.ADMIN


# endpoint -> lowest access level allowed. A route missing from this table is refused (403) and
# makes tests/test_policy.py fail, so nothing is exposed by accident.
POLICY: dict[str, Access] = {
    "static": Access.PUBLIC,
    # public
    "public.home": Access.PUBLIC,
    "public.set_language": Access.PUBLIC,
    "public.letter_scan": Access.PUBLIC,
    "public.privacy": Access.PUBLIC,
    # accounts
    "auth.login": Access.PUBLIC,
    "auth.logout": Access.MEMBER,
    "auth.home": Access.MEMBER,
    "auth.account": Access.MEMBER,
    "auth.change_language": Access.MEMBER,
    "auth.change_password": Access.MEMBER,
    "auth.end_sessions": Access.MEMBER,
    # perimeter administration
    "perimeter.settings": Access.ADMIN,
    "perimeter.group": Access.ADMIN,
    "perimeter.set_role_view": Access.ADMIN,
    "perimeter.set_group_role_view": Access.ADMIN,
    "perimeter.audit": Access.ADMIN,
    # support access of the association's coach (coopere/perimeter/support*.py): the grants page
    # (every animator reads it; giving and ending: the pilote, the copilote and admins only, checked
    # in the view), the coach's entry (a signed one-minute token) and exit, and a group member's
    # consent « être connu·e de l'association » (animators only, checked in the view)
    "support.grants": Access.ANIMATOR,
    "support.give": Access.ANIMATOR,
    "support.revoke": Access.ANIMATOR,
    "support.enter": Access.PUBLIC,
    "support.leave": Access.PUBLIC,
    "support.set_known": Access.MEMBER,
    # events
    "events.index": Access.ANIMATOR,
    "events.create": Access.ANIMATOR,
    "events.edit": Access.ANIMATOR,
    # events: series, one date's page (who said they would come), cancelling, the month's
    # programme; members say they will come (for themself or the sponsee they act for); the
    # .ics of one event (group meetings: animators only, 404 otherwise) and the public feed
    "events.show": Access.ANIMATOR,
    "events.cancel": Access.ANIMATOR,
    "events.series_create": Access.ANIMATOR,
    "events.series_edit": Access.ANIMATOR,
    "events.programme": Access.ANIMATOR,
    "events.upcoming": Access.MEMBER,
    "events.sign_up": Access.MEMBER,
    "events.withdraw": Access.MEMBER,
    "events.event_ics": Access.PUBLIC,
    "events.feed": Access.PUBLIC,
    # a member's notices
    "notifications.index": Access.MEMBER,
    "notifications.mark_read": Access.MEMBER,
    # one-click stop of an email (a signed link in every email: no login needed)
    "notifications.unsubscribe": Access.PUBLIC,
    # exchanges: answering a listing, the thread (its two parties only, or the sponsor acting for
    # one: 404 for anyone else, animators included), « Mes échanges », blocking a member
    "exchanges.start": Access.MEMBER,
    "exchanges.index": Access.MEMBER,
    "exchanges.show": Access.MEMBER,
    "exchanges.reply": Access.MEMBER,
    "exchanges.accept": Access.MEMBER,
    "exchanges.decline": Access.MEMBER,
    "exchanges.withdraw": Access.MEMBER,
    "exchanges.done": Access.MEMBER,
    "exchanges.thanks": Access.MEMBER,
    "exchanges.block": Access.MEMBER,
    "exchanges.unblock": Access.MEMBER,
    # dwelling register
    "dwellings.index": Access.ANIMATOR,
    "dwellings.create": Access.ANIMATOR,
    "dwellings.edit": Access.ANIMATOR,
    "dwellings.delete": Access.ANIMATOR,
    "dwellings.import_file": Access.ANIMATOR,
    "dwellings.import_confirm": Access.ANIMATOR,
    "dwellings.export": Access.ANIMATOR,
    # print runs
    "printruns.index": Access.ANIMATOR,
    "printruns.new_letters": Access.ANIMATOR,
    "printruns.show": Access.ANIMATOR,
    "printruns.status": Access.ANIMATOR,
    "printruns.download": Access.ANIMATOR,
    "printruns.confirm": Access.ANIMATOR,
    "printruns.event_printouts": Access.ANIMATOR,
    "printruns.event_pdf": Access.ANIMATOR,
    "printruns.letter_template": Access.ADMIN,
    # registration desk and members (animators)
    "members.desk": Access.ANIMATOR,
    "members.blank_forms": Access.ANIMATOR,
    "members.index": Access.ANIMATOR,
    "members.show": Access.ANIMATOR,
    "members.edit": Access.ANIMATOR,
    "members.leave": Access.ANIMATOR,
    "members.card": Access.ANIMATOR,
    "members.cards": Access.ANIMATOR,
    # « Réinitialiser l'accès » of an activated account: admins only, never oneself (object check)
    "members.reset_access": Access.ADMIN,
    "members.receipt": Access.ANIMATOR,
    "members.sponsor": Access.ANIMATOR,
    "members.end_sponsor": Access.ANIMATOR,
    # personal-data rights: exports for a resident (animators), erasure (admins only)
    "members.export_pdf": Access.ANIMATOR,
    "members.export_json": Access.ANIMATOR,
    "members.erase": Access.ADMIN,
    # a resident's own side: activation with the welcome card, profile, consents, own data
    "resident.activate": Access.PUBLIC,
    "resident.activate_code": Access.PUBLIC,
    "resident.profile": Access.MEMBER,
    "resident.consents": Access.MEMBER,
    "resident.set_consent": Access.MEMBER,
    "resident.my_data": Access.MEMBER,
    "resident.my_data_json": Access.MEMBER,
    "resident.request_erasure": Access.MEMBER,
    # themes of cooperation
    "listings.themes": Access.ADMIN,
    "listings.theme_new": Access.ADMIN,
    "listings.theme_edit": Access.ADMIN,
    "listings.theme_retire": Access.ADMIN,
    # « Mes annonces » and the sponsor's side (object checks in the views: the subject's listings
    # only, 404 otherwise; acting for one's active sponsee only; digests by the sponsor or an
    # animator)
    "listings.mine": Access.MEMBER,
    "listings.mine_new": Access.MEMBER,
    "listings.mine_edit": Access.MEMBER,
    "listings.mine_publish": Access.MEMBER,
    "listings.mine_publish_all": Access.MEMBER,
    "listings.mine_close": Access.MEMBER,
    "listings.mine_delete": Access.MEMBER,
    "listings.mine_renew": Access.MEMBER,
    "listings.mine_pause": Access.MEMBER,
    "listings.mine_resume": Access.MEMBER,
    "listings.mine_fulfil": Access.MEMBER,
    "listings.join": Access.MEMBER,
    "listings.leave": Access.MEMBER,
    "listings.photo": Access.MEMBER,
    "listings.catalogue": Access.MEMBER,
    # finding listings: browse and search (members only), one listing with its matches
    "browse.index": Access.MEMBER,
    "browse.show": Access.MEMBER,
    "sponsorship.index": Access.MEMBER,
    "sponsorship.act_for": Access.MEMBER,
    "sponsorship.stop": Access.MEMBER,
    "sponsorship.digest": Access.MEMBER,
    # the café-rencontre: call list, desk (check-ins, visitors), attendance sheet, reports
    # (animators only)
    "cafe.calls": Access.ANIMATOR,
    "cafe.record_call": Access.ANIMATOR,
    "cafe.desk": Access.ANIMATOR,
    "cafe.check_in": Access.ANIMATOR,
    "cafe.undo_check_in": Access.ANIMATOR,
    "cafe.visitors": Access.ANIMATOR,
    "cafe_offline.desk": Access.ANIMATOR,
    "cafe_offline.data": Access.ANIMATOR,
    "cafe_offline.sync": Access.ANIMATOR,
    "cafe_offline.worker": Access.ANIMATOR,
    "cafe_offline.cards": Access.ANIMATOR,
    "cafe.sheet": Access.ANIMATOR,
    "cafe.report": Access.ANIMATOR,
    "cafe.reports": Access.ANIMATOR,
    # the animation group: task families, handover notes, rosters, fair share (assigning a task
    # to someone else: pilote, copilote and admins only, checked in the view)
    "group.index": Access.ANIMATOR,
    "group.set_family": Access.ANIMATOR,
    "group.add_note": Access.ANIMATOR,
    "group.roster": Access.ANIMATOR,
    "group.roster_pdf": Access.ANIMATOR,
    "group.take": Access.ANIMATOR,
    "group.release": Access.ANIMATOR,
    "group.assign": Access.ANIMATOR,
    "group.add_tasks": Access.ANIMATOR,
    "group.rosters": Access.ANIMATOR,
    "group.fair_share": Access.ANIMATOR,
    # a network's training days: the pilote and the copilote answer (others: 403; outside a
    # network: 404)
    "group.training_answer": Access.ANIMATOR,
    # moderation: members report a listing they can see or a message of their own exchanges (a
    # thread's parties only, 404 otherwise); the animators' queue and decisions
    "moderation.report_listing": Access.MEMBER,
    "moderation.report_message": Access.MEMBER,
    "moderation.queue": Access.ANIMATOR,
    "moderation.hide_listing": Access.ANIMATOR,
    "moderation.restore_listing": Access.ANIMATOR,
    "moderation.hide_message": Access.ANIMATOR,
    "moderation.restore_message": Access.ANIMATOR,
    "moderation.keep": Access.ANIMATOR,
    "moderation.warn": Access.ANIMATOR,
    # impact reporting: the dashboard (it names the group's volunteers), its CSV exports,
    # the yearly activity report's text and PDF (figures only: no personal data)
    "reports.index": Access.ANIMATOR,
    # the newsletter: members read the published issues; animators build, test and send; the
    # public version (no names) only when the group chose it (404 otherwise)
    "newsletter.index": Access.MEMBER,
    "newsletter.show": Access.MEMBER,
    "newsletter.public_show": Access.PUBLIC,
    "newsletter.create": Access.ANIMATOR,
    "newsletter.edit": Access.ANIMATOR,
    "newsletter.settings": Access.ANIMATOR,
    "newsletter.block": Access.ANIMATOR,
    "newsletter.add_block": Access.ANIMATOR,
    "newsletter.send_test": Access.ANIMATOR,
    "newsletter.send": Access.ANIMATOR,
    "newsletter.paper": Access.ANIMATOR,
    # a sponsor's copies: the sponsor (object check in the view, 404 otherwise) or an animator
    "newsletter.sponsor_paper": Access.MEMBER,
    "reports.export_csv": Access.ANIMATOR,
    "reports.yearly": Access.ANIMATOR,
    "reports.yearly_pdf": Access.ANIMATOR,
    # sheets (« fiches »): members read and print them and launch a project from one; the
    # animation group writes, edits, retires them and picks the sheet of the month
    "sheets.index": Access.MEMBER,
    "sheets.show": Access.MEMBER,
    "sheets.pdf": Access.MEMBER,
    "sheets.launch": Access.MEMBER,
    "sheets.create": Access.ANIMATOR,
    "sheets.edit": Access.ANIMATOR,
    "sheets.retire": Access.ANIMATOR,
    "sheets.choose_month": Access.ANIMATOR,
    # the yearly Fête de la Coopération: its printouts and the « Nos réalisations » panels
    "fete.index": Access.ANIMATOR,
    "fete.panels": Access.ANIMATOR,
}


def allowed(endpoint: str, user) -> bool:
    """Whether `user` (possibly anonymous) may reach `endpoint` according to the table."""
    access = POLICY.get(endpoint)
    if access is None:
        return False
    if access is Access.PUBLIC:
        return True
    return bool(user and user.is_authenticated and user.has_role(access.value))


def enforce_policy():
    endpoint = request.endpoint
    if endpoint is None:  # no route matched: let the 404/405 handlers answer
        return None
    access = POLICY.get(endpoint)
    if access is None:
        abort(403)
    if access is Access.PUBLIC:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not current_user.has_role(access.value):
        abort(403)
    return None


def configure_policy(app: Flask) -> None:
    app.before_request(enforce_policy)
    app.jinja_env.globals["allowed"] = lambda endpoint: allowed(endpoint, current_user)
