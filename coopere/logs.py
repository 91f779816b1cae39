"""Logs never carry a resident's email address or phone number, even inside an exception's text.

Call sites log an event and an internal id (a member's id, a message's kind), never a name. On top
of that, one filter scrubs email addresses and phone numbers from every log record of the process
(its message, its arguments, its exception and stack text): a refused recipient's address in an
SMTP error, a value echoed by a library, a query string in an access log line. It runs where every
record is made (the logging record factory), so it covers every logger and every handler, those
of gunicorn and of pytest's caplog included, whichever is added later.
"""

from __future__ import annotations

import logging
import re
import traceback

EMAIL = re.compile(r"[\w.%+\-]+@[\w\-]+(?:\.[\w\-]+)+")
PHONES = (
    # International: +33 6 12 34 56 78, +33612345678 (the stored E.164 form), +44 20 7946 0958.
    re.compile(r"(?<![\w+.])\+[1-9]\d{0,2}[ .\-]?(?:\d[ .\-]?){6,12}\d(?!\d)"),
    re.compile(r"(?<![\w+.])00[1-9]\d{0,2}[ .\-]?(?:\d[ .\-]?){6,12}\d(?!\d)"),
    # French national: 06 12 34 56 78, 06.12.34.56.78, 0612345678.
    re.compile(r"(?<![\w+.])0[1-9](?:[ .\-]?\d{2}){4}(?!\d)"),
)
EMAIL_MARK = "<courriel masqué>"
PHONE_MARK = "<téléphone masqué>"


def scrub(text: str) -> str:
    """`text` with every email address and phone number replaced by a mark."""
    text = EMAIL.sub(EMAIL_MARK, text)
    for pattern in PHONES:
        text = pattern.sub(PHONE_MARK, text)
    return text


class ScrubPersonalData(logging.Filter):
    """Rewrites a record in place: message and arguments merged then scrubbed, the exception and
    stack formatted then scrubbed (the exception object itself, which holds the raw values, is
    dropped from the record). Never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed call: logging reports it when formatting
            message = None
        if message is not None:
            record.msg, record.args = scrub(message), ()
        if record.exc_info and record.exc_info[0] is not None:
            record.exc_text = scrub(
                "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
            )
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return True


SCRUB = ScrubPersonalData()


def configure_logging(app) -> None:
    """Installed by the app factory, once per process: every record made from now on is scrubbed."""
    factory = logging.getLogRecordFactory()
    if getattr(factory, "scrubs_personal_data", False):
        return

    def scrubbing_factory(*args, **kwargs) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        SCRUB.filter(record)
        return record

    scrubbing_factory.scrubs_personal_data = True
    logging.setLogRecordFactory(scrubbing_factory)
    app.logger.addFilter(SCRUB)  # records handed to the app's logger by other means too
