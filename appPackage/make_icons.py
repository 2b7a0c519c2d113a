"""Draw the Teams app icons once (run from the repository root; the PNGs are committed).

Standard library only, so no image library becomes a dependency:
`python appPackage/make_icons.py` writes color.png (192×192, opaque) and outline.png
(32×32, white on transparent), the sizes Teams requires.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

ACCENT = (0x2B, 0x57, 0x9A)  # manifest.json's accentColor, #2B579A
WHITE = (255, 255, 255)
HERE = Path(__file__).resolve().parent


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(width: int, height: int, pixel) -> bytes:
    """An RGBA PNG whose pixel (x, y) -> (r, g, b, a) comes from `pixel`."""
    rows = b"".join(
        b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(width)) for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(rows, 9))
        + _chunk(b"IEND", b"")
    )


def door(x: float, y: float) -> bool:
    """A door ajar with an arrow leaving it, on a unit square (0..1)."""
    frame = 0.22 <= x <= 0.58 and 0.16 <= y <= 0.84
    inside = 0.30 <= x <= 0.50 and 0.24 <= y <= 0.84
    knob = (x - 0.45) ** 2 + (y - 0.52) ** 2 <= 0.03**2
    shaft = 0.56 <= x <= 0.78 and 0.47 <= y <= 0.57
    head = 0.72 <= x <= 0.86 and abs(y - 0.52) <= (0.86 - x) * 1.1
    return (frame and not inside) or knob or shaft or head


def main() -> None:
    def color(x: int, y: int) -> tuple[int, int, int, int]:
        return (*(WHITE if door(x / 192, y / 192) else ACCENT), 255)

    def outline(x: int, y: int) -> tuple[int, int, int, int]:
        return (*WHITE, 255) if door((x + 0.5) / 32, (y + 0.5) / 32) else (0, 0, 0, 0)

    (HERE / "color.png").write_bytes(png(192, 192, color))
    (HERE / "outline.png").write_bytes(png(32, 32, outline))


if __name__ == "__main__":
    main()
