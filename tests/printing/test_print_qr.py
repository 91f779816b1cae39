"""QR codes: error correction M, a 4-module quiet zone, and qrcode's own choice of mask."""

from __future__ import annotations

import io
import random

import pytest
import qrcode
from PIL import Image
from qrcode.constants import ERROR_CORRECT_M

from coopere.printing import qr_png
from coopere.printing.qr import _QRCode, mask_penalty

# No database here: the PostgreSQL leg skips this module (Makefile, -m "not no_database").
pytestmark = pytest.mark.no_database


def payloads(count: int) -> list[str]:
    rng = random.Random(2026)
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGH0123456789-_"
    return [
        "https://x.example/?r=" + "".join(rng.choice(alphabet) for _ in range(length))
        for length in (rng.choice([2, 20, 45, 70, 100, 150, 220]) for _ in range(count))
    ]


def test_same_mask_as_qrcode_would_choose() -> None:
    versions = set()
    for data in payloads(60):
        reference = qrcode.QRCode(error_correction=ERROR_CORRECT_M)
        fast = _QRCode(error_correction=ERROR_CORRECT_M)
        for code in (reference, fast):
            code.add_data(data)
            code.best_fit()
        versions.add(reference.version)
        assert fast.best_mask_pattern() == reference.best_mask_pattern(), data
    assert len(versions) >= 5 and max(versions) >= 7  # 7 and up carry version information


def test_penalty_equals_qrcode_lost_point() -> None:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M)
    code.add_data(payloads(1)[0])
    code.best_fit()
    for pattern in range(8):
        code.makeImpl(True, pattern)
        rows = ["".join("1" if module else "0" for module in row) for row in code.modules]
        assert mask_penalty(rows) == qrcode.util.lost_point(code.modules)


def test_png_has_a_quiet_zone_of_four_modules_and_level_m() -> None:
    data = "https://bottiere.example.org/lettre?ref=D0001"
    image = Image.open(io.BytesIO(qr_png(data)))
    reference = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
    reference.add_data(data)
    reference.make()
    modules = len(reference.get_matrix())
    assert image.size == (modules + 8, modules + 8)  # one pixel per module
    pixels = image.load()
    for i in range(image.width):  # the border 4 modules deep is light all around
        for depth in range(4):
            for x, y in (
                (i, depth),
                (depth, i),
                (i, image.height - 1 - depth),
                (image.width - 1 - depth, i),
            ):
                assert pixels[x, y] == 255
    assert pixels[4, 4] == 0  # the finder pattern starts right after the quiet zone


def test_empty_data_is_refused() -> None:
    with pytest.raises(ValueError):
        qr_png("")
