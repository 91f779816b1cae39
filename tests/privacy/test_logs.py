"""Logs never carry a resident's email address or phone number, even inside an exception's text:
the app factory installs a filter that scrubs every log record (message, arguments, exception)."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy.exc import IntegrityError

from coopere.auth.models import User
from coopere.extensions import db


@pytest.mark.parametrize(
    "personal",
    [
        "paul.bernard@example.org",
        "Élodie.Martin+voisins@quartier-lilas.fr",
        "+33612345678",
        "+33 6 12 34 56 78",
        "06 12 34 56 78",
        "0612345678",
        "06.12.34.56.78",
        "06-12-34-56-78",
        "0033612345678",
        "+44 20 7946 0958",
    ],
)
def test_an_address_or_a_phone_in_a_log_call_is_scrubbed(app, caplog, personal):
    ordinary = (
        "2026-05-06 12:34:56 +0000 GET /annonces/12?page=3 HTTP/1.1 200 in 0.0712345699 s; "
        "run 3F2A; "
        "object at 0x7f2c54f84650; coopere@localhost; listing 1234567"
    )
    with caplog.at_level(logging.INFO):
        logging.getLogger("any.library").warning("refused: %s (retry later)", personal)
        logging.getLogger("coopere.somewhere").info(f"inline {personal}")
        logging.getLogger("werkzeug").info("%s", ordinary)
    assert personal not in caplog.text
    assert caplog.text.count("masqué>") == 2, caplog.text
    assert "refused:" in caplog.text and "(retry later)" in caplog.text
    assert caplog.records[-1].getMessage() == ordinary  # dates, times, ids, decimals are left alone


def test_an_address_or_a_phone_in_an_exception_is_scrubbed(app, caplog):
    with caplog.at_level(logging.WARNING):
        try:
            try:
                raise KeyError("jeanne.voisine@example.org")
            except KeyError as error:
                raise ValueError("no answer from +33611223344 nor 06 11 22 33 44") from error
        except ValueError:
            logging.getLogger("coopere.test").exception("sending failed for member %s", 12)
    assert "sending failed for member 12" in caplog.text
    assert "Traceback (most recent call last)" in caplog.text and "ValueError" in caplog.text
    for personal in ("jeanne.voisine@example.org", "+33611223344", "06 11 22 33 44"):
        assert personal not in caplog.text
        assert all(
            personal not in (record.exc_text or "") + record.getMessage()
            for record in caplog.records
        )


def test_a_failing_statement_does_not_echo_its_values(app, create_user, caplog):
    """SQLAlchemy hides the statement's parameters; what the database itself says about them
    (PostgreSQL's « Key (email)=(…) already exists ») is scrubbed when the error is logged."""
    create_user(email="paul@example.org", phone="+33612345678")
    with app.app_context():
        db.session.add(
            User(
                first_name="Paul",
                last_name="Bernard",
                email="paul@example.org",
                phone="+33612345678",
            )
        )
        with pytest.raises(IntegrityError) as failed:
            db.session.flush()
        db.session.rollback()
        try:
            raise failed.value
        except IntegrityError:
            logging.getLogger("coopere.test").exception("saving a member failed")
    assert "hidden due to hide_parameters=True" in str(failed.value)
    assert "Bernard" not in str(failed.value)
    logged = caplog.text + "".join(
        (record.exc_text or "") + record.getMessage() for record in caplog.records
    )
    assert "saving a member failed" in logged and "IntegrityError" in logged
    assert "paul@example.org" not in logged and "+33612345678" not in logged
