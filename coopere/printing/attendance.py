"""The paper attendance sheet of a café-rencontre (A4 landscape, large print): the people who
said they would come, pre-filled, then blank rows to fill by hand (name, first name, street or
building, « Nouveau ? », signature), a tally box for visitors, and « page n/N » on every page.
The group types it in afterwards at the café desk."""

from __future__ import annotations

import math

from .engine import LayoutError, event_heading, html_to_pdf, render_template, require
from .models import AttendanceSheet

STYLESHEETS = ("base.css", "attendance.css")
#: Never fewer empty rows than this: a café without a tablet welcomes people nobody expected.
MIN_BLANK_ROWS = 20
#: A sheet is a few pages at most; more rows than this is a mistake of the caller.
MAX_ROWS = 400
#: Rows that fit on the first page (under a title of up to two lines of place) and on the
#: next ones (attendance.css: 12 mm rows). The last page is filled with blank rows.
FIRST_PAGE_ROWS = 8
NEXT_PAGE_ROWS = 13


def render_attendance_sheet(sheet: AttendanceSheet) -> bytes:
    """PDF of the attendance sheet: A4 landscape, the table's header repeated on every page,
    the visitors' tally box beside the title, the pre-filled rows in the given order, then
    ``max(blank_rows, 20)`` empty rows or more, down to the foot of the last page, and the
    event and « page n/N » in the footer. Raises ValueError (in
    French) when the event's title or date is missing, or the sheet would be absurdly long."""
    require(
        "Feuille de présence incomplète",
        (
            ("le rendez-vous", sheet.event_title.strip()),
            ("la date", sheet.date_text.strip()),
        ),
    )
    blank = max(sheet.blank_rows, MIN_BLANK_ROWS)
    if len(sheet.rows) + blank > MAX_ROWS:
        raise ValueError(
            f"Feuille de présence trop longue : {len(sheet.rows) + blank} lignes "
            f"(au plus {MAX_ROWS})."
        )
    pages = _pages_for(len(sheet.rows) + blank)
    filled = FIRST_PAGE_ROWS + (pages - 1) * NEXT_PAGE_ROWS - len(sheet.rows)
    rows = [
        {
            "last_name": row.last_name.strip(),
            "first_name": row.first_name.strip(),
            "street": row.street.strip(),
        }
        for row in sheet.rows
    ]

    def html(blank_rows: int) -> str:
        return render_template(
            "attendance.html",
            **event_heading(sheet, "Feuille de présence"),
            rows=rows,
            blank=blank_rows,
        )

    try:
        # Blank rows down to the foot of the last page, when the title is as tall as expected.
        return html_to_pdf(html(filled), STYLESHEETS, expected_pages=pages)
    except LayoutError:
        return html_to_pdf(html(blank), STYLESHEETS)  # a very long place name: no padding


def _pages_for(count: int) -> int:
    if count <= FIRST_PAGE_ROWS:
        return 1
    return 1 + math.ceil((count - FIRST_PAGE_ROWS) / NEXT_PAGE_ROWS)
