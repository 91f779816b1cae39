"""Benchmark: the sheets (« fiches ») the package brings, and the time to print them all.

Run from the repository root: ``.venv/bin/python benchmarks/sheets.py``. Prints human lines,
then one JSON object as the last line: how many sheets of each family (at least 8 éco-gestes
and 6 « Lancer un projet »), the time to render every sheet's large-print PDF once the process
is warm (fonts and stylesheets loaded by one first render), and the smallest text size found in
those PDFs (at least 16 pt).
"""

from __future__ import annotations

import io
import json
import math
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pypdf import PdfReader  # noqa: E402

from coopere.printing.models import Perimeter  # noqa: E402  (needs the sys.path line above)
from coopere.printing.sheets import SheetPrint, render_sheet  # noqa: E402
from coopere.sheets.library import seed_rows  # noqa: E402

PERIMETER = Perimeter(
    name="Coop-ère de la rue des Lilas",
    city="Nantes",
    signature="Le groupe d'animation des Lilas",
    contact="lilas@example.org",
)
FAMILIES = {"eco": "Éco-gestes", "project": "Lancer un projet"}
MINIMUM = {"eco": 8, "project": 6}
MIN_POINTS = 16


def sheet_print(row: dict) -> SheetPrint:
    words = row["content"]["fr"]
    return SheetPrint(
        perimeter=PERIMETER,
        family=FAMILIES[row["family"]],
        title=words["title"],
        summary=words["summary"],
        intro=words.get("intro", ""),
        steps=tuple(words.get("steps", ())),
        tip=words.get("tip", ""),
        needs=tuple(words.get("needs", ())),
        people=words.get("people", ""),
        duration=words.get("duration", ""),
        pitfalls=tuple(words.get("pitfalls", ())),
        helpers=tuple(words.get("helpers", ())),
        public_url=f"https://lilas.example.org/fiches/{row['slug']}",
    )


def smallest_text(pdf: bytes) -> float:
    sizes = []
    for page in PdfReader(io.BytesIO(pdf)).pages:

        def visit(text, cm, tm, _font, size):
            if text.strip():
                sizes.append(size * math.hypot(tm[2], tm[3]) * math.hypot(cm[2], cm[3]))

        page.extract_text(visitor_text=visit)
    return min(sizes)


def main() -> None:
    rows = seed_rows()
    counts = {family: sum(1 for row in rows if row["family"] == family) for family in FAMILIES}
    render_sheet(sheet_print(rows[0]))  # warm-up: fonts and stylesheets
    started = time.perf_counter()
    pdfs = [render_sheet(sheet_print(row)) for row in rows]
    elapsed = time.perf_counter() - started
    pages = sum(len(PdfReader(io.BytesIO(pdf)).pages) for pdf in pdfs)
    smallest = round(min(smallest_text(pdf) for pdf in pdfs), 2)
    print(f"{counts['eco']} éco-gestes, {counts['project']} « Lancer un projet »")
    print(f"{len(pdfs)} PDFs, {pages} pages, in {elapsed:.2f} s; smallest text {smallest} pt")
    ok = all(counts[f] >= MINIMUM[f] for f in FAMILIES) and smallest >= MIN_POINTS - 0.01
    print(
        json.dumps(
            {
                "benchmark": "sheets",
                "sheets": counts,
                "sheets_minimum": MINIMUM,
                "pdfs": len(pdfs),
                "pages": pages,
                "render_all_s": round(elapsed, 2),
                "render_per_sheet_ms": round(1000 * elapsed / len(pdfs)),
                "smallest_text_pt": smallest,
                "ok": ok,
            },
            ensure_ascii=False,
        )
    )
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
