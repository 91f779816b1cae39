"""The themes of the Coop-ère method, seeded in French and English, and the admin's changes."""

from __future__ import annotations

import re
import unicodedata

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..audit.services import record
from ..extensions import db
from .models import Listing, Theme

# (slug, French, English, French hint, English hint) — the themes registration sweeps.
DEFAULT_THEMES = [
    (
        "conseils",
        "Conseils",
        "Advice",
        "démarches, bricolage, jardinage, cuisine…",
        "paperwork, DIY, gardening, cooking…",
    ),
    (
        "coups-de-main",
        "Coups de main",
        "Odd jobs",
        "porter des courses, monter un meuble, arroser les plantes…",
        "carrying shopping, assembling furniture, watering plants…",
    ),
    (
        "loisirs-sorties",
        "Loisirs et sorties",
        "Leisure and outings",
        "balades, jeux, spectacles, sport…",
        "walks, games, shows, sport…",
    ),
    (
        "logement",
        "Logement",
        "Housing",
        "hébergement d'un proche, échange de services entre voisins…",
        "putting up a relative, neighbours' help around the home…",
    ),
    (
        "emploi",
        "Réseau pour l'emploi",
        "Job networking",
        "CV, entretiens, contacts…",
        "CVs, interviews, contacts…",
    ),
    (
        "covoiturage",
        "Covoiturage",
        "Car-pooling",
        "courses, rendez-vous médicaux, trajets réguliers…",
        "shopping, medical appointments, regular trips…",
    ),
    (
        "garde-animaux",
        "Garde d'animaux",
        "Pet-sitting",
        "pendant les vacances, promenades…",
        "during holidays, dog walks…",
    ),
    (
        "dons-prets",
        "Donner et prêter des objets",
        "Giving and lending objects",
        "outils, livres, matériel…",
        "tools, books, equipment…",
    ),
    (
        "eco-gestes",
        "Écogestes",
        "Eco-gestures",
        "compost, économies d'énergie, réparation…",
        "composting, saving energy, repairing…",
    ),
    (
        "premiers-secours",
        "Premiers secours",
        "First aid",
        "formation, personnes formées dans la rue…",
        "training, trained people in the street…",
    ),
    (
        "achats-groupes",
        "Achats groupés",
        "Group purchases",
        "fruits et légumes, bois, fioul…",
        "fruit and vegetables, firewood, heating oil…",
    ),
    (
        "eco-projets",
        "Écoprojets et jardins partagés",
        "Eco-projects and shared gardens",
        "potager collectif, nichoirs, fleurissement…",
        "community vegetable garden, bird boxes, flowers…",
    ),
    (
        "visites-aines",
        "Visites et accompagnement des aînés",
        "Visiting and accompanying elderly people",
        "une visite, un appel, un accompagnement à un rendez-vous…",
        "a visit, a call, going along to an appointment…",
    ),
    (
        "aide-numerique",
        "Aide numérique",
        "Digital help",
        "téléphone, ordinateur, démarches en ligne…",
        "phone, computer, online forms…",
    ),
]


class ThemeError(ValueError):
    """A refused change to the themes; the message is French and safe to show."""


def seed_themes() -> int:
    """Add the method's themes that are missing (by slug); never changes edited ones. Returns how
    many."""
    present = set(db.session.scalars(select(Theme.slug)))
    added = 0
    for position, (slug, label_fr, label_en, hint_fr, hint_en) in enumerate(
        DEFAULT_THEMES, start=1
    ):
        if slug not in present:
            db.session.add(
                Theme(
                    slug=slug,
                    label_fr=label_fr,
                    label_en=label_en,
                    hint_fr=hint_fr,
                    hint_en=hint_en,
                    position=position * 10,
                )
            )
            added += 1
    db.session.flush()
    return added


def start_with_themes(rows) -> None:
    """A new perimeter's themes are exactly `rows` (French name, English name, French hint,
    English hint), in this order: a seeded theme of the same French name keeps its slug, the
    others are removed (before any listing exists) or retired (if one does)."""
    existing = {theme.label_fr.casefold(): theme for theme in db.session.scalars(select(Theme))}
    used = {theme.slug for theme in existing.values()}
    kept = set()
    for position, (label_fr, label_en, hint_fr, hint_en) in enumerate(rows, start=1):
        theme = existing.get(label_fr.strip().casefold())
        if theme is None:
            slug, n = _slug(label_fr), 1
            while slug in used:
                n += 1
                slug = f"{_slug(label_fr)[:36]}-{n}"
            used.add(slug)
            theme = Theme(slug=slug)
            db.session.add(theme)
        theme.label_fr, theme.label_en = label_fr.strip(), label_en.strip()
        theme.hint_fr, theme.hint_en = hint_fr.strip(), hint_en.strip()
        theme.position, theme.retired = position * 10, False
        kept.add(theme.slug)
    in_use = set(db.session.scalars(select(Listing.theme_id).distinct()))
    for theme in existing.values():
        if theme.slug not in kept:
            if theme.id in in_use:
                theme.retired = True
            else:
                db.session.delete(theme)
    db.session.flush()


def all_themes(include_retired: bool = False) -> list[Theme]:
    query = select(Theme).order_by(Theme.position, Theme.id)
    if not include_retired:
        query = query.where(Theme.retired.is_(False))
    return list(db.session.scalars(query))


def _slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")[:40] or "theme"


def save_theme(theme: Theme | None, values: dict, *, actor=None) -> Theme:
    """Create or edit a theme; its French name must be unique among the themes."""
    label_fr = values["label_fr"].strip()
    clash = db.session.scalar(select(Theme).where(func.lower(Theme.label_fr) == label_fr.lower()))
    if clash is not None and clash is not theme:
        raise ThemeError(_l("Un thème porte déjà ce nom : %(name)s.", name=clash.label_fr))
    if theme is None:
        slug, n = _slug(label_fr), 1
        while db.session.scalar(select(Theme.id).where(Theme.slug == slug)) is not None:
            n += 1
            slug = f"{_slug(label_fr)[:36]}-{n}"
        last = db.session.scalar(select(func.max(Theme.position))) or 0
        theme = Theme(
            slug=slug, label_fr=label_fr, label_en=values["label_en"].strip(), position=last + 10
        )
        db.session.add(theme)
    names = (theme.label_fr, theme.label_en)
    for field in ("label_fr", "label_en", "hint_fr", "hint_en"):
        setattr(theme, field, (values.get(field) or "").strip())
    db.session.flush()
    if theme.id is not None and names != (theme.label_fr, theme.label_en):
        from .search import reindex_all

        reindex_all(theme_id=theme.id)  # a theme's names are search words of its listings
    record("theme.saved", actor=actor, theme=theme.slug)
    return theme


def set_retired(theme: Theme, retired: bool, *, actor=None) -> None:
    """Retire a theme (hidden from registration and new listings; history kept) or bring it back."""
    theme.retired = retired
    record("theme.retired" if retired else "theme.restored", actor=actor, theme=theme.slug)
