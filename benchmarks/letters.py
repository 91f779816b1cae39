"""Benchmark: 500 personalised letters with QR codes against WeasyPrint's plain-text baseline.

Run from the repository root: ``.venv/bin/python benchmarks/letters.py``. Prints human lines,
then one JSON object as the last line.

- baseline: the same letter template and stylesheets, without QR codes (no image at all),
  500 letters in ONE document rendered in ONE process;
- run: the real thing, ``render_letters()`` with one QR code per letter (worker processes,
  merged with pypdf);
- each is measured in its own fresh subprocess, after the same warm-up (one 1-letter
  render), so that peak memory is that of its own processes only;
- poster_warm_ms: one A4 poster once the process is warm (median of 5);
- ``--repeat N`` alternates baseline and run N times and keeps each one's fastest time
  (the least disturbed by other work on the machine); memory is the worst seen.
Target: run_s ≤ 0.8 × plain_text_s, every process ≤ 250 MiB, poster ≤ 300 ms.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from coopere.printing import (  # noqa: E402  (needs the sys.path line above)
    Event,
    LetterRun,
    Perimeter,
    Recipient,
    event_placeholders,
    fill_letter_template,
    postal_address_lines,
    render_letters,
    render_poster,
)

TARGET_RATIO = 0.8
MAX_RSS_MIB = 250
MAX_POSTER_MS = 300

STREETS = [
    "rue des Lilas",
    "allée des Érables",
    "boulevard des Poilus",
    "impasse de l’Église",
    "rue du Général Buat",
    "rue de la Bottière",
    "avenue de la Gare de Saint-Joseph",
    "rue Eugène Thomas",
    "place de la Bottière",
    "chemin de la Noë Cottée",
    "rue des Marsauderies",
    "rue du Pin Sec",
    "square Maurice Ravel",
    "rue Jules Verne",
    "allée des Tilleuls",
    "rue Saint-Donatien",
    "boulevard Jules Verne",
    "rue de la Pelleterie",
    "cours des Cinquante Otages",
    "route de Sainte-Luce",
    "rue Sophie Trébuchet",
    "impasse des Œillets",
    "rue Pierre et Marie Curie",
    "quai de Versailles",
]
RESIDENCES = [
    "Résidence Les Marronniers",
    "Résidence du Parc",
    "Les Jardins de la Noë",
    "Résidence Ile-de-France",
]
REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

LETTER = """Madame, Monsieur,

Des habitantes et habitants de notre quartier lancent {perimetre}, un réseau d’entraide entre \
voisins. L’idée est simple : se rendre de petits services, prêter des objets, partager un \
savoir-faire, ou simplement se connaître et se dire bonjour.

Nous vous invitons à un {evenement} le {date} à {heure}, {lieu}. En cas de pluie, nous serons \
{lieu_pluie}. Nous vous y présenterons le réseau et ses quatre principes, autour d’un verre.

Vous n’avez pas internet ? Ce n’est pas un problème : l’inscription se fait en personne, et un \
voisin peut vous accompagner.

Au plaisir de vous rencontrer,"""


def make_event() -> Event:
    perimeter = Perimeter(
        name="Bottière – Pin Sec",
        city="Nantes",
        signature="Le Groupe d’Animation de la Bottière",
        contact="06 12 34 56 78\nbonjour@bottiere-entraide.fr",
    )
    return Event(
        perimeter=perimeter,
        kind="apéro-info",
        date_text="samedi 12 mars 2026",
        time_text="18 h 30",
        place="Place de la Bottière, devant la boulangerie",
        rain_place="Salle polyvalente du Pin Sec, 2 rue Eugène Thomas",
        description="Venez découvrir le réseau d’entraide entre voisins : services, prêts "
        "d’objets, cafés-rencontres.",
        public_url="https://bottiere.coopere.example/p/apero-info",
    )


def make_recipients(count: int, seed: int = 2026) -> list[Recipient]:
    """Realistic dwellings of a Nantes neighbourhood: houses and flats in residences."""
    rng = random.Random(seed)
    recipients = []
    while len(recipients) < count:
        street = rng.choice(STREETS)
        number = rng.randint(1, 180)
        rep = rng.choice(["", "", "", "", "", "", "bis", "ter", "b"])
        if rng.random() < 0.3:  # a block of flats: several dwellings at one street number
            residence = rng.choice(RESIDENCES)
            building = rng.choice("ABCD")
            for flat in range(rng.randint(4, 12)):
                complement = (
                    f"{residence}, Bât. {building}, esc. {flat % 3 + 1}, apt {building}{flat + 101}"
                )
                recipients.append(_recipient(rng, number, rep, street, complement))
        else:
            recipients.append(_recipient(rng, number, rep, street, ""))
    return recipients[:count]


def _recipient(
    rng: random.Random, number: int, rep: str, street: str, complement: str
) -> Recipient:
    reference = "".join(rng.choice(REFERENCE_ALPHABET) for _ in range(8))
    lines = postal_address_lines(number, rep, street, complement, "44300", "Nantes")
    return Recipient(lines, reference=reference, street=street)


def make_run(count: int) -> LetterRun:
    event = make_event()
    body = fill_letter_template(LETTER, event_placeholders(event))
    return LetterRun(
        event=event,
        body=body,
        recipients=make_recipients(count),
        qr_base_url="https://bottiere.coopere.example/lettre",
    )


def peak_rss_mib(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # kilobytes on Linux


def measure(mode: str, count: int, workers: int | None) -> dict:
    """Runs in a fresh subprocess: one warm-up render, then the measured one."""
    run = make_run(count)
    if mode == "baseline":
        run = dataclasses.replace(run, qr_base_url="")  # no QR code, no image at all
    render_letters(dataclasses.replace(run, recipients=run.recipients[:1]), workers=1)
    started = time.perf_counter()
    cpu_started = os.times()
    progress: list[tuple[int, int]] = []
    pdf = render_letters(
        run,
        workers=1 if mode == "baseline" else workers,
        progress=lambda done, total: progress.append((done, total)),
    )
    elapsed = time.perf_counter() - started
    cpu = os.times()
    result = {
        "seconds": elapsed,
        "cpu_seconds": (
            cpu.user
            - cpu_started.user
            + cpu.system
            - cpu_started.system
            + cpu.children_user
            - cpu_started.children_user
            + cpu.children_system
            - cpu_started.children_system
        ),
        "pages": _page_count(pdf),
        "pdf_bytes": len(pdf),
        "progress_calls": len(progress),
    }
    if mode == "run":
        posters = []
        render_poster(run.event)  # warm-up
        for _ in range(5):
            started = time.perf_counter()
            render_poster(run.event)
            posters.append((time.perf_counter() - started) * 1000)
        result["poster_warm_ms"] = statistics.median(posters)
        result["poster_warm_max_ms"] = max(posters)
    result["rss_parent_mib"] = peak_rss_mib(resource.RUSAGE_SELF)
    result["rss_workers_mib"] = peak_rss_mib(resource.RUSAGE_CHILDREN)
    return result


def _page_count(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def in_subprocess(mode: str, count: int, workers: int | None) -> dict:
    command = [sys.executable, __file__, "--measure", mode, "--letters", str(count)]
    if workers:
        command += ["--workers", str(workers)]
    output = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(output.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, default=500)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--measure", choices=["baseline", "run"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.letters, args.workers)))
        return

    load_before = os.getloadavg()[0]
    print(f"{args.letters} letters, {os.cpu_count()} CPU, load average {load_before:.2f}")
    baselines, runs = [], []
    for _ in range(max(1, args.repeat)):
        baselines.append(in_subprocess("baseline", args.letters, None))
        print(
            f"baseline (no QR code, one document, one process): "
            f"{baselines[-1]['seconds']:.2f} s, {baselines[-1]['pages']} pages, "
            f"peak {baselines[-1]['rss_parent_mib']:.0f} MiB"
        )
        runs.append(in_subprocess("run", args.letters, args.workers))
        print(
            f"run (QR codes, worker processes, merged): {runs[-1]['seconds']:.2f} s "
            f"(CPU {runs[-1]['cpu_seconds']:.1f} s), {runs[-1]['pages']} pages, "
            f"{runs[-1]['pdf_bytes'] / 1e6:.1f} MB, peak parent "
            f"{runs[-1]['rss_parent_mib']:.0f} MiB, peak worker "
            f"{runs[-1]['rss_workers_mib']:.0f} MiB"
        )
    baseline = min(baselines, key=lambda result: result["seconds"])
    run = dict(min(runs, key=lambda result: result["seconds"]))
    for key in ("rss_parent_mib", "rss_workers_mib", "poster_warm_ms", "poster_warm_max_ms"):
        run[key] = max(result[key] for result in runs)
    baseline["rss_parent_mib"] = max(result["rss_parent_mib"] for result in baselines)
    ratio = run["seconds"] / baseline["seconds"]
    peak = max(run["rss_parent_mib"], run["rss_workers_mib"])
    print(
        f"ratio {ratio:.2f} (target ≤ {TARGET_RATIO}); poster warm "
        f"{run['poster_warm_ms']:.0f} ms (target ≤ {MAX_POSTER_MS})"
    )
    ok = (
        ratio <= TARGET_RATIO
        and peak <= MAX_RSS_MIB
        and run["poster_warm_ms"] <= MAX_POSTER_MS
        and run["pages"] == args.letters
    )
    print("OK" if ok else "TARGET MISSED")
    print(
        json.dumps(
            {
                "letters": args.letters,
                "plain_text_s": round(baseline["seconds"], 3),
                "run_s": round(run["seconds"], 3),
                "ratio": round(ratio, 3),
                "target_ratio": TARGET_RATIO,
                "peak_rss_mib": round(peak, 1),
                "max_rss_mib": MAX_RSS_MIB,
                "rss_run_parent_mib": round(run["rss_parent_mib"], 1),
                "rss_run_workers_mib": round(run["rss_workers_mib"], 1),
                "rss_baseline_mib": round(baseline["rss_parent_mib"], 1),
                "poster_warm_ms": round(run["poster_warm_ms"], 1),
                "poster_warm_max_ms": round(run["poster_warm_max_ms"], 1),
                "run_cpu_s": round(run["cpu_seconds"], 2),
                "plain_text_cpu_s": round(baseline["cpu_seconds"], 2),
                "pages": run["pages"],
                "pdf_mb": round(run["pdf_bytes"] / 1e6, 2),
                "progress_calls": run["progress_calls"],
                "cpus": os.cpu_count(),
                "load_average": round(load_before, 2),
                "load_average_after": round(os.getloadavg()[0], 2),
                "repeat": max(1, args.repeat),
                "ok": ok,
            }
        )
    )


if __name__ == "__main__":
    main()
