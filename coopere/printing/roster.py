"""An event's roster of tasks (A4, large print): what the event is, when and where, each task with
the volunteer who takes it or a line to write a name by hand, and how to reach the group. Pinned
up in the meeting room or taken to the café, it is read at arm's length."""

from __future__ import annotations

from .engine import event_heading, filled, html_to_pdf, render_template, require
from .models import RosterSheet

STYLESHEETS = ("base.css", "large-print.css", "roster.css")


def render_roster(roster: RosterSheet) -> bytes:
    """PDF of a roster: A4 portrait, large print (17 pt body, 19 pt tasks), six tasks on one page,
    « page n/N » in the footer. Raises ValueError (in French) when the event's title, date or place
    is missing, or when there is no task."""
    require(
        "Tableau des tâches incomplet",
        (
            ("le titre du rendez-vous", roster.event_title.strip()),
            ("la date", roster.date_text.strip()),
            ("le lieu", roster.place.strip()),
        ),
    )
    tasks = [
        {"label": task.label.strip(), "volunteer": task.volunteer.strip()}
        for task in roster.tasks
        if task.label.strip()
    ]
    if not tasks:
        raise ValueError("Tableau des tâches vide : indiquez au moins une tâche.")
    html = render_template(
        "roster.html",
        **event_heading(roster, "Tableau des tâches"),
        rain_place=roster.rain_place.strip(),
        tasks=tasks,
        open_count=sum(1 for task in tasks if not task["volunteer"]),
        coordinators=filled(roster.coordinators),
        contact_lines=filled(roster.perimeter.contact.splitlines()),
        printed_text=roster.printed_text.strip(),
    )
    return html_to_pdf(html, STYLESHEETS)
