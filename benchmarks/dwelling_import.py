"""Dwelling import benchmark: 10,000 addresses, parsed, validated and inserted all at once.

Measures, on a throw-away SQLite instance: parsing + validation alone, the full import (check
against the register, insert, commit) of 10,000 new rows, and re-importing the same file (every
row already present). Target from the issue: 10,000 rows in under 5 seconds.
Last line: one JSON object.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from coopere import create_app  # noqa: E402
from coopere.dwellings.csv_import import parse_dwellings_csv  # noqa: E402
from coopere.dwellings.services import import_file  # noqa: E402
from coopere.extensions import db  # noqa: E402

ROWS = 10_000
STREETS = [
    "Rue des Lilas",
    "Allée des Roses",
    "Boulevard des Tilleuls",
    "Impasse du Lavoir",
    "Avenue de la Gare",
    "Chemin des Vignes",
    "Place de l'Église",
    "Rue Jean Jaurès",
    "Rue Victor Hugo",
    "Square des Peupliers",
]


def sample() -> bytes:
    lines = ["numero;rep;voie;complement;code_postal;commune"]
    for n in range(ROWS):
        street = STREETS[n % len(STREETS)]
        number = n // len(STREETS) + 1
        complement = f"Bât. {'ABC'[n % 3]}, apt {n % 40}" if n % 4 == 0 else ""
        lines.append(f"{number};;{street};{complement};44300;Nantes")
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def main() -> None:
    data = sample()
    start = time.perf_counter()
    result = parse_dwellings_csv(data)
    parse_s = time.perf_counter() - start
    assert result.ok and len(result.rows) == ROWS, result.errors[:3]
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SECRET_KEY": "bench"}, instance_path=tmp)
        with app.app_context():
            db.create_all()
            start = time.perf_counter()
            imported = import_file(data)
            db.session.commit()
            import_s = time.perf_counter() - start
            assert imported.new_count == ROWS
            start = time.perf_counter()
            again = import_file(data)
            db.session.commit()
            reimport_s = time.perf_counter() - start
            assert again.new_count == 0 and again.present_count == ROWS
            db.engine.dispose()
    print(f"parse + validate {ROWS} rows: {parse_s:.2f} s")
    print(f"full import (check, insert, commit): {import_s:.2f} s (target < 5 s)")
    print(f"re-import, all already present: {reimport_s:.2f} s")
    print(
        json.dumps(
            {
                "benchmark": "dwelling_import",
                "rows": ROWS,
                "parse_s": round(parse_s, 3),
                "import_s": round(import_s, 3),
                "reimport_s": round(reimport_s, 3),
                "target_s": 5,
                "ok": import_s < 5,
            }
        )
    )


if __name__ == "__main__":
    main()
