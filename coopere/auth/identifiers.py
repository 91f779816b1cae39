"""Login identifiers: an email address or a French phone number, normalised for storage."""

from __future__ import annotations

import phonenumbers
from email_validator import EmailNotValidError, validate_email


class InvalidIdentifier(ValueError):
    """The text is neither a valid email nor a valid phone number."""


def normalise_phone(text: str, region: str = "FR") -> str:
    """The E.164 form of a phone number written the French way (06 12 34 56 78) or +33…"""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidIdentifier(text) from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidIdentifier(text)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_email(text: str) -> str:
    try:
        result = validate_email(text.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidIdentifier(text) from exc
    return result.normalized.lower()


def parse_login(text: str) -> tuple[str, str]:
    """('email', value) or ('phone', value) for what a person typed in the login field."""
    text = text.strip()
    if "@" in text:
        return "email", normalise_email(text)
    return "phone", normalise_phone(text)


def format_phone(e164: str | None) -> str:
    """A stored number the way French people write it: 06 12 34 56 78."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, "FR")
    except phonenumbers.NumberParseException:
        return e164
    if number.country_code == 33:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
