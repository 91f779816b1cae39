"""Plain data the print engine takes in: perimeter, event, letter run and its recipients, figure
tables."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
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


# --- In-person registration and sponsorship: welcome cards, paper form, receipt ---------


@dataclass(frozen=True)
class NextCafe:
    """The next café-rencontre, as the welcome card announces it (texts already formatted)."""

    date_text: str  # « samedi 12 mars 2026 »
    time_text: str = ""  # « 10 h » or « de 10 h à 12 h »
    place: str = ""


@dataclass(frozen=True)
class WelcomeCard:
    """One resident's welcome card (credit-card size) to activate their account.

    The QR code opens ``activation_url``; without a camera, the resident types
    ``short_code`` on the site (``site_address``, default: the activation URL's host).
    For an account activated already (``already_active``), the card carries no code: the QR
    code and ``site_address`` lead to the login page, where the resident logs in as usual.
    """

    first_name: str
    perimeter_name: str  # short: « Bottière – Pin Sec »
    activation_url: str
    short_code: str  # « 7KQ4-M2XD »; grouped by 4 when it arrives without separators
    contact: str = ""  # the group's contact, short: « 06 12 34 56 78 »; lines joined by « · »
    next_cafe: NextCafe | None = None
    site_address: str = ""  # « bottiere.example.org/activer »
    already_active: bool = False  # no code (``short_code`` empty): the card says how to log in
    number: str = ""  # a pre-printed card (« 0007 »), tied to nobody yet: no first name on it


#: Optional consents of the registration form, each with its own box (the app passes its
#: current, versioned wording; these are the defaults).
DEFAULT_OPTIONAL_CONSENTS: tuple[str, ...] = (
    "J’accepte que mon numéro de téléphone soit montré aux voisins avec qui j’échange.",
    "Je souhaite recevoir la lettre d’information du réseau par courriel.",
    "J’accepte d’être pris(e) en photo lors des événements du réseau.",
)


@dataclass(frozen=True)
class RegistrationFormData:
    """A blank paper registration form, for door-to-door visits and cafés without a tablet.

    ``reference`` (« P-2026-0001 ») is printed « Formulaire n° P-2026-0001 » on every page;
    empty, a line is left to write it by hand. ``themes`` are the questionnaire's themes, in
    order. Texts: a blank line separates paragraphs.
    """

    perimeter: Perimeter
    reference: str
    themes: Sequence[str]
    charter_text: str  # the four principles
    charter_version: str  # « 2 » or « v2 – janvier 2026 »
    privacy_notice: str  # information notice on personal data
    privacy_version: str = ""
    optional_consents: Sequence[str] = DEFAULT_OPTIONAL_CONSENTS
    languages: Sequence[str] = ("français",)  # a box each, then a line for other languages
    title: str = ""  # PDF document title; derived when empty


@dataclass(frozen=True)
class ThemeAnswer:
    """The questionnaire's answer for one theme: a draft offer, a draft need, or both."""

    theme: str
    can_offer: bool = False  # « Je peux proposer »
    would_like: bool = False  # « J'aimerais recevoir »
    details: str = ""


@dataclass(frozen=True)
class ConsentRecord:
    """A consent as recorded: its wording, the answer, the version of the text."""

    label: str  # « J'accepte la charte du réseau »
    given: bool
    version: str
    date_text: str = ""  # when it differs from the registration date


@dataclass(frozen=True)
class DataProtection:
    """The perimeter's own data-protection texts (the rights are listed by the template).

    ``controller``: who is responsible (the perimeter's group, its association) with an
    address; ``contact``: where to write, phone, e-mail; ``purposes``: one item each,
    with its legal basis; ``recipients``: who sees the data; ``retention``: how long it is
    kept; ``dpo``: data-protection officer, if any.
    """

    controller: str
    contact: str
    purposes: Sequence[str]
    retention: str
    recipients: str = ""
    dpo: str = ""


@dataclass(frozen=True)
class RegistrationReceipt:
    """Everything recorded about a newly registered resident, with their GDPR information.

    ``method`` is "tablet" or "paper" (then ``paper_reference`` is the form's number).
    ``sponsor``: the sponsor's name once linked; ``sponsor_requested`` without a name
    means one is still to be found.
    """

    perimeter: Perimeter
    first_name: str
    last_name: str
    dwelling_lines: Sequence[str]  # « 12 bis rue des Lilas », « Bât. C, 3e étage »…
    date_text: str  # « samedi 12 mars 2026 »
    collected_by: str  # the animator
    method: str  # "tablet" | "paper"
    data_protection: DataProtection
    paper_reference: str = ""
    phone: str = ""
    email: str = ""
    has_internet: bool | None = None
    contact_preferences: Sequence[str] = ()  # « par téléphone », « par mon parrain »…
    languages: Sequence[str] = ()
    answers: Sequence[ThemeAnswer] = ()
    consents: Sequence[ConsentRecord] = ()
    sponsor: str = ""
    sponsor_requested: bool = False
    title: str = ""  # PDF document title; derived when empty


# --- Sponsorship: the printed digest a sponsor hands to an offline resident ---------------


@dataclass(frozen=True)
class DigestListing:
    """An offer or a need as the printed digest shows it (texts already formatted)."""

    kind: str  # "offer" | "need"
    theme: str  # « Coups de main »
    title: str
    description: str = ""
    who: str = ""  # « Paul, rue des Lilas » (for the perimeter's listings; empty for X's own)
    date_text: str = ""  # « 3 mars 2026 »
    reference: str = ""  # « n° 123 », to quote on the reply slip
    # X's own listings: one line each, « Paul (rue des Lilas), 3 mars : Je peux vous aider mardi »
    replies: Sequence[str] = ()
    # X's own listings that expire soon: « 12 mars 2026 » (the sponsor renews it if X wishes)
    expires_text: str = ""


@dataclass(frozen=True)
class SponsorDigest:
    """The printed digest a sponsor hands to an offline resident (large print)."""

    perimeter: Perimeter
    first_name: str
    last_name: str
    date_text: str  # « samedi 12 mars 2026 »
    sponsor_name: str = ""  # empty: the group hands it over
    sponsor_phone: str = ""  # « 06 12 34 56 78 »
    # « 2 mars 2026 »: new listings since the last digest; empty = first digest
    since_text: str = ""
    own_listings: Sequence[DigestListing] = ()
    new_listings: Sequence[DigestListing] = ()  # grouped by theme, in the given order
    next_cafes: Sequence[NextCafe] = ()
    more_listings: int = 0  # further new listings left out to keep the paper short
    title: str = ""  # PDF title; derived when empty


# --- Cafés-rencontres: the paper attendance sheet -------------------------------------------


@dataclass(frozen=True)
class AttendanceRow:
    """A person expected at the café (they said they would come), printed on the sheet."""

    last_name: str
    first_name: str
    street: str = ""  # « rue des Lilas, Bât. C »: street and building, never the door number


@dataclass(frozen=True)
class AttendanceSheet:
    """The paper attendance sheet of a café without a tablet, typed in afterwards.

    ``rows``: the people who said they would come, pre-filled; then ``blank_rows`` empty rows
    (at least 20) for everyone else. Texts arrive already formatted in French.
    """

    perimeter: Perimeter
    event_title: str  # « Café-rencontre »
    date_text: str  # « samedi 12 mars 2026 »
    time_text: str = ""  # « de 10 h à 12 h »
    place: str = ""
    rows: Sequence[AttendanceRow] = ()
    blank_rows: int = 20
    title: str = ""  # PDF document title; derived when empty


# --- The animation group: an event's roster of tasks -------------------------------------


@dataclass(frozen=True)
class RosterTask:
    """One task of the roster and who takes it (empty: a line to write a name by hand)."""

    label: str  # « Apporter le café »
    volunteer: str = ""  # « Paul Bernard »


@dataclass(frozen=True)
class RosterSheet:
    """An event's roster of tasks, to pin up or take to the café (texts already formatted)."""

    perimeter: Perimeter
    event_title: str  # « Café-rencontre »
    date_text: str  # « samedi 12 mars 2026 »
    time_text: str  # « de 10 h à 12 h »
    place: str
    tasks: Sequence[RosterTask]
    rain_place: str = ""
    coordinators: Sequence[str] = ()  # « Pilote : Paul Bernard », « Copilote : Marie Dupont »
    printed_text: str = ""  # « imprimé le 3 mars 2026 »
    title: str = ""  # PDF title; derived when empty


# --- Events: the month's programme -------------------------------------------------------


@dataclass(frozen=True)
class ProgrammeEvent:
    """One date of the month's programme (texts already formatted, in French)."""

    date_text: str  # « samedi 5 décembre »
    time_text: str  # « de 10 h à 12 h »
    kind: str  # « Café-rencontre », or the event's own title
    place: str
    rain_place: str = ""
    description: str = ""
    cancelled: bool = False  # struck through and marked « Annulé »


@dataclass(frozen=True)
class Programme:
    """The month's programme to pin up or hand out (A4, large print). ``events`` in date order."""

    perimeter: Perimeter
    month_text: str  # « décembre 2026 »
    events: Sequence[ProgrammeEvent] = ()
    public_url: str = ""  # the site's public page with the next events; QR code when given
    title: str = ""  # PDF title; derived when empty
    sheet_title: str = ""  # the group's « fiche du mois », printed below the events when given
    sheet_summary: str = ""


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # translated words, shown as the column header (and the CSV header)
    numeric: bool = False


@dataclass(frozen=True)
class Table:
    """A figure table: what the dashboard shows, what a chart draws, what a CSV export writes and
    what the activity report prints. Rows of plain values (str, int, float, None) under labelled
    columns.

    `name` is a short slug (« reach-streets ») used in URLs and CSV file names; `title` and
    `caption` are translated words; `total` is an optional last row (e.g. « Tout le périmètre »).
    """

    name: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple, ...]
    caption: str = ""
    total: tuple | None = None
    meta: dict = field(default_factory=dict)

    def column(self, key: str) -> list:
        index = [c.key for c in self.columns].index(key)
        return [row[index] for row in self.rows]

    @property
    def is_empty(self) -> bool:
        return not self.rows
