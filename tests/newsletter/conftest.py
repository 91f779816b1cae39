"""A month of a small perimeter for the newsletter: members who consent to it or not, two offline
members and their sponsor, listings, a project, a thanked exchange both agreed to have told,
dwellings (one refusing mail), an SMTP inbox."""

from __future__ import annotations

from datetime import timedelta

import pytest

from coopere.auth.models import Role
from coopere.dwellings.models import Dwelling
from coopere.exchanges.models import Exchange
from coopere.extensions import db
from coopere.members.consent_records import add_consent
from coopere.members.models import ConsentKind, Method, Sponsorship
from coopere.perimeter.models import get_perimeter
from coopere.timeutil import utcnow
from smtp_inbox import SENDER

from newsletter_seed import DWELLINGS, PEOPLE  # tests/newsletter/


@pytest.fixture
def app(make_app, inbox):
    return make_app(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=inbox.port,
        MAIL_DEFAULT_SENDER=SENDER,
        PUBLIC_URL="https://lilas.example.org",
    )


@pytest.fixture
def month(app, create_user, create_perimeter, create_listing):
    create_perimeter()
    people = {
        "animator": create_user(Role.ANIMATOR, **PEOPLE["animator"]),
        **{
            key: create_user(
                password=None if key in ("odette", "rose") else "x" * 12, **PEOPLE[key]
            )
            for key in ("marie", "jean", "luc", "odette", "rose")
        },
    }
    create_listing(people["marie"], "Je prête ma perceuse", theme="conseils")
    create_listing(people["jean"], "Cherche aide pour le jardin", kind="need", theme="conseils")
    project = create_listing(
        people["luc"], "Composteur partagé", kind="project", max_participants=8
    )
    offer = create_listing(people["marie"], "Montage d'étagère", theme="conseils")
    with app.app_context():
        perimeter = get_perimeter()
        for key in ("marie", "jean", "animator"):
            add_consent(
                people[key],
                ConsentKind.NEWSLETTER,
                True,
                actor=None,
                method=Method.ONLINE,
                perimeter=perimeter,
            )
        for key in ("marie", "jean"):
            add_consent(
                people[key],
                ConsentKind.QUOTE_STORY,
                True,
                actor=None,
                method=Method.ONLINE,
                perimeter=perimeter,
            )
        for number, key in enumerate(("odette", "rose"), start=1):
            db.session.add(
                Sponsorship(
                    sponsee_id=people[key].id,
                    sponsor_id=people["marie"].id,
                    consent_reference=f"P-{number}",
                )
            )
        db.session.add(
            Exchange(
                listing_id=offer,
                owner_id=people["marie"].id,
                requester_id=people["jean"].id,
                status="done",
                done_at=utcnow() - timedelta(minutes=5),
                requester_thanks="Merci Marie, l'étagère tient parfaitement !",
            )
        )
        for number, street, no_letters in DWELLINGS:
            db.session.add(
                Dwelling(
                    number=number,
                    street=street,
                    postcode="44300",
                    city="Nantes",
                    no_letters=no_letters,
                    address_key=f"{number}|{street}",
                )
            )
        db.session.commit()
    people["project"] = project
    return people
