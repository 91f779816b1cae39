"""Password hashing (argon2id) and the password rules of OWASP ASVS 5.0."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l

MIN_LENGTH = 8
MAX_LENGTH = 128  # ASVS asks that at least 64 be accepted
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common-passwords.txt")

# A fixed hash verified when the account does not exist, so that a login costs the same time
# whether or not the identifier is known.
# Not a credential: it opens nothing, it is only hashed to spend the time of a real check.
_DUMMY_PASSWORD = "coopere-dummy-password-for-timing"  # nosec B105


def _hasher() -> PasswordHasher:
    cfg = current_app.config
    return _hasher_for(
        cfg["ARGON2_TIME_COST"], cfg["ARGON2_MEMORY_COST"], cfg["ARGON2_PARALLELISM"]
    )


@lru_cache(maxsize=4)
def _hasher_for(time_cost: int, memory_cost: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)


def hash_password(password: str) -> str:
    """An argon2id hash of the password, with its own random salt."""
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when the password matches; always spends one argon2 verification."""
    hasher = _hasher()
    if not password_hash:
        _verify_dummy(hasher, password)
        return False
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


def _verify_dummy(hasher: PasswordHasher, password: str) -> None:
    dummy = _dummy_hash(hasher.time_cost, hasher.memory_cost, hasher.parallelism)
    try:
        hasher.verify(dummy, password)
    except VerificationError:
        pass


@lru_cache(maxsize=4)
def _dummy_hash(time_cost: int, memory_cost: int, parallelism: int) -> str:
    return _hasher_for(time_cost, memory_cost, parallelism).hash(_DUMMY_PASSWORD)


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def password_problems(password: str, *, personal: tuple[str, ...] = ()) -> list[str]:
    """French (lazily translated) reasons why this password is refused; empty when it is fine.

    No composition rules (ASVS 6.2.5): length, a list of common passwords and the person's own
    name or identifiers are all that is checked.
    """
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(_l("Le mot de passe doit compter au moins %(n)d caractères.", n=MIN_LENGTH))
    elif len(password) > MAX_LENGTH:
        problems.append(
            _l("Le mot de passe ne doit pas dépasser %(max)d caractères.", max=MAX_LENGTH)
        )
    else:
        lowered = password.lower()
        if lowered in common_passwords():
            problems.append(
                _l(
                    "Ce mot de passe est parmi les plus utilisés : choisissez-en un autre, "
                    "par exemple trois mots au hasard."
                )
            )
        elif any(item and len(item) >= 3 and lowered == item.lower() for item in personal):
            problems.append(_l("Le mot de passe ne doit pas être votre nom ou votre identifiant."))
    return problems
