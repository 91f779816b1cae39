"""Stamping: many copies of one document that differ only in a few elements, made from one
rendering of the shared pages and one small overlay page per copy (printing/newsletter.py).

Laying out the shared text is what costs: a run of 500 newsletters would lay out the same
1,000 pages 500 times. Here the shared pages are rendered once, the per-copy elements
(address, reference, QR code) once per copy on an otherwise invisible page with the very same
layout, and each copy's first page draws its overlay page over the shared one as a form
XObject. Contents, fonts and images of the shared pages are written once and referenced by
every copy, so the file stays small too.

The result is not a tagged PDF: one structure tree cannot describe content shared by many
pages. It is a print file for the letterboxes; the single copy stays tagged.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    StreamObject,
)

_OVERLAY = NameObject("/CoopereOverlay")
#: Catalog entries kept from the shared document (not /StructTreeRoot, /MarkInfo or the XMP
#: /Metadata that claims PDF/UA: the stamped file is not tagged).
_CATALOG_KEYS = ("/Lang", "/ViewerPreferences")


class NotStampable(Exception):
    """The shared pages hold what copies cannot share (annotations: links)."""


def _stream(writer: PdfWriter, data: bytes):
    stream = DecodedStreamObject()
    stream.set_data(data)
    return writer._add_object(stream)


def stamp_copies(shared_pdf: bytes, overlay_pdfs: Sequence[bytes]) -> bytes:
    """One copy per overlay page (the overlay documents' pages in order): the shared document's
    pages, its first page with the copy's overlay page drawn over it. Raises NotStampable if
    the shared pages hold annotations (links), which cannot be shared between copies."""
    shared = PdfReader(io.BytesIO(shared_pdf))
    if any("/Annots" in page for page in shared.pages):
        raise NotStampable("shared pages with annotations")
    writer = PdfWriter()
    writer.add_metadata(dict(shared.metadata or {}))
    root = shared.trailer["/Root"]
    for key in _CATALOG_KEYS:
        if key in root:
            writer.root_object[NameObject(key)] = root.raw_get(key).clone(writer)
    save = _stream(writer, b"q\n")  # the shared content may leave its graphics state changed
    draw = _stream(writer, b"\nQ\nq " + _OVERLAY.encode() + b" Do Q\n")
    first, *others = shared.pages
    for page in (page for pdf in overlay_pdfs for page in PdfReader(io.BytesIO(pdf)).pages):
        form = _form(writer, page)
        stamped = writer.add_page(first)
        resources = DictionaryObject(stamped["/Resources"].get_object())
        xobjects = DictionaryObject(resources.get("/XObject", DictionaryObject()).get_object())
        xobjects[_OVERLAY] = form
        resources[NameObject("/XObject")] = xobjects
        stamped[NameObject("/Resources")] = resources
        contents = stamped.raw_get("/Contents")
        if isinstance(contents.get_object(), ArrayObject):
            contents = list(contents.get_object())
        else:
            contents = [contents]
        stamped[NameObject("/Contents")] = ArrayObject([save, *contents, draw])
        for other in others:
            writer.add_page(other)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _form(writer: PdfWriter, page) -> object:
    """An overlay page as a form XObject in the writer: its content, resources and box."""
    contents = page["/Contents"].get_object()
    if isinstance(contents, StreamObject):
        form = contents.clone(writer)  # keeps the compressed data as it is
    else:
        form = DecodedStreamObject()
        form.set_data(b"\n".join(part.get_object().get_data() for part in contents))
    form[NameObject("/Type")] = NameObject("/XObject")
    form[NameObject("/Subtype")] = NameObject("/Form")
    form[NameObject("/BBox")] = page.mediabox.clone(writer)
    form[NameObject("/Resources")] = page.raw_get("/Resources").clone(writer)
    return form.indirect_reference or writer._add_object(form)
