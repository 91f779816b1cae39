"""The newsletter at app level: who may build, send and read it; the draft from the month's data;
editing; the test email; the send (one email per consenting member, headers, never twice); the
paper; the public version; and no personal data beyond first names anywhere."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader
from sqlalchemy import func, select

from coopere.extensions import db
from coopere.newsletter.models import NewsletterIssue
from coopere.newsletter.services import last_sent_on
from coopere.notifications.models import OutboxEmail
from coopere.printruns.models import PrintRun
from helpers import PASSWORD, login

from newsletter_seed import DWELLINGS, PEOPLE  # tests/newsletter/


def as_(app, user, password=PASSWORD):
    client = app.test_client()
    assert login(client, user, password).status_code == 302
    return client


def csrf(client, url):
    page = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def draft(app, client) -> int:
    token = csrf(client, "/lettre")
    response = client.post("/lettre/nouvelle", data={"csrf_token": token})
    assert response.status_code == 302
    with app.app_context():
        return db.session.scalar(select(NewsletterIssue.id))


def blocks(app, issue_id):
    with app.app_context():
        return db.session.get(NewsletterIssue, issue_id).blocks


def test_the_draft_is_built_from_the_month_and_members_cannot_build_it(app, month):
    member = as_(app, month["luc"], "x" * 12)
    token = csrf(member, "/lettre")
    assert member.post("/lettre/nouvelle", data={"csrf_token": token}).status_code == 403
    assert "Préparer la lettre du mois" not in member.get("/lettre").get_data(as_text=True)

    animator = as_(app, month["animator"])
    issue_id = draft(app, animator)
    found = {item["kind"]: item for item in blocks(app, issue_id)}
    assert "- Marie propose : Je prête ma perceuse" in found["listings"]["text"]
    assert "Marie" not in found["listings"]["public_text"]
    assert "- Composteur partagé (encore 8 places)" in found["projects"]["text"]
    assert "Jean et Marie se sont retrouvés" in found["stories"]["text"]
    assert "coups de main" in found["figures"]["text"] or "coup de main" in found["figures"]["text"]
    assert "sheet" not in found  # no coopere/sheets hook installed
    # A draft is not for members; its editor is not either.
    assert member.get(f"/lettre/{issue_id}").status_code == 404
    assert member.get(f"/lettre/{issue_id}/modifier").status_code == 403
    assert member.post(f"/lettre/{issue_id}/envoyer", data={"csrf_token": token}).status_code == 403


def test_a_story_needs_both_peoples_consent(app, month):
    from coopere.members.consent_records import add_consent
    from coopere.members.models import ConsentKind, Method
    from coopere.perimeter.models import get_perimeter

    with app.app_context():
        add_consent(
            month["jean"],
            ConsentKind.QUOTE_STORY,
            False,
            actor=None,
            method=Method.ONLINE,
            perimeter=get_perimeter(),
        )
        db.session.commit()
    issue_id = draft(app, as_(app, month["animator"]))
    assert "stories" not in {item["kind"] for item in blocks(app, issue_id)}


def test_edit_remove_reorder_then_send_once(app, month, inbox):
    animator = as_(app, month["animator"])
    issue_id = draft(app, animator)
    token = csrf(animator, f"/lettre/{issue_id}/modifier")
    kinds = [item["kind"] for item in blocks(app, issue_id)]
    animator.post(
        f"/lettre/{issue_id}/bloc/{kinds.index('projects')}",
        data={"csrf_token": token, "action": "remove"},
    )
    kinds.remove("projects")
    assert [item["kind"] for item in blocks(app, issue_id)] == kinds
    animator.post(f"/lettre/{issue_id}/bloc/1", data={"csrf_token": token, "action": "up"})
    assert [item["kind"] for item in blocks(app, issue_id)][:2] == [kinds[1], kinds[0]]
    last = len(kinds) - 1
    response = animator.post(
        f"/lettre/{issue_id}/bloc/{last}",
        data={
            "csrf_token": token,
            "action": "save",
            f"b{last}-title": "Le mot du groupe",
            f"b{last}-text": "x" * 5000,
        },
    )
    assert response.status_code == 302
    assert blocks(app, issue_id)[last]["text"] != "x" * 5000  # refused, nothing changed
    audience = animator.get(f"/lettre/{issue_id}/modifier").get_data(as_text=True)
    assert "Par courriel : 3 membres qui l'ont accepté" in audience
    assert "Sur papier, par leur parrain ou marraine : 2 membres sans internet" in audience
    assert "Marie : 2 exemplaires" in audience
    assert "Dans les boîtes aux lettres : 2 logements qui acceptent le courrier" in audience

    animator.post(f"/lettre/{issue_id}/essai", data={"csrf_token": token})
    assert [m["To"] for m in inbox.messages] == [PEOPLE["animator"]["email"]]
    assert inbox.messages[0]["Subject"].endswith("[Essai] La lettre des voisins")
    assert last_sent_on.__name__ and _last_sent(app) is None

    animator.post(f"/lettre/{issue_id}/envoyer", data={"csrf_token": token})
    sent = inbox.messages[1:]
    assert sorted(m["To"] for m in sent) == sorted(
        PEOPLE[k]["email"] for k in ("animator", "marie", "jean")
    )
    for raw in inbox.raw[1:]:
        head = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")  # plain ASCII headers
        assert re.search(
            r"^List-Unsubscribe: <https://lilas\.example\.org/courriel/arreter/\S+>\r?$", head, re.M
        )
        assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in head
    message = sent[0]
    assert message.get_body(("plain",)) is not None and message.get_body(("html",)) is not None
    html = message.get_body(("html",)).get_content()
    assert all(
        src.startswith("https://lilas.example.org/") for src in re.findall(r'src="([^"]+)"', html)
    )
    assert _last_sent(app) is not None
    with app.app_context():
        run = db.session.scalar(select(PrintRun).where(PrintRun.kind == "newsletter"))
        assert run.letters_count == 2 and run.status == "done"

    # Again: nothing more.
    animator.post(f"/lettre/{issue_id}/envoyer", data={"csrf_token": token})
    assert len(inbox.messages) == 4
    with app.app_context():
        assert db.session.scalar(select(func.count(PrintRun.id))) == 1
    # Members read it now; it no longer changes.
    member = as_(app, month["luc"], "x" * 12)
    assert "Je prête ma perceuse" in member.get(f"/lettre/{issue_id}").get_data(as_text=True)


def _last_sent(app):
    with app.app_context():
        return last_sent_on()


def test_a_restarted_send_resumes_without_sending_twice(app, month, inbox):
    from coopere.newsletter import sending

    animator = as_(app, month["animator"])
    issue_id = draft(app, animator)
    with app.app_context():
        issue = db.session.get(NewsletterIssue, issue_id)
        marie = month["marie"]
        sending.accept(sending._email(issue, marie), key=sending.email_key(issue, marie.id))
        db.session.commit()  # one email went out before the « crash »
    assert len(inbox.messages) == 1
    token = csrf(animator, f"/lettre/{issue_id}/modifier")
    animator.post(f"/lettre/{issue_id}/envoyer", data={"csrf_token": token})
    assert sorted(m["To"] for m in inbox.messages) == sorted(
        PEOPLE[k]["email"] for k in ("animator", "marie", "jean")
    )
    with app.app_context():
        assert db.session.scalar(select(func.count(OutboxEmail.id))) == 3


def test_no_phone_email_street_number_or_last_name_in_any_version(app, month, inbox):
    animator = as_(app, month["animator"])
    issue_id = draft(app, animator)
    token = csrf(animator, f"/lettre/{issue_id}/modifier")
    animator.post(
        f"/lettre/{issue_id}/reglages",
        data={"csrf_token": token, "name": "La lettre des voisins", "public": "y"},
    )
    paper = animator.get(f"/lettre/{issue_id}/papier.pdf")
    assert paper.mimetype == "application/pdf"
    animator.post(f"/lettre/{issue_id}/envoyer", data={"csrf_token": token})
    public = app.test_client().get(f"/la-lettre/{issue_id}")
    assert public.status_code == 200
    public_text = public.get_data(as_text=True)
    assert "Marie" not in public_text and "Je prête ma perceuse" in public_text
    home = app.test_client().get("/").get_data(as_text=True)  # chosen public: linked from home
    assert f'href="/la-lettre/{issue_id}"' in home and "Lire la lettre de" in home
    with app.app_context():
        run = db.session.scalar(select(PrintRun).where(PrintRun.kind == "newsletter"))
        from coopere.printruns.services import pdf_path

        letterboxes = pdf_path(run).read_bytes()
    texts = {
        "paper": _pdf_text(paper.data),
        "letterboxes": _pdf_text(letterboxes),
        "public": public_text,
        # An email's To header is its own reader's address: everything else is searched.
        **{f"email {i}": _email_text(message) for i, message in enumerate(inbox.messages)},
    }
    forbidden = [p["last_name"] for p in PEOPLE.values()]
    forbidden += [p[k] for p in PEOPLE.values() for k in ("email", "phone") if p.get(k)]
    forbidden += ["06 12 34 56 78", "0612345678"]
    for where, text in texts.items():
        for word in forbidden:
            assert word not in text, (where, word)
        for number, street, _ in DWELLINGS:
            if where != "letterboxes":  # the letterbox copies carry their own address only
                assert f"{number} {street}" not in text, (where, street)
    assert "Marie" in texts["paper"]  # first names are the letter's, for members


def _email_text(message) -> str:
    headers = "\n".join(f"{k}: {v}" for k, v in message.items() if k not in ("To", "X-Envelope-To"))
    parts = [message.get_body((kind,)).get_content() for kind in ("plain", "html")]
    return "\n".join([headers, *parts])


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_paper_copy_is_one_sheet_recto_verso_and_a_sponsor_gets_one_per_sponsee(app, month):
    animator = as_(app, month["animator"])
    issue_id = draft(app, animator)
    one = _pdf_pages(animator.get(f"/lettre/{issue_id}/papier.pdf").data)
    assert len(one) == 2
    marie_id = month["marie"].id
    sponsor_pdf = f"/lettre/{issue_id}/papier/parrain-{marie_id}.pdf"
    assert sponsor_pdf in animator.get(f"/lettre/{issue_id}/modifier").get_data(as_text=True)
    marie, luc = as_(app, month["marie"], "x" * 12), as_(app, month["luc"], "x" * 12)
    assert marie.get(sponsor_pdf).status_code == 404  # a draft is the animators' only
    with app.app_context():
        db.session.get(NewsletterIssue, issue_id).status = "published"
        db.session.commit()
    page = marie.get(f"/lettre/{issue_id}").get_data(as_text=True)
    assert sponsor_pdf in page and "Imprimer les 2 exemplaires papier de vos filleuls" in page
    copies = _pdf_pages(marie.get(sponsor_pdf).data)  # Odette's and Rose's
    assert len(copies) == 4 and copies[:2] == one and copies[2:] == one
    # Someone else's copies: the same 404 as for nobody; no copy without an offline sponsee.
    assert luc.get(sponsor_pdf).status_code == 404
    assert "exemplaire" not in luc.get(f"/lettre/{issue_id}").get_data(as_text=True)
    refused = luc.get(f"/lettre/{issue_id}/papier/parrain-{month['luc'].id}.pdf")
    assert refused.status_code == 302


def _pdf_pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def test_public_page_only_when_chosen(app, month):
    animator = as_(app, month["animator"])
    issue_id = draft(app, animator)
    assert app.test_client().get(f"/la-lettre/{issue_id}").status_code == 404
    token = csrf(animator, f"/lettre/{issue_id}/modifier")
    animator.post(f"/lettre/{issue_id}/envoyer", data={"csrf_token": token})
    assert app.test_client().get(f"/la-lettre/{issue_id}").status_code == 404  # not chosen
    home = app.test_client().get("/").get_data(as_text=True)
    assert "/la-lettre/" not in home and "Lire la lettre de" not in home
