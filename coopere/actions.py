"""One way for a view to carry out a domain action: commit when it succeeds; when the domain
refuses it (its error's message is French and safe to show), roll back so that nothing changes,
and give the reason. A page showing a form answers 422 when the form was refused."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import flash, render_template, send_file

from .extensions import db


@dataclass(frozen=True)
class Outcome:
    ok: bool
    value: Any = None
    refusal: Exception | None = None

    @property
    def error(self) -> str:
        """Why it was refused (French), or empty."""
        return "" if self.refusal is None else str(self.refusal)


def attempt(
    action: Callable[[], Any], refused: type[Exception] | tuple[type[Exception], ...]
) -> Outcome:
    """Run `action`; commit its work, or roll it back when it raises `refused`."""
    try:
        value = action()
    except refused as error:
        db.session.rollback()
        return Outcome(False, refusal=error)
    db.session.commit()
    return Outcome(True, value)


def attempt_and_say(
    action: Callable[[], Any],
    refused: type[Exception] | tuple[type[Exception], ...],
    success: str | Callable[[Any], str | None] | None = None,
    *,
    field: Any = None,
) -> Outcome:
    """`attempt`, then say how it went: the success sentence (or its function of the result, which
    may have nothing to say) as a flash message; the reason of the refusal as a flash message, or
    under a form's field: `field` is a WTForms field, or a function of the refusal giving one."""
    outcome = attempt(action, refused)
    if not outcome.ok:
        if field is None:
            flash(outcome.error, "error")
        else:
            target = field if hasattr(field, "errors") else field(outcome.refusal)
            target.errors.append(outcome.error)
    elif success is not None:
        message = success(outcome.value) if callable(success) else success
        if message:
            flash(message, "success")
    return outcome


def save_and_say(success: str | None = None) -> None:
    """Commit the work of an action that the domain never refuses, then say so."""
    db.session.commit()
    if success is not None:
        flash(success, "success")


def form_page(template: str, form, **context):
    """The page of `form`: status 422 when it was sent and refused (its errors are on the page),
    200 otherwise."""
    return render_template(template, form=form, **context), 422 if form.errors else 200


def made_file(
    data: bytes,
    name: str,
    *,
    mimetype: str = "application/pdf",
    attachment: bool = True,
    private: bool = False,
):
    """A file made on the spot (a printout, an export), never served again from a cache
    (max_age=0); `private` for one about people: kept in no cache at all, not even the
    browser's (no-store). `attachment=False` opens it in the browser."""
    response = send_file(
        io.BytesIO(data),
        mimetype=mimetype,
        as_attachment=attachment,
        download_name=name,
        max_age=0,
    )
    if private:
        response.headers["Cache-Control"] = "no-store"
    return response
