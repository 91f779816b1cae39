"""Print engine: plain data in, PDF bytes out (letters, posters, flyers, welcome cards,
registration form and receipt, sponsor's digest); no Flask, no database.

Public API:

- ``render_letters(run, *, workers=None, progress=None) -> bytes``: one invitation letter
  per dwelling (A4, address in a DL envelope window, one QR code each), optional summary
  page first; big runs render in worker processes and are merged in order.
- ``render_poster(event) -> bytes``: A4 poster.
- ``render_flyers(event, size="A5" | "A6", sheets=1) -> bytes``: flyers with cut lines.
- ``fill_letter_template(text, values) -> str`` and ``event_placeholders(event)``: the
  admin's letter text with ``{date}``, ``{lieu}``… filled in.
- ``postal_address_lines(...)``: a dwelling's address as envelope lines.
- ``qr_png(data) -> bytes``: the QR code images the printouts use.
- ``render_welcome_cards(cards, layout="single" | "sheet") -> bytes``: credit-card size
  welcome cards (first name, activation QR code, short code, next café-rencontre); one
  card-size page each, or ten per A4 sheet with crop marks.
- ``render_registration_form(form) -> bytes``: the blank paper registration form (A4,
  large print, every theme, charter, consents, sponsorship, the animator's frame), its
  reference and « page n/N » on every page.
- ``render_registration_receipt(receipt) -> bytes``: everything recorded at registration,
  followed by the resident's data-protection information (GDPR art. 13).
- ``render_sponsor_digest(digest) -> bytes``: the printed digest a sponsor hands to an
  offline resident (A4, large print): their listings and the replies, the neighbourhood's
  new listings by theme, the next cafés-rencontres, and a tear-off reply slip; their name
  and « page n/N » on every page.
- ``render_programme(programme) -> bytes``: the month's programme (A4, large print): every
  event of the month in date order with day, time, place and bad-weather place, cancelled
  ones struck through and marked « Annulé », the group's contact, a QR code to the site.
- ``render_attendance_sheet(sheet) -> bytes``: a café's paper attendance sheet (A4
  landscape, large print): the people expected, pre-filled, then at least 20 blank rows
  (name, first name, street, « Nouveau ? », signature), a visitors' tally box, « page n/N ».
- ``render_pilote_letter(letter) -> bytes``: the first pilote's activation letter (A4, large
  print): what was created, the site's address, the activation QR code and short code, the
  first steps (activate, settings, dwellings, apéro-info).
- ``render_roster(roster) -> bytes``: an event's roster of tasks (A4, large print): the
  event, each task with its volunteer's name or a line to write one, the group's contact.

Errors are ValueError subclasses with French messages: TemplateError (letter text),
LayoutError (content does not fit a page), ResourceRefused (a URL the printout may not load).
"""

from .addresses import postal_address_lines
from .attendance import render_attendance_sheet
from .cards import format_short_code, render_welcome_cards
from .digest import render_sponsor_digest
from .engine import LayoutError
from .fetcher import ResourceRefused
from .letter_text import TemplateError, event_placeholders, fill_letter_template
from .letters import render_letters
from .newsletter import (
    NewsletterPaper,
    render_newsletter,
    render_newsletter_copies,
    render_newsletter_run,
)
from .pilote_letter import PiloteLetter, render_pilote_letter
from .models import (
    DEFAULT_OPTIONAL_CONSENTS,
    AttendanceRow,
    AttendanceSheet,
    ConsentRecord,
    DataProtection,
    DigestListing,
    Event,
    LetterRun,
    NextCafe,
    Perimeter,
    Programme,
    ProgrammeEvent,
    Recipient,
    RegistrationFormData,
    RegistrationReceipt,
    RosterSheet,
    RosterTask,
    SponsorDigest,
    ThemeAnswer,
    WelcomeCard,
)
from .posters import render_flyers, render_poster
from .programme import render_programme
from .qr import qr_png
from .receipt import render_registration_receipt
from .roster import render_roster
from .registration_form import render_registration_form

__all__ = [
    "DEFAULT_OPTIONAL_CONSENTS",
    "ConsentRecord",
    "DataProtection",
    "DigestListing",
    "Event",
    "LayoutError",
    "LetterRun",
    "NextCafe",
    "Perimeter",
    "Recipient",
    "RegistrationFormData",
    "RegistrationReceipt",
    "ResourceRefused",
    "SponsorDigest",
    "TemplateError",
    "ThemeAnswer",
    "WelcomeCard",
    "event_placeholders",
    "fill_letter_template",
    "format_short_code",
    "postal_address_lines",
    "qr_png",
    "render_flyers",
    "render_letters",
    "render_poster",
    "render_registration_form",
    "render_registration_receipt",
    "render_sponsor_digest",
    "NewsletterPaper",
    "render_newsletter",
    "render_newsletter_copies",
    "render_newsletter_run",
    "render_welcome_cards",
    "RosterSheet",
    "RosterTask",
    "render_roster",
    "AttendanceRow",
    "AttendanceSheet",
    "render_attendance_sheet",
    "Programme",
    "ProgrammeEvent",
    "render_programme",
    "PiloteLetter",
    "render_pilote_letter",
]
