"""How an email leaves: Flask-Mail set up with a timed SMTP connection, whether emails are on
at all (`enabled`), and the message itself (`Email`), serialised with plain ASCII
List-Unsubscribe headers. No database: the outbox (notifications/outbox.py) and the builders
(notifications/email.py) sit on this."""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from email.policy import EmailPolicy

from flask import current_app
from flask_mail import Connection
from flask_mail import Message as MailMessage

from ..extensions import mail
from ..urls import has_public_url

# The emails' logger keeps its name across the package's modules (what operators filter on).
log = logging.getLogger("coopere.notifications.email")


def configure_mail(app) -> None:
    mail.init_app(app)


class TimedConnection(Connection):
    """Flask-Mail's connection with a timeout: an SMTP server that does not answer delays a page by
    MAIL_TIMEOUT seconds at most, instead of minutes."""

    def configure_host(self):
        smtp = smtplib.SMTP_SSL if self.mail.use_ssl else smtplib.SMTP
        host = smtp(
            self.mail.server, self.mail.port, timeout=current_app.config.get("MAIL_TIMEOUT", 10)
        )
        if self.mail.use_tls:
            host.starttls()
        if self.mail.username and self.mail.password:
            host.login(self.mail.username, self.mail.password)
        return host


def connect() -> Connection:
    return TimedConnection(current_app.extensions["mail"])


def enabled() -> bool:
    """Whether emails are sent at all: an SMTP server is configured, and PUBLIC_URL, which every
    email's links need (they are never guessed from the request). With an SMTP server but no
    PUBLIC_URL, nothing is sent and a warning is logged once."""
    if not current_app.config.get("MAIL_SERVER"):
        return False
    if has_public_url():
        return True
    state = current_app.extensions.setdefault("coopere.email", {})
    if not state.get("warned"):
        state["warned"] = True
        log.warning(
            "emails not sent: MAIL_SERVER is set but PUBLIC_URL is not (links are never guessed "
            "from the request)"
        )
    return False


class _PlainListHeaders(EmailPolicy):
    """`email.policy.SMTP`, except that List-Unsubscribe and List-Unsubscribe-Post are written as
    they are, on one plain ASCII line (RFC 8058; RFC 5322 allows 998 characters).

    SMTP folds at 78 characters: `List-Unsubscribe: <https://…/courriel/arreter/…>` is one long
    word that cannot be folded, so it was written as RFC 2047 encoded words (`=?utf-8?q?…?=`),
    which mail clients do not read as a link: one-click unsubscribe failed."""

    def fold(self, name, value):
        if name.lower() in PLAIN_HEADERS:
            return f"{name}: {value}{self.linesep}"
        return super().fold(name, value)

    def fold_binary(self, name, value):
        if name.lower() in PLAIN_HEADERS:
            return f"{name}: {value}{self.linesep}".encode("ascii")
        return super().fold_binary(name, value)


PLAIN_HEADERS = frozenset({"list-unsubscribe", "list-unsubscribe-post"})
SMTP_POLICY = _PlainListHeaders(linesep="\r\n")  # what email.policy.SMTP is, plus the rule above


class PlainHeadersMessage(MailMessage):
    """Flask-Mail's message, serialised with SMTP_POLICY (everything else unchanged)."""

    def _message(self):
        message = super()._message()
        message.policy = SMTP_POLICY
        return message


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    body: str
    unsubscribe_url: str
    user_id: int = 0  # for the log: an internal id, never the address
    kind: str = ""  # the email's template name, e.g. "notice" or "weekly_digest"
    html: str = ""  # an HTML alternative to `body` ("" = plain text only)

    def message(self) -> MailMessage:
        # Plain ASCII headers (RFC 8058): PUBLIC_URL's host is in IDNA form, the path is URL-quoted.
        self.unsubscribe_url.encode("ascii")
        return PlainHeadersMessage(
            subject=self.subject,
            recipients=[self.to],
            body=self.body,
            html=self.html or None,
            sender=current_app.config.get("MAIL_DEFAULT_SENDER"),
            extra_headers={
                "List-Unsubscribe": f"<{self.unsubscribe_url}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        )
