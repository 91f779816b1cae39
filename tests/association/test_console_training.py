"""The pilotes' training days: the coordination plans one, the pilote of A sees it on the group's
page and answers « je viendrai », the association sees the answer (a coach only for their
perimeters), notes who came after the day, and A's training history shows it."""

from __future__ import annotations

import html
from datetime import timedelta

from coopere.association.models import TrainingAnswer, TrainingDay
from coopere.association.store import db_session
from coopere.network.models import now
from console_support import COACH, CONSOLE, COORD, OTHER, post_form
from network_support import BASE
from helpers import csrf_token


def plan(console, days_ahead=20, title="Animer un café-rencontre"):
    client = console.login(COORD)
    day = (now() + timedelta(days=days_ahead)).date()
    response = post_form(
        client,
        f"{CONSOLE}/formations",
        {
            "title": title,
            "topic": "cafes",
            "day": day.isoformat(),
            "start": "09:30",
            "end": "16:30",
            "place": "Maison des associations",
            "details": "Repas partagé à midi.",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:1500]
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def make_pilote(console, slug: str):
    from coopere.auth.models import GroupRole, User
    from coopere.extensions import db

    with console.perimeters.app(slug).app_context():
        db.session.get(User, 1).group_role = GroupRole.PILOTE.value
        db.session.commit()


def test_a_training_day_from_plan_to_attendance(console):
    day_id = plan(console)
    make_pilote(console, "a")
    pilote = console.perimeters.login("a")
    group = pilote.get(f"{BASE}/a/groupe").get_data(as_text=True)
    assert "Animer un café-rencontre" in group and "Maison des associations" in group
    token = csrf_token(pilote, f"{BASE}/a/groupe")
    answered = pilote.post(
        f"{BASE}/a/groupe/formations/{day_id}", data={"csrf_token": token, "coming": "oui"}
    )
    assert answered.status_code == 302
    page = html.unescape(pilote.get(f"{BASE}/a/groupe").get_data(as_text=True))
    assert "C'est noté : vous viendrez." in page and "Anatole : je viendrai" in page

    with console.app.test_request_context():
        answers = db_session().query(TrainingAnswer).filter_by(day_id=day_id).all()
        assert [(a.slug, a.member_id, a.role, a.coming) for a in answers] == [
            ("a", 1, "pilote", True)
        ]
    page = console.login(COACH).get(f"{CONSOLE}/formations/{day_id}").get_data(as_text=True)
    assert "Anatole" in page  # A's pilote, whom this coach coaches
    other = console.login(OTHER).get(f"{CONSOLE}/formations/{day_id}").get_data(as_text=True)
    assert "Anatole" not in other  # not their perimeter

    # after the day (moved into the past), the coordination notes who came
    with console.app.test_request_context():
        db = db_session()
        day = db.get(TrainingDay, day_id)
        day.starts_at = now() - timedelta(days=2, hours=6)
        day.ends_at = now() - timedelta(days=2)
        answer_id = db.query(TrainingAnswer).filter_by(day_id=day_id).one().id
        db.commit()
    coord = console.login(COORD)
    response = post_form(
        coord,
        f"{CONSOLE}/formations/{day_id}/presences",
        {"came": str(answer_id)},
        form_url=f"{CONSOLE}/formations/{day_id}",
    )
    assert response.status_code == 302
    history = coord.get(f"{CONSOLE}/perimetres/a/formations").get_data(as_text=True)
    assert "Animer un café-rencontre" in history and "est venu·e" in history
    # a past day is no longer answered from the group's page
    token = csrf_token(pilote, f"{BASE}/a/groupe")
    pilote.post(f"{BASE}/a/groupe/formations/{day_id}", data={"csrf_token": token, "coming": "non"})
    with console.app.test_request_context():
        assert db_session().get(TrainingAnswer, answer_id).coming is True


def test_only_the_pilote_and_copilote_answer(console):
    day_id = plan(console, title="Communiquer avec les voisins")
    animator = console.perimeters.login("b", "animator.b@example.org")
    token = csrf_token(animator, f"{BASE}/b/groupe")
    response = animator.post(
        f"{BASE}/b/groupe/formations/{day_id}", data={"csrf_token": token, "coming": "oui"}
    )
    assert response.status_code == 403


def test_a_coach_cannot_plan_or_cancel(console):
    coach = console.login(COACH)
    response = post_form(coach, f"{CONSOLE}/formations", {"title": "X", "topic": "cafes"})
    assert response.status_code == 403
    day_id = plan(console, title="Éco-gestes au quotidien")
    response = post_form(
        coach, f"{CONSOLE}/formations/{day_id}/annuler", {}, form_url=f"{CONSOLE}/formations"
    )
    assert response.status_code == 403


def test_a_day_in_the_past_or_ending_before_it_starts_is_refused_in_french(console):
    client = console.login(COORD)
    yesterday = (now() - timedelta(days=1)).date().isoformat()
    response = post_form(
        client,
        f"{CONSOLE}/formations",
        {"title": "Trop tard", "topic": "cafes", "day": yesterday, "start": "09:00",
         "end": "12:00", "place": "Ici"},
    )  # fmt: skip
    assert response.status_code == 422
    assert "Cette date est passée" in response.get_data(as_text=True)
    with console.app.test_request_context():
        assert db_session().query(TrainingDay).filter_by(title="Trop tard").count() == 0
