"""Join PDFs rendered in separate processes into one, keeping page order and the tag tree."""

from __future__ import annotations

import io

from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NullObject, NumberObject

# Catalog entries a tagged PDF needs, copied from the first part (identical in every part).
_CATALOG_KEYS = ("/Lang", "/MarkInfo", "/ViewerPreferences", "/Metadata")


class PdfMerger:
    """Appends PDF parts in order; tagged parts keep a single merged structure tree.

    pypdf copies pages but drops each part's /StructTreeRoot (and each page's
    /StructParents), which would leave a tagged PDF untagged. So this class re-creates
    one /Document structure element holding every part's children, and renumbers the
    /ParentTree entries that map page content back to structure elements.
    """

    def __init__(self) -> None:
        self._writer = PdfWriter()
        self._document: DictionaryObject | None = None  # merged /Document StructElem
        self._parent_tree: ArrayObject | None = None  # merged /ParentTree /Nums
        self._next_key = 0  # next free /ParentTree key
        self._parts = 0

    def append(self, pdf: bytes) -> None:
        """Append all pages of one PDF part."""
        reader = PdfReader(io.BytesIO(pdf))
        root = reader.trailer["/Root"]
        if self._parts == 0:
            self._start(reader, root)
        tree = root.get("/StructTreeRoot")
        added = [self._writer.add_page(page) for page in reader.pages]
        if tree is not None and self._document is not None:
            self._append_structure(tree.get_object(), reader, added)
        self._parts += 1
        # The writer now holds copies of everything it needs from this part; forget the
        # part's reader so its parsed objects are freed (halves the merge's peak memory).
        self._writer._id_translated.pop(id(reader), None)
        self._writer._merged_in_pages.clear()

    def _start(self, reader: PdfReader, root: DictionaryObject) -> None:
        writer = self._writer
        info = reader.metadata or {}
        writer.add_metadata({key: value for key, value in info.items()})
        for key in _CATALOG_KEYS:
            if key in root:
                writer.root_object[NameObject(key)] = root.raw_get(key).clone(writer)
        if "/StructTreeRoot" in root:
            self._parent_tree = ArrayObject()
            parent_tree = DictionaryObject({NameObject("/Nums"): self._parent_tree})
            tree = DictionaryObject(
                {
                    NameObject("/Type"): NameObject("/StructTreeRoot"),
                    NameObject("/ParentTree"): writer._add_object(parent_tree),
                }
            )
            tree_reference = writer._add_object(tree)
            self._document = DictionaryObject(
                {
                    NameObject("/Type"): NameObject("/StructElem"),
                    NameObject("/S"): NameObject("/Document"),
                    NameObject("/P"): tree_reference,
                    NameObject("/K"): ArrayObject(),
                }
            )
            tree[NameObject("/K")] = ArrayObject([writer._add_object(self._document)])
            writer.root_object[NameObject("/StructTreeRoot")] = tree_reference

    def _append_structure(self, tree: DictionaryObject, reader: PdfReader, added: list) -> None:
        writer = self._writer
        if (
            self._document is None or self._parent_tree is None
        ):  # an explicit check survives python -O
            raise RuntimeError("structure merge used before its document was started")
        # Renumber this part's /ParentTree keys after those already merged.
        nums = tree["/ParentTree"].get_object()["/Nums"]
        keys = [int(key) for key in nums[0::2]]
        renumber = {key: self._next_key + n for n, key in enumerate(keys)}
        self._next_key += len(renumber)
        for source, page in zip(reader.pages, added):
            if "/StructParents" in source:
                page[NameObject("/StructParents")] = NumberObject(
                    renumber[int(source["/StructParents"])]
                )
            for annotation in page.get("/Annots", ()):
                annotation = annotation.get_object()
                if "/StructParent" in annotation:
                    annotation[NameObject("/StructParent")] = NumberObject(
                        renumber[int(annotation["/StructParent"])]
                    )
        # Each part has one /Document element; its children become the merged one's.
        for part_document in tree["/K"]:
            part_document = part_document.get_object()
            for kid in part_document["/K"]:
                element = kid.get_object()
                # Cut the link to the part's own /Document so cloning stops there; the
                # clone's /P is then set to the merged /Document.
                element[NameObject("/P")] = NullObject()
                clone = kid.clone(writer)
                clone.get_object()[NameObject("/P")] = self._document.indirect_reference
                self._document["/K"].append(clone)
        # Page elements were cloned above, so these references resolve to the copies.
        for i in range(0, len(nums), 2):
            self._parent_tree.append(NumberObject(renumber[int(nums[i])]))
            self._parent_tree.append(nums[i + 1].clone(writer))

    def write(self) -> bytes:
        """The merged PDF."""
        buffer = io.BytesIO()
        self._writer.write(buffer)
        return buffer.getvalue()


def merge_pdfs(parts: list[bytes]) -> bytes:
    """One PDF made of the parts' pages, in order (metadata from the first part)."""
    merger = PdfMerger()
    for part in parts:
        merger.append(part)
    return merger.write()
