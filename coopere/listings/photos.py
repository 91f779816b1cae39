"""A listing's photo: checked from its bytes (JPEG or PNG only), rebuilt on the server from its
pixels alone — no metadata at all: EXIF, GPS, comments, ICC profiles, XMP — at most 1600 px on
its long side, and stored under a random name in instance/photos. Files follow the database: a
photo written in a transaction that is rolled back is removed, and a replaced or removed photo is
deleted once the change is committed."""

from __future__ import annotations

import io
import re
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import event
from sqlalchemy.orm import Session

MAX_SIDE = 1600
#: Larger images are refused before being decoded (a "decompression bomb": a small file that
#: unpacks into gigabytes). 40 megapixels is well above any phone camera's photos.
MAX_PIXELS = 40_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
FORMATS = {"JPEG": "jpg", "PNG": "png"}
MIMETYPES = {"jpg": "image/jpeg", "png": "image/png"}
NAME = re.compile(r"^[A-Za-z0-9_-]{22}\.(jpg|png)$")

NOT_AN_IMAGE = _l("Ce fichier n'est pas une photo lisible. Choisissez une photo JPEG ou PNG.")
WRONG_TYPE = _l("Seules les photos JPEG ou PNG sont acceptées.")
TOO_MANY_PIXELS = _l("La photo est trop grande (trop de pixels). Choisissez-en une plus petite.")


class PhotoError(ValueError):
    """A refused photo; the message is French (lazy)."""


@dataclass(frozen=True)
class Photo:
    """A re-encoded photo, ready to be written: its bytes and extension (jpg or png)."""

    data: bytes
    extension: str


def max_bytes() -> int:
    return current_app.config["LISTING_PHOTO_MAX_BYTES"]


def folder() -> Path:
    path = Path(current_app.instance_path) / "photos"
    path.mkdir(parents=True, exist_ok=True)
    return path


def prepare(data: bytes) -> Photo:
    """Check and re-encode uploaded bytes. Raises PhotoError: too heavy, not an image, neither JPEG
    nor PNG (whatever the file's name says), too many pixels, or broken."""
    limit = max_bytes()
    if len(data) > limit:
        raise PhotoError(
            _l(
                "La photo est trop lourde (%(max)d Mo au plus). Choisissez-en une plus petite.",
                max=limit // (1024 * 1024),
            )
        )
    if not data:
        raise PhotoError(NOT_AN_IMAGE)
    try:
        with warnings.catch_warnings():
            # Between MAX_IMAGE_PIXELS and twice that, Pillow only warns: refuse those too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format not in FORMATS:
                    raise PhotoError(WRONG_TYPE)
                extension = FORMATS[image.format]
                image.load()
                image = ImageOps.exif_transpose(image)
                return _encode(image, extension)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoError(TOO_MANY_PIXELS) from None
    except PhotoError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        raise PhotoError(NOT_AN_IMAGE) from None


def _encode(image: Image.Image, extension: str) -> Photo:
    """A fresh file from the pixels only: JPEG, or PNG when the image has transparency."""
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    transparent = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    out = io.BytesIO()
    if extension == "png" and transparent:
        _pixels_only(image.convert("RGBA")).save(out, "PNG", optimize=True)
        return Photo(out.getvalue(), "png")
    if image.mode != "RGB":
        image = image.convert("RGBA").convert("RGB") if transparent else image.convert("RGB")
    _pixels_only(image).save(out, "JPEG", quality=85, optimize=True, progressive=True)
    return Photo(out.getvalue(), "jpg")


def _pixels_only(image: Image.Image) -> Image.Image:
    """A new image made of the pixel values alone, with an empty `info`: Pillow writes back what
    `info` holds (a JPEG comment, a PNG's ICC profile…), so nothing from the uploaded file — EXIF,
    GPS, comments, ICC profiles, XMP, IPTC, PNG text chunks — can reach the stored file."""
    return Image.frombytes(image.mode, image.size, image.tobytes())


# --- files that follow the transaction ------------------------------------------------------


def write(photo: Photo, session: Session) -> str:
    """Write the photo under a new random name; removed again if the transaction is rolled back."""
    name = f"{secrets.token_urlsafe(16)}.{photo.extension}"
    path = folder() / name
    path.write_bytes(photo.data)
    session.info.setdefault("photos_written", []).append(path)
    return name


def discard(name: str | None, session: Session) -> None:
    """Delete this photo's file once the transaction is committed (kept if it is rolled back)."""
    if name and NAME.match(name):
        session.info.setdefault("photos_discarded", []).append(folder() / name)


def path_of(name: str) -> Path | None:
    if not NAME.match(name or ""):
        return None
    path = Path(current_app.instance_path) / "photos" / name
    return path if path.is_file() else None


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    session.info.pop("photos_written", None)
    for path in session.info.pop("photos_discarded", []):
        path.unlink(missing_ok=True)


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, _previous) -> None:
    session.info.pop("photos_discarded", None)
    for path in session.info.pop("photos_written", []):
        path.unlink(missing_ok=True)
