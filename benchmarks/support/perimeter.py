"""A perimeter to measure on: its settings, 500 dwellings, an animator and 300 members."""

from __future__ import annotations

from pathlib import Path

from coopere import create_app
from coopere.auth.models import Role, User
from coopere.auth.passwords import hash_password
from coopere.dwellings.models import Dwelling
from coopere.extensions import db
from coopere.listings.themes import seed_themes
from coopere.perimeter.services import DEFAULT_CHARTER, save_settings

ANIMATOR = "anim@example.org"


def build_perimeter(
    folder: Path,
    *,
    public_url: str,
    streets: tuple[str, ...],
    password: str,
    dwellings: int = 500,
    members: int = 300,
):
    """A new perimeter in `folder` (SQLite): its settings and themes, `dwellings` dwellings along
    `streets`, the animator ANIMATOR and `members` members living in the first dwellings, all with
    `password`; committed. Returns the app."""
    app = create_app(
        {"SECRET_KEY": "bench", "RATELIMIT_ENABLED": False, "PUBLIC_URL": public_url},
        instance_path=folder,
    )
    with app.app_context():
        db.create_all()
        save_settings(
            {
                "name": "Coop-ère Benchmark",
                "short_name": "Bench",
                "city": "Nantes",
                "postcode": "44300",
                "estimated_dwellings": dwellings,
                "meeting_place": "Place",
                "contact": "06 12 34 56 78",
                "charter_text": DEFAULT_CHARTER,
            }
        )
        seed_themes()
        for n in range(dwellings):
            street = streets[n % len(streets)]
            number = n // len(streets) + 1
            db.session.add(
                Dwelling(
                    number=number,
                    street=street,
                    postcode="44300",
                    city="Nantes",
                    address_key=f"{number} {street}",
                )
            )
        hashed = hash_password(password)
        db.session.add(
            User(
                first_name="Anne",
                last_name="Animatrice",
                email=ANIMATOR,
                role=Role.ANIMATOR.value,
                password_hash=hashed,
            )
        )
        for i in range(members):
            db.session.add(
                User(
                    first_name=f"Prénom{i}",
                    last_name=f"Nom{i}",
                    email=f"p{i}@example.org",
                    role=Role.MEMBER.value,
                    password_hash=hashed,
                    dwelling_id=i + 1,
                )
            )
        db.session.commit()
    return app
