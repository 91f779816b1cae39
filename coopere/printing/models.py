"""Plain data the print engine takes in: perimeter, event, letter run and its recipients."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit, urlunsplit


@dataclass(frozen=True)
class Perimeter:
    """Who writes: the network's name, its city and how to reach its Groupe d'Animation."""

    name: str  # « Bottière – Pin Sec »
    city: str  # « Nantes »
    signature: str  # « Le Groupe d'Animation de la Bottière »
    contact: str = ""  # free text, one item a line: phone, e-mail, letterbox…


@dataclass(frozen=True)
class Event:
    """A gathering to announce. Dates and times arrive already formatted in French."""

    perimeter: Perimeter
    kind: str  # « apéro-info », « café-rencontre »
    date_text: str  # « samedi 12 mars 2026 »
    time_text: str  # « 18 h 30 » or « de 10 h à 12 h »
    place: str
    rain_place: str = ""  # where it moves in bad weather; empty if indoors anyway
    description: str = ""  # one or two sentences for posters and flyers
    public_url: str = ""  # page the poster's QR code opens; no QR code if empty


@dataclass(frozen=True)
class Recipient:
    """One dwelling: its postal address lines and its own reference / QR code URL.

    ``address_lines`` empty means an unaddressed copy (handed out at the door).
    ``qr_url`` empty means the run's ``qr_base_url`` with ``?ref=<reference>``.
    ``street`` only feeds the summary page's count per street.
    """

    address_lines: tuple[str, ...] = ()
    reference: str = ""
    qr_url: str = ""
    street: str = ""


@dataclass(frozen=True)
class LetterRun:
    """Everything needed to print one invitation letter per dwelling."""

    event: Event
    body: str  # letter text, already filled (see fill_letter_template); blank line = paragraph
    recipients: Sequence[Recipient] = ()
    qr_base_url: str = ""  # used for recipients without qr_url and for unaddressed copies
    subject: str = ""  # « Objet » line; derived from the event when empty
    unaddressed_copies: int = 0  # extra letters without address, with the generic QR code
    summary_page: bool = False  # first page: letter count and count per street
    title: str = ""  # PDF document title; derived from the event when empty

    @property
    def perimeter(self) -> Perimeter:
        return self.event.perimeter

    def qr_url_for(self, recipient: Recipient) -> str:
        """URL encoded in a recipient's QR code ('' when there is nothing to encode)."""
        if recipient.qr_url:
            return recipient.qr_url
        if not self.qr_base_url:
            return ""
        if not recipient.reference:
            return self.qr_base_url
        return with_query(self.qr_base_url, ref=recipient.reference)


def with_query(url: str, **params: str) -> str:
    """URL with extra query parameters, keeping any it already has."""
    parts = urlsplit(url)
    extra = urlencode(params)
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urlunsplit(parts._replace(query=query))
