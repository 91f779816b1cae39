"""Account recovery: who may obtain a credential for an account. One rule, applied by every
route that mints one (the welcome card, the sheet of cards, « Réinitialiser l'accès ») and by the
code itself when it is used (docs/securite.md, « Récupération d'un compte »):

- an activation code (the welcome card) is only for an account that was never activated (no
  password now, none ever), and only from someone of a higher role: an animator for a plain
  member, an admin for a member or an animator;
- once activated, an account gets a new credential only through « Réinitialiser l'accès », by an
  admin, never on oneself; for an animator's or an admin's account, the admin also types the
  person's first name to confirm (a second step);
- a code only ever sets the password of an account that has none: the code of an account that
  became active meanwhile is refused.

These functions only answer; members.activation applies them (issue_code, reset_access, activate).
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..auth.models import Role, User
from ..i18n import elide


def never_activated(user: User) -> bool:
    """No password now and none ever: the only accounts a welcome card's code is for. A reset
    account has no password either, but keeps its activation date (reset_access sees to it)."""
    return user.password_hash is None and user.activated_at is None


def activation_refusal(user: User, actor: User):
    """Why `actor` may not obtain an activation code for `user` (a French message), or None."""
    if user.has_left or user.erased_at is not None:
        return _l("%(name)s a quitté le périmètre.", name=user.full_name)
    if not never_activated(user):
        return elide(
            _(
                "Le compte de %(name)s est déjà activé : sa carte s'imprime sans code. S'il ou "
                "elle a perdu son accès, un administrateur peut le réinitialiser.",
                name=user.full_name,
            ),
            user.full_name,
        )
    if user.role_enum.rank >= actor.role_enum.rank:
        return _l("Vous ne pouvez pas obtenir de code pour un compte de ce rôle.")
    return None


def first_admin_refusal(user: User, activated_admins: int):
    """Why the network may not mint the code of `user` as the perimeter's first pilote (a French
    message), or None: only for an admin account never activated, while no admin of the perimeter
    has ever been activated (from then on, the perimeter's own admins hand out codes)."""
    if not user.is_admin or not never_activated(user) or user.has_left:
        return _l("Seul le premier administrateur, jamais activé, reçoit sa lettre du réseau.")
    if activated_admins:
        return _l(
            "Ce périmètre a déjà un administrateur actif : c'est à lui d'imprimer les cartes "
            "d'accueil."
        )
    return None


def reset_refusal(user: User, actor: User):
    """Why `actor` may not reset the access of `user` (a French message), or None."""
    if not actor.is_admin:
        return _l("Seul un administrateur peut réinitialiser l'accès d'un compte.")
    if user.id == actor.id:
        return _l(
            "Vous ne pouvez pas réinitialiser votre propre accès : changez votre mot de passe dans "
            "« Mon compte », ou demandez-le à un autre administrateur."
        )
    if user.has_left or user.erased_at is not None:
        return _l("%(name)s a quitté le périmètre.", name=user.full_name)
    if never_activated(user):
        return elide(
            _(
                "Le compte de %(name)s n'a jamais été activé : imprimez-lui simplement une carte "
                "d'accueil.",
                name=user.full_name,
            ),
            user.full_name,
        )
    return None


def needs_typed_confirmation(user: User) -> bool:
    """Resetting an animator's or an admin's access takes a second step: typing their first name."""
    return user.role_enum.rank >= Role.ANIMATOR.rank


def code_refusal(user: User):
    """Why a code may not set the password of `user` now, or None: only an account without one."""
    if user.password_hash is not None:
        return _l(
            "Ce compte est déjà activé : connectez-vous avec votre téléphone ou votre e-mail. "
            "Mot de passe perdu ? Adressez-vous au groupe d'animation."
        )
    return None
