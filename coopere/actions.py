"""One way for a view to carry out a domain action: commit when it succeeds; when the domain
refuses it (its error's message is French and safe to show), roll back so that nothing changes,
and give the reason."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import flash

from .extensions import db


@dataclass(frozen=True)
class Outcome:
    ok: bool
    value: Any = None
    error: str = ""  # why it was refused (French)


def attempt(
    action: Callable[[], Any], refused: type[Exception] | tuple[type[Exception], ...]
) -> Outcome:
    """Run `action`; commit its work, or roll it back when it raises `refused`."""
    try:
        value = action()
    except refused as error:
        db.session.rollback()
        return Outcome(False, error=str(error))
    db.session.commit()
    return Outcome(True, value)


def attempt_and_say(
    action: Callable[[], Any],
    refused: type[Exception] | tuple[type[Exception], ...],
    success: str | Callable[[Any], str] | None = None,
) -> Outcome:
    """`attempt`, then a flash message: the success sentence (or its function of the result), or
    the reason of the refusal."""
    outcome = attempt(action, refused)
    if not outcome.ok:
        flash(outcome.error, "error")
    elif success is not None:
        flash(success(outcome.value) if callable(success) else success, "success")
    return outcome
