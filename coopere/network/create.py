"""Creating a perimeter in a network: its folder, its database (from the template), its settings,
its first pilote, and the pilote's activation letter — no password is ever sent."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from babel.dates import format_date

from ..auth.models import GroupRole, Role
from ..auth.services import create_account
from ..audit.services import record
from ..config import ensure_secret_key
from ..extensions import db
from ..listings.themes import start_with_themes
from ..members.activation import first_admin_code
from ..perimeter.services import DEFAULT_CHARTER, perimeter_data, save_settings
from ..printing import PiloteLetter, render_pilote_letter
from . import registry
from .databases import create_database, drop_database
from .folder import Network
from .sites import build_perimeter_app, dispose, public_url
from .slugs import check_slug


class CreateError(ValueError):
    """The perimeter cannot be created; the message says why, in French. Nothing was left behind."""


@dataclass(frozen=True)
class NewPerimeter:
    slug: str
    name: str
    city: str
    postcode: str
    estimated_dwellings: int
    meeting_place: str
    pilote_first_name: str
    pilote_last_name: str
    pilote_login: str  # email or French phone number: how the pilote will log in
    short_name: str = ""
    contact: str = ""


@dataclass(frozen=True)
class StartingTexts:
    """What a new perimeter starts from instead of the built-in texts: the network's defaults
    (the association's « Textes communs »). An empty field keeps the built-in text."""

    charter: str = ""
    letter: str = ""  # the invitation letter's template (coopere/printruns/letter.py)
    themes: tuple[tuple[str, str, str, str], ...] = ()  # (French, English, French hint, English)


@dataclass(frozen=True)
class Created:
    slug: str
    folder: Path
    address: str | None
    letter: Path | None  # the pilote's activation letter (PDF, mode 0600), when PUBLIC_URL is set


def create_perimeter(
    network: Network,
    new: NewPerimeter,
    *,
    letter: bool = True,
    texts: StartingTexts | None = None,
) -> Created:
    """Create perimeter `new.slug`: served as soon as this returns. CreateError when refused.
    `texts`: the network's defaults it starts from (else the built-in charter, letter, themes)."""
    slug = check_slug(new.slug)
    if registry.get(network, slug) is not None:
        raise CreateError(f"le périmètre « {slug} » existe déjà dans ce réseau.")
    folder = network.instance_path(slug)
    if folder.exists():
        raise CreateError(f"le dossier {folder} existe déjà : choisissez un autre identifiant.")
    address = public_url(network, slug)
    if letter and not address:
        raise CreateError(
            "l'adresse publique du réseau n'est pas réglée (PUBLIC_URL dans network.py) : "
            "la lettre du pilote ne peut pas porter de lien ni de code QR."
        )
    folder.mkdir(mode=0o700, parents=True)
    try:
        ensure_secret_key(folder)
        create_database(network, slug)
        pdf = _settle(network, new, slug, address if letter else None, texts or StartingTexts())
        letter_path = None
        if pdf is not None:
            letter_path = folder / "lettre-pilote.pdf"
            descriptor = os.open(letter_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(pdf)
        registry.add(
            network,
            slug=slug,
            name=new.name,
            city=new.city,
            postcode=new.postcode,
            estimated_dwellings=new.estimated_dwellings,
            meeting_place=new.meeting_place,
        )
    except Exception:
        _undo(network, slug, folder)
        raise
    return Created(slug=slug, folder=folder, address=address, letter=letter_path)


def _settle(
    network: Network, new: NewPerimeter, slug: str, address: str | None, texts: StartingTexts
) -> bytes | None:
    """The perimeter's settings, texts and first pilote, in its own database; the letter's PDF."""
    app = build_perimeter_app(network, slug)
    try:
        with app.app_context():
            perimeter = save_settings(
                {
                    "name": new.name.strip(),
                    "short_name": (new.short_name or new.name).strip()[:40],
                    "city": new.city.strip(),
                    "postcode": new.postcode,
                    "estimated_dwellings": new.estimated_dwellings,
                    "meeting_place": new.meeting_place.strip(),
                    "contact": new.contact.strip(),
                    "charter_text": texts.charter or DEFAULT_CHARTER,
                }
            )
            if texts.letter:
                perimeter.letter_template = texts.letter
            if texts.themes:
                start_with_themes(texts.themes)
            pilote = create_account(
                new.pilote_first_name.strip(),
                new.pilote_last_name.strip(),
                new.pilote_login,
                None,
                role=Role.ADMIN,
                group_role=GroupRole.PILOTE,
            )
            record("perimeter.created", target=pilote, by="network")
            code = first_admin_code(pilote)
            db.session.commit()
            if address is None:
                return None
            return render_pilote_letter(
                PiloteLetter(
                    perimeter=perimeter_data(perimeter),
                    first_name=pilote.first_name,
                    last_name=pilote.last_name,
                    login=new.pilote_login,
                    site_url=address,
                    activation_url=f"{address.rstrip('/')}/activer/{code}",
                    code=code,
                    date_text=format_date(date.today(), "d MMMM y", locale="fr"),
                    estimated_dwellings=new.estimated_dwellings,
                    meeting_place=new.meeting_place.strip(),
                )
            )
    finally:
        dispose(app)


def _undo(network: Network, slug: str, folder: Path) -> None:
    try:
        drop_database(network, slug)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
