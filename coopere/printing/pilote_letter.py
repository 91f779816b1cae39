"""The pilote's activation letter (A4, large print): handed to the first pilote of a new perimeter
by the association. It greets them, says what was created (the site, its address, their pilote's
account), gives the activation QR code and short code, and lists what to do first: activate the
account, fill in the settings, import the dwellings, plan the apéro-info."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from .cards import format_short_code
from .engine import filled, html_to_pdf, render_template, require
from .models import Perimeter
from .qr import qr_png

STYLESHEETS = ("base.css", "large-print.css", "pilote-letter.css")


@dataclass(frozen=True)
class PiloteLetter:
    """What the letter says. Dates arrive formatted in French."""

    perimeter: Perimeter  # the new perimeter (its name, city, the group's contact)
    first_name: str
    last_name: str
    login: str  # the email or phone number the pilote will log in with
    site_url: str  # « https://reseau.example.org/lilas »
    activation_url: str  # « https://reseau.example.org/lilas/activer/<code> »
    code: str  # the activation code, as minted
    date_text: str  # « 6 décembre 2026 »
    postcode: str = ""
    estimated_dwellings: int | None = None
    meeting_place: str = ""
    sender: str = ""  # who hands the letter over: « L'association Coop-ère »
    help_contact: str = ""  # whom the pilote may ask: « 04 72 00 00 00 · aide@example.org »
    title: str = ""


def render_pilote_letter(letter: PiloteLetter) -> bytes:
    """PDF of the pilote's letter: A4 portrait, large print, on one or two pages with « page n/N »;
    the QR code opens the activation page, the short code can be typed at <site>/activer. Raises
    ValueError (in French) when the pilote's name, the site's address or the code is missing."""
    require(
        "Lettre du pilote incomplète",
        (
            ("le prénom du pilote", letter.first_name.strip()),
            ("le nom du réseau", letter.perimeter.name.strip()),
            ("l’adresse du site", letter.site_url.strip()),
            ("le lien d’activation", letter.activation_url.strip()),
            ("le code d’activation", letter.code.strip()),
        ),
    )
    site = letter.site_url.strip().rstrip("/")
    parts = urlsplit(site)
    html = render_template(
        "pilote_letter.html",
        title=letter.title
        or f"Lettre d’activation du pilote — {letter.first_name.strip()} — {letter.perimeter.name}",
        letter=letter,
        perimeter=letter.perimeter,
        first_name=letter.first_name.strip(),
        full_name=" ".join(filled((letter.first_name, letter.last_name))),
        site=site,
        site_short=(parts.netloc + parts.path) if parts.netloc else site,
        short_code=format_short_code(letter.code),
        activation_page=f"{(parts.netloc + parts.path) if parts.netloc else site}/activer",
        help_contact=letter.help_contact.strip(),
        sender=letter.sender.strip() or "L’équipe qui accompagne les nouveaux réseaux",
        qr="coopere-mem:qr",
    )
    return html_to_pdf(html, STYLESHEETS, {"qr": qr_png(letter.activation_url.strip())})
