"""A listing's photo: JPEG or PNG checked from the bytes, rebuilt from its pixels without any
metadata (EXIF, GPS, comments, ICC profiles, XMP, IPTC, PNG text; after applying the EXIF
orientation), at most 1600 px, stored under a random name, served to the members who may see the
listing with safe headers; bad files refused in French with nothing saved or left behind."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image, PngImagePlugin

from helpers import act_for, csrf_token, post_form, text
from factories import get_listing, listing_count
from coopere.listings import photos


@pytest.fixture
def member(client_as):
    return client_as("member")


def jpeg_with_gps(size=(2400, 1200)) -> bytes:
    """A camera-like JPEG: landscape pixels with « rotate 90° » orientation, a maker and a GPS
    position."""
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: the camera was held upright
    exif[0x010F] = "Canon"
    exif[0x8825] = {1: "N", 2: (48.0, 51.0, 24.0), 3: "E", 4: (2.0, 21.0, 3.0)}  # GPS
    out = io.BytesIO()
    Image.new("RGB", size, (180, 40, 40)).save(out, "JPEG", exif=exif)
    data = out.getvalue()
    assert (
        Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)
    )  # the original does have a position
    return data


def image_bytes(fmt: str, size=(300, 200), mode="RGB", color=(20, 120, 60)) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, fmt)
    return out.getvalue()


def photo_files(app) -> list[str]:
    folder = Path(app.instance_path) / "photos"
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def upload(client, path: str, themes, data: bytes, filename: str = "photo.jpg", **values):
    """POST the listing form with a file, as a browser does (the body is built here: the test
    client would spool a big one to a temporary file it never closes)."""
    form = {
        "csrf_token": csrf_token(client, "/mes-annonces"),
        "kind": "offer",
        "theme_id": str(themes["dons-prets"]),
        "title": "Je prête ma perceuse",
        **values,
    }
    boundary = "----coopere-test-boundary"
    body = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in form.items()
    )
    body += (
        (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="photo"; filename="{filename}"\r\n'
            f"Content-Type: image/jpeg\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return client.post(path, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def newest_id(app) -> int:
    from coopere.extensions import db
    from coopere.listings.models import Listing

    with app.app_context():
        return db.session.scalars(db.select(Listing.id).order_by(Listing.id.desc())).first()


def test_a_camera_photo_is_turned_upright_shrunk_and_stripped_of_exif_and_gps(app, member, themes):
    response = upload(member, "/mes-annonces/nouvelle", themes, jpeg_with_gps())
    assert response.status_code == 302
    listing = get_listing(app, newest_id(app))
    assert photos.NAME.match(listing.photo) and listing.photo.endswith(".jpg")
    assert photo_files(app) == [listing.photo]
    served = member.get(f"/annonces/photo/{listing.photo}")
    assert served.status_code == 200
    assert served.headers["Content-Type"] == "image/jpeg"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Content-Disposition"] == f'inline; filename="annonce-{listing.id}.jpg"'
    assert served.headers["Cache-Control"].startswith("private")
    image = Image.open(io.BytesIO(served.data))
    assert image.format == "JPEG"
    assert image.size == (800, 1600)  # upright (orientation applied), long side 1600 px
    assert dict(image.getexif()) == {} and "exif" not in image.info
    assert b"Canon" not in served.data
    # The edit page shows it, with a way to remove it.
    page = text(member.get(f"/mes-annonces/{listing.id}/modifier"))
    assert f'src="/annonces/photo/{listing.photo}"' in page and "Retirer la photo" in page


def test_png_keeps_its_transparency_and_an_opaque_png_becomes_a_jpeg(app, member, themes):
    assert (
        upload(
            member,
            "/mes-annonces/nouvelle",
            themes,
            image_bytes("PNG", mode="RGBA", color=(0, 0, 0, 0)),
            "logo.png",
        ).status_code
        == 302
    )
    transparent = get_listing(app, newest_id(app))
    assert transparent.photo.endswith(".png")
    served = member.get(f"/annonces/photo/{transparent.photo}")
    assert served.headers["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(served.data)).mode == "RGBA"
    assert (
        upload(member, "/mes-annonces/nouvelle", themes, image_bytes("PNG"), "scan.png").status_code
        == 302
    )
    assert get_listing(app, newest_id(app)).photo.endswith(".jpg")


# --- no metadata at all ---------------------------------------------------------------------------

SECRETS = [
    b"SECRET-COMMENT",
    b"SECRET-ICC",
    b"SECRET-XMP",
    b"SECRET-IPTC",
    b"SECRET-EXIF",
    b"SECRET-TEXT",
    b"SECRET-ZTXT",
    b"SECRET-APP15",
]
ICC = b"\0\0\2\0lcms\4\x30\0\0mntrRGB XYZ " + b"\0" * 100 + b"SECRET-ICC profile text"
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description>SECRET-XMP</rdf:Description></x:xmpmeta>'
)


def _segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + (len(payload) + 2).to_bytes(2, "big") + payload


def jpeg_with_metadata() -> bytes:
    """A JPEG carrying a comment (COM), an ICC profile (APP2), XMP and EXIF (APP1), IPTC (APP13) and
    a vendor segment (APP15)."""
    exif = Image.Exif()
    exif[0x010F] = "SECRET-EXIF maker"
    out = io.BytesIO()
    Image.new("RGB", (400, 300), (30, 90, 160)).save(
        out, "JPEG", comment=b"SECRET-COMMENT", icc_profile=ICC, exif=exif, xmp=XMP
    )
    data = out.getvalue()
    extra = _segment(0xED, b"Photoshop 3.0\0SECRET-IPTC caption") + _segment(
        0xEF, b"SECRET-APP15 vendor"
    )
    data = data[:2] + extra + data[2:]
    assert all(
        secret in data
        for secret in (
            b"SECRET-COMMENT",
            b"SECRET-ICC",
            b"SECRET-XMP",
            b"SECRET-IPTC",
            b"SECRET-EXIF",
            b"SECRET-APP15",
        )
    )
    return data


def png_with_metadata(mode: str) -> bytes:
    """A PNG carrying text chunks (tEXt, zTXt, iTXt with XMP), an ICC profile (iCCP) and EXIF
    (eXIf)."""
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "SECRET-TEXT")
    info.add_text("Author", "SECRET-ZTXT", zip=True)
    info.add_itxt("XML:com.adobe.xmp", XMP.decode())
    exif = Image.Exif()
    exif[0x010F] = "SECRET-EXIF maker"
    out = io.BytesIO()
    color = (30, 90, 160, 128) if mode == "RGBA" else (30, 90, 160)
    Image.new(mode, (400, 300), color).save(out, "PNG", pnginfo=info, icc_profile=ICC, exif=exif)
    return out.getvalue()


def jpeg_segments(data: bytes) -> list[int]:
    """The markers of a JPEG's header segments, up to the image data (SOS)."""
    assert data[:2] == b"\xff\xd8"
    markers, at = [], 2
    while True:
        assert data[at] == 0xFF
        marker = data[at + 1]
        markers.append(marker)
        if marker == 0xDA:
            return markers
        at += 2 + int.from_bytes(data[at + 2 : at + 4], "big")


def png_chunks(data: bytes) -> list[bytes]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, at = [], 8
    while at < len(data):
        length = int.from_bytes(data[at : at + 4], "big")
        chunks.append(data[at + 4 : at + 8])
        at += 12 + length
    return chunks


def stored_file(app, member) -> bytes:
    listing = get_listing(app, newest_id(app))
    stored = (Path(app.instance_path) / "photos" / listing.photo).read_bytes()
    assert member.get(f"/annonces/photo/{listing.photo}").data == stored
    return stored


JFIF_ONLY = {"jfif", "jfif_version", "jfif_unit", "jfif_density", "progressive", "progression"}


@pytest.mark.parametrize(
    "data, filename", [(jpeg_with_metadata(), "photo.jpg"), (png_with_metadata("RGB"), "scan.png")]
)
def test_a_stored_jpeg_keeps_no_metadata_at_all(app, member, themes, data, filename):
    assert upload(member, "/mes-annonces/nouvelle", themes, data, filename).status_code == 302
    stored = stored_file(app, member)
    assert [secret for secret in SECRETS if secret in stored] == []
    for name in (b"ICC_PROFILE", b"Exif\0", b"http://ns.adobe.com", b"Photoshop", b"xmpmeta"):
        assert name not in stored
    # SOI then only the JFIF header (APP0), tables, frame and scan: no APP1-APP15, no comment (COM).
    assert [hex(m) for m in jpeg_segments(stored) if 0xE1 <= m <= 0xEF or m == 0xFE] == []
    image = Image.open(io.BytesIO(stored))
    assert set(image.info) <= JFIF_ONLY
    assert image.size == (400, 300)


def test_a_stored_png_keeps_no_metadata_at_all(app, member, themes):
    assert (
        upload(
            member, "/mes-annonces/nouvelle", themes, png_with_metadata("RGBA"), "logo.png"
        ).status_code
        == 302
    )
    stored = stored_file(app, member)
    assert [secret for secret in SECRETS if secret in stored] == []
    assert set(png_chunks(stored)) <= {b"IHDR", b"IDAT", b"IEND"}
    image = Image.open(io.BytesIO(stored))
    assert image.info == {}
    assert (image.mode, image.size) == ("RGBA", (400, 300))


@pytest.mark.parametrize(
    "data, filename, message",
    [
        (image_bytes("GIF"), "anim.gif", "Seules les photos JPEG ou PNG sont acceptées."),
        (image_bytes("GIF"), "deguise.jpg", "Seules les photos JPEG ou PNG sont acceptées."),
        (image_bytes("BMP"), "photo.png", "Seules les photos JPEG ou PNG sont acceptées."),
        (b"<?php echo 'bonjour'; ?>" * 10, "photo.jpg", "Ce fichier n'est pas une photo lisible."),
        (image_bytes("JPEG")[:300], "coupee.jpg", "Ce fichier n'est pas une photo lisible."),
        (
            b"\xff\xd8\xff\xe0" + b"\0" * (5 * 1024 * 1024),
            "enorme.jpg",
            "La photo est trop lourde (5 Mo au plus).",
        ),
    ],
)
def test_bad_files_are_refused_in_french_and_nothing_is_left(
    app, member, themes, data, filename, message
):
    before = listing_count(app)
    response = upload(member, "/mes-annonces/nouvelle", themes, data, filename)
    assert response.status_code == 422
    assert message in text(response).replace("&#39;", "'")
    assert listing_count(app) == before and photo_files(app) == []


def test_too_many_pixels_is_refused_before_decoding(app, member, themes):
    # 48 megapixels in a few kilobytes (a one-bit PNG): above the 40-megapixel limit.
    out = io.BytesIO()
    Image.new("1", (8000, 6000), 1).save(out, "PNG")
    assert len(out.getvalue()) < 5 * 1024 * 1024
    response = upload(member, "/mes-annonces/nouvelle", themes, out.getvalue(), "grande.png")
    assert response.status_code == 422
    assert "La photo est trop grande (trop de pixels)." in text(response)
    assert photo_files(app) == []
    # Far above (a « decompression bomb »): refused the same way.
    with pytest.raises(photos.PhotoError):
        with app.app_context():
            bomb = io.BytesIO()
            Image.new("1", (10_000, 9_000), 0).save(bomb, "PNG")
            photos.prepare(bomb.getvalue())


def test_a_request_over_the_size_limit_gets_a_french_page(app, member, themes):
    response = upload(
        member, "/mes-annonces/nouvelle", themes, b"\0" * (9 * 1024 * 1024), "gros.jpg"
    )
    assert response.status_code == 413
    assert "Fichier trop gros" in text(response)
    assert photo_files(app) == []


def test_replacing_and_removing_a_photo_deletes_the_old_file(app, member, themes):
    upload(member, "/mes-annonces/nouvelle", themes, image_bytes("JPEG"))
    listing_id = newest_id(app)
    first = get_listing(app, listing_id).photo
    assert (
        upload(
            member,
            f"/mes-annonces/{listing_id}/modifier",
            themes,
            image_bytes("JPEG", color=(1, 2, 3)),
        ).status_code
        == 302
    )
    second = get_listing(app, listing_id).photo
    assert second != first and photo_files(app) == [second]
    assert member.get(f"/annonces/photo/{first}").status_code == 404
    # A refused edit keeps the current photo.
    assert (
        upload(
            member,
            f"/mes-annonces/{listing_id}/modifier",
            themes,
            image_bytes("GIF"),
            "x.gif",
            title="",
        ).status_code
        == 422
    )
    assert get_listing(app, listing_id).photo == second and photo_files(app) == [second]
    # A valid photo with a refused text: nothing is saved, no file is left behind.
    assert (
        upload(
            member, f"/mes-annonces/{listing_id}/modifier", themes, image_bytes("JPEG"), title="ab"
        ).status_code
        == 422
    )
    assert get_listing(app, listing_id).photo == second and photo_files(app) == [second]
    response = post_form(
        member,
        f"/mes-annonces/{listing_id}/modifier",
        {
            "kind": "offer",
            "theme_id": str(themes["dons-prets"]),
            "title": "Je prête ma perceuse",
            "remove_photo": "y",
        },
        token_from="/mes-annonces",
    )
    assert response.status_code == 302
    assert get_listing(app, listing_id).photo is None and photo_files(app) == []


def test_only_members_who_may_see_the_listing_get_its_photo(
    app, client_as, users, themes, create_user
):
    from coopere.auth.models import Role

    neighbour = create_user(Role.MEMBER, first_name="Paul")
    member = client_as("member")
    upload(member, "/mes-annonces/nouvelle", themes, image_bytes("JPEG"))
    listing_id = newest_id(app)
    name = get_listing(app, listing_id).photo
    path = f"/annonces/photo/{name}"
    from helpers import login

    other = app.test_client()
    login(other, neighbour)
    assert other.get(path).status_code == 200  # an open listing: any member
    assert app.test_client().get(path).status_code == 302  # a visitor is sent to the login page
    assert (
        post_form(
            member, f"/mes-annonces/{listing_id}/pause", token_from="/mes-annonces"
        ).status_code
        == 302
    )
    assert other.get(path).status_code == 404  # paused: hidden from other members
    assert member.get(path).status_code == 200  # the owner still sees it
    for bad in (
        "../secret_key",
        "x.jpg",
        name.replace(".jpg", ".png"),
        name + ".jpg",
        "a" * 22 + ".gif",
    ):
        assert other.get(f"/annonces/photo/{bad}").status_code == 404


def test_a_sponsor_adds_a_photo_for_their_sponsee(app, client_as, users, themes, sponsee):
    client = client_as("member")
    assert act_for(client, sponsee).status_code == 302
    assert (
        upload(client, "/mes-annonces/nouvelle", themes, jpeg_with_gps((400, 300))).status_code
        == 302
    )
    listing = get_listing(app, newest_id(app))
    assert listing.owner_id == sponsee.id and listing.photo
    assert photo_files(app) == [listing.photo]
