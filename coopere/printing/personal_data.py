"""The printed copy of everything held about one member (RGPD access right): the plain data of
`coopere.privacy.export.collect_personal_data` in, an A4 PDF out, in French, large print.

Handed over by the animation group to a resident without internet, or downloaded by the member."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime

from ..i18n import person_name
from .engine import html_to_pdf, render_template

STYLESHEETS = ("base.css", "registration.css")
PARIS = ZoneInfo("Europe/Paris")


def _day(value: str | None) -> str:
    """« 12 mars 2026 » for an ISO date; « 12 mars 2026 à 10 h 30 » (Paris) for a UTC date-time."""
    if not value:
        return ""
    if len(value) == 10:
        return format_date(date.fromisoformat(value), "d MMMM y", locale="fr")
    moment = datetime.fromisoformat(value).replace(tzinfo=ZoneInfo("UTC")).astimezone(PARIS)
    return format_datetime(moment, "d MMMM y 'à' H 'h' mm", locale="fr")


def _yes(value) -> str:
    return "Oui" if value else "Non"


def _event(event: dict | None) -> str:
    if not event:
        return ""
    name = event["title"] or event["kind_label"]
    return f"{name}, {_day(event['starts_at'])}, {event['place']}"


def _facts(rows: list[tuple[str, str]], empty: str = "non renseigné") -> dict:
    return {"facts": [(label, value or empty, bool(value)) for label, value in rows]}


def _table(head: list[str], rows: list[list[str]], empty: str) -> dict:
    return {"head": head, "rows": rows, "empty": empty}


def sections(data: dict) -> list[dict]:
    """The document's parts, each a title and either label/value facts, a table or text items."""
    identity, contact, account = data["identity"], data["contact"], data["account"]
    address = data["dwelling"]["address"]
    lines = []
    if address:
        lines = [
            address["street"],
            address["complement"],
            f"{address['postcode']} {address['city']}",
        ]
    if data["dwelling"]["address_note"]:
        lines.append(f"Adresse hors registre : {data['dwelling']['address_note']}")
    parts = [
        {
            "title": "Vous",
            **_facts(
                [
                    ("Prénom", identity["first_name"]),
                    ("Nom", identity["last_name"]),
                    ("Logement", "\n".join(line for line in lines if line.strip())),
                    ("Téléphone", contact.get("phone_display") or contact["phone"] or ""),
                    ("Courriel", contact["email"] or ""),
                    ("Pour vous contacter", contact["contact_preference_label"]),
                    ("Liste d’appels avant les cafés", _yes(contact["call_before_cafes"])),
                    ("Langues parlées", ", ".join(identity["languages"])),
                    ("Accès à internet", _yes(identity["has_internet"])),
                    (
                        "Rôle",
                        identity["role_label"]
                        + (f" ({identity['group_role']})" if identity["group_role"] else ""),
                    ),
                    ("Tâches du groupe d’animation", ", ".join(identity["task_families"])),
                ]
            ),
        },
        {
            "title": "Votre inscription et votre compte",
            **_facts(
                [
                    ("Inscription", _day(identity["registered_at"])),
                    (
                        "Méthode",
                        identity["registration_method_label"]
                        + (
                            f" n° {identity['paper_reference']}"
                            if identity["paper_reference"]
                            else ""
                        ),
                    ),
                    ("Recueillie par", identity["registered_by"]),
                    (
                        "Compte activé",
                        _day(account["activated_at"]) if account["activated"] else "Non",
                    ),
                    ("Connexion possible", _yes(account["enabled"])),
                    ("Dernière connexion", _day(account["last_login_at"])),
                    ("Départ du périmètre", _day(account["left_at"])),
                    (
                        "Cartes d’activation",
                        "\n".join(
                            f"créée le {_day(code['created_at'])}"
                            + (f", utilisée le {_day(code['used_at'])}" if code["used_at"] else "")
                            + (
                                f", annulée le {_day(code['revoked_at'])}"
                                if code["revoked_at"]
                                else ""
                            )
                            for code in account["activation_codes"]
                        ),
                    ),
                    ("Nouvelles imprimées", ", ".join(_day(at) for at in data["digests_printed"])),
                ],
                empty="—",
            ),
        },
        {
            "title": "Vos accords",
            **_table(
                ["Texte", "Réponse", "Version", "Date", "Comment"],
                [
                    [
                        c["label"],
                        "Oui" if c["given"] else "Non",
                        c["version"],
                        _day(c["recorded_at"]),
                        c["method_label"]
                        + (f" n° {c['paper_reference']}" if c["paper_reference"] else ""),
                    ]
                    for c in data["consents"]
                ],
                "Aucun accord enregistré.",
            ),
        },
        {
            "title": "Parrainages",
            **_table(
                ["", "Prénom", "Début", "Fin"],
                [
                    [
                        s["role_label"],
                        s["other_first_name"],
                        _day(s["started_at"]),
                        (
                            _day(s["ended_at"])
                            + (f" ({s['end_reason_label']})" if s["end_reason_label"] else "")
                        )
                        if s["ended_at"]
                        else "en cours",
                    ]
                    for s in data["sponsorships"]
                ],
                "Aucun parrainage.",
            ),
        },
        {
            "title": "Vos annonces",
            "items": [
                {
                    "heading": f"{listing['kind_label']} · {listing['theme']} · {listing['title']}",
                    "lines": [
                        f"État : {listing['status_label']}. Créée le {_day(listing['created_at'])}"
                        + (
                            f", publiée le {_day(listing['published_at'])}"
                            if listing["published_at"]
                            else ""
                        )
                        + "."
                    ]
                    + ([listing["description"]] if listing["description"] else [])
                    + (
                        [f"Disponibilités : {listing['availability']}"]
                        if listing["availability"]
                        else []
                    )
                    + [
                        f"{key} : {value}"
                        for key, value in (listing["details"] or {}).items()
                        if value
                    ]
                    + (["Avec une photo."] if listing["has_photo"] else []),
                }
                for listing in data["listings"]
            ],
            "empty": "Aucune annonce.",
        },
        {
            "title": "Projets collectifs rejoints",
            **_table(
                ["Projet", "Depuis"],
                [[p["title"], _day(p["joined_at"])] for p in data["project_participations"]],
                "Aucun.",
            ),
        },
        {
            "title": "Vos échanges et les messages que vous avez écrits",
            "items": [
                {
                    "heading": f"« {e['listing_title']} » avec {e['other_first_name']} : "
                    f"{e['status_label']}",
                    "lines": [
                        f"{e['role_label'].capitalize()} le {_day(e['created_at'])}"
                        + (f", fait le {_day(e['done_at'])}" if e["done_at"] else "")
                        + "."
                    ]
                    + ([f"Votre remerciement : {e['my_thanks']}"] if e["my_thanks"] else [])
                    + [f"{_day(m['created_at'])} : {m['body']}" for m in e["my_messages"]],
                }
                for e in data["exchanges"]
            ],
            "empty": "Aucun échange.",
            "note": "Les messages de vos voisins ne figurent pas ici : ce sont leurs données.",
        },
        {
            "title": "Rendez-vous",
            **_table(
                ["Rendez-vous", "Inscription"],
                [[_event(s["event"]), _day(s["signed_up_at"])] for s in data["event_signups"]],
                "Aucune inscription.",
            ),
        },
        {
            "title": "Vos venues aux cafés-rencontres",
            **_table(
                ["Rendez-vous", "Arrivée"],
                [[_event(c["event"]), _day(c["at"])] for c in data["check_ins"]],
                "Aucune venue notée.",
            ),
        },
        {
            "title": "Appels du groupe d’animation",
            **_table(
                ["Rendez-vous", "Date", "Résultat", "Note"],
                [
                    [_event(c["event"]), _day(c["at"]), c["outcome_label"], c["note"]]
                    for c in data["calls"]
                ],
                "Aucun appel noté.",
            ),
        },
        {
            "title": "Tâches prises aux rendez-vous",
            **_table(
                ["Rendez-vous", "Tâche"],
                [[_event(s["event"]), s["task_label"]] for s in data["roster_slots"]],
                "Aucune.",
            ),
        },
        {
            "title": "Voisins que vous avez bloqués",
            **_table(
                ["Prénom", "Depuis"],
                [[b["first_name"], _day(b["at"])] for b in data["blocked_members"]],
                "Aucun.",
            ),
        },
        {
            "title": "Avis reçus sur le site",
            **_table(
                ["Date", "Texte"],
                [[_day(n["created_at"]), n["text"]] for n in data["notifications"]],
                "Aucun.",
            ),
        },
        {
            "title": "Avertissements du groupe d’animation",
            **_table(
                ["Date", "Motif"],
                [[_day(w["created_at"]), w["reason"]] for w in data["warnings"]],
                "Aucun.",
            ),
        },
        {
            "title": "Signalements que vous avez faits",
            **_table(
                ["Date", "Sur", "Motif", "Texte"],
                [
                    [_day(r["created_at"]), r["about"], r["reason_label"], r["text"]]
                    for r in data["reports_made"]
                ],
                "Aucun.",
            ),
        },
        {
            "title": "Notes de passation écrites",
            **_table(
                ["Date", "Tâche", "Texte"],
                [[_day(n["created_at"]), n["family"], n["text"]] for n in data["handover_notes"]],
                "Aucune.",
            ),
        },
        {
            "title": "Journal des actions vous concernant",
            **_table(
                ["Date", "Action"], [[_day(a["at"]), a["label"]] for a in data["audit"]], "Aucune."
            ),
        },
    ]
    return parts


def render_personal_data(data: dict) -> bytes:
    """PDF of a member's data (the dict of collect_personal_data), « page n/N » on every page,
    then the data-protection information when the perimeter gives it."""
    identity = data["identity"]
    full_name = person_name(identity["first_name"], identity["last_name"])
    html = render_template(
        "personal_data.html",
        title=f"Vos données — {full_name} — {data['perimeter']}".strip(" —"),
        data=data,
        full_name=full_name,
        perimeter_name=data["perimeter"],
        date_text=_day(data["generated_at"]),
        parts=sections(data),
        processing=data.get("processing"),
    )
    return html_to_pdf(html, STYLESHEETS)
