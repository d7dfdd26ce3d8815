"""Door tickets as QR codes that survive sunlight on phone screens and paper prints."""
from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from qrcode.constants import ERROR_CORRECT_Q


def _code(data: str, box_size: int) -> qrcode.QRCode:
    # Level Q (25 % recovery) and the standard four-module quiet zone.
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_Q, box_size=box_size, border=4)
    code.add_data(data)
    code.make(fit=True)
    return code


def qr_png(data: str, box_size: int = 10) -> bytes:
    buffer = io.BytesIO()
    _code(data, box_size).make_image().save(buffer, format="PNG")
    return buffer.getvalue()


def qr_svg(data: str) -> str:
    image = _code(data, 10).make_image(image_factory=qrcode.image.svg.SvgPathImage)
    return image.to_string(encoding="unicode")
