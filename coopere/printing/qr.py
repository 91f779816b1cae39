"""QR codes for printouts: tiny grayscale PNGs, one pixel per module, scaled crisp by the PDF."""

from __future__ import annotations

import io
import re
from functools import lru_cache

import qrcode
from PIL import Image
from qrcode import util
from qrcode.constants import ERROR_CORRECT_M

#: Quiet zone in modules; the QR specification asks for at least 4.
QUIET_ZONE = 4

_RUN = re.compile(r"0{5,}|1{5,}")
_FINDER_LIKE = re.compile(r"(?=10111010000|00001011101)")


@lru_cache(maxsize=64)
def qr_png(data: str) -> bytes:
    """PNG of a QR code (error correction M, 4-module quiet zone), one pixel per module.

    One pixel per module keeps the PNG a few hundred bytes; the templates scale it with
    ``image-rendering: pixelated`` so the PDF draws sharp squares at any size.
    Cached because posters and generic letters repeat the same URL.
    """
    if not data:
        raise ValueError("Un QR code ne peut pas être vide.")
    code = _QRCode(error_correction=ERROR_CORRECT_M, box_size=1, border=QUIET_ZONE)
    code.add_data(data)
    code.make(fit=True)
    matrix = code.get_matrix()  # includes the quiet zone
    size = len(matrix)
    pixels = bytes(0 if dark else 255 for row in matrix for dark in row)
    buffer = io.BytesIO()
    Image.frombytes("L", (size, size), pixels).save(buffer, format="PNG")
    return buffer.getvalue()


class _QRCode(qrcode.QRCode):
    """qrcode's encoder, choosing the same mask pattern about three times faster.

    qrcode lays the data out once per mask (8 times) and scores each layout with Python
    loops: about 7 ms a code, over 3 s of CPU for a 500-letter run. Here the data is laid
    out once; each mask is applied by XOR on rows held as integers, and scored by the same
    ISO/IEC 18004 penalty rules (``mask_penalty`` equals ``qrcode.util.lost_point``). The
    symbol itself is still drawn by qrcode.
    """

    def best_mask_pattern(self) -> int:
        self.makeImpl(True, 0)  # test layout: format bits light, data under mask 0
        size = self.modules_count
        data = _data_modules(self)
        masks = _mask_rows(size)
        unmasked = [
            _row_bits(row) ^ (mask & cells)
            for row, mask, cells in zip(self.modules, masks[0], data)
        ]
        scores = [
            mask_penalty(
                [
                    format(row ^ (mask & cells), f"0{size}b")
                    for row, mask, cells in zip(unmasked, masks[pattern], data)
                ]
            )
            for pattern in range(8)
        ]
        return scores.index(min(scores))


def mask_penalty(rows: list[str]) -> int:
    """Penalty of a masked symbol given as rows of "0"/"1" (ISO/IEC 18004, 7.8.3)."""
    size = len(rows)
    lines = rows + ["".join(column) for column in zip(*rows)]
    # N1: runs of 5 or more modules of one colour in rows and columns: 3 + (length - 5).
    runs = sum(len(run) - 2 for line in lines for run in _RUN.findall(line))
    # N2: 2 × 2 blocks of one colour, 3 points each (bit c: module c equals module c + 1).
    values = [int(row, 2) for row in rows]
    inside = (1 << (size - 1)) - 1
    blocks = 0
    for upper, lower in zip(values, values[1:]):
        same = ~(upper ^ lower)
        blocks += bin(same & (same >> 1) & ~(upper ^ (upper >> 1)) & inside).count("1")
    # N3: finder-like 1:1:3:1:1 patterns with 4 light modules on one side, 40 points each.
    finders = sum(len(_FINDER_LIKE.findall(line)) for line in lines)
    # N4: 10 points per 5 % that the share of dark modules strays from 50 %.
    dark = sum(row.count("1") for row in rows)
    balance = abs(20 * dark - 10 * size * size) // (size * size)
    return runs + 3 * blocks + 40 * finders + 10 * balance


def _row_bits(row: list[bool | None]) -> int:
    return int("".join("1" if module else "0" for module in row), 2)


_DATA_MODULES: dict[int, list[int]] = {}


def _data_modules(code: qrcode.QRCode) -> list[int]:
    """Per row, the bits of the modules that hold data (the ones masks apply to).

    Found once per version by laying out all-dark then all-light data: exactly the data
    modules change. One byte more than the data covers the remainder bits too.
    """
    if code.version not in _DATA_MODULES:
        probe = qrcode.QRCode(version=code.version, error_correction=code.error_correction)
        layouts = []
        for byte in (0xFF, 0x00):
            probe.data_cache = [byte] * (len(code.data_cache) + 1)
            probe.makeImpl(True, 0)
            layouts.append([_row_bits(row) for row in probe.modules])
        _DATA_MODULES[code.version] = [dark ^ light for dark, light in zip(*layouts)]
    return _DATA_MODULES[code.version]


@lru_cache(maxsize=8)
def _mask_rows(size: int) -> list[list[int]]:
    """Per mask pattern, per row, the bits of the modules the mask inverts."""
    return [
        [
            int(
                "".join(
                    "1" if util.mask_func(pattern)(row, column) else "0" for column in range(size)
                ),
                2,
            )
            for row in range(size)
        ]
        for pattern in range(8)
    ]
