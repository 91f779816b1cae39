"""Time helpers: the database stores naive UTC datetimes; people see Europe/Paris."""
from datetime import UTC, datetime


def utcnow() -> datetime:
    """Naive UTC now, the form every DateTime column stores (portable across SQLite and PostgreSQL)."""
    return datetime.now(UTC).replace(tzinfo=None)
