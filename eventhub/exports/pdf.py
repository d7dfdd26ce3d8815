"""PDF rendering with WeasyPrint, allowed to read our own static files and nothing else.

WeasyPrint's default fetcher makes network requests and embeds local files named in
``<link rel="attachment">``. Ours answers only ``eventhub-static:`` URLs inside
static/ (fonts, stylesheet) and ``data:`` URLs; everything else is refused without
a request, and refused URLs are counted so tests can prove it.
"""
from __future__ import annotations

import base64
import hashlib
import mimetypes
import os
import tempfile
import threading
from pathlib import Path
from urllib.parse import unquote_to_bytes

from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

STATIC_SCHEME = "eventhub-static:"
# Bump when the PDF templates change in a way that must not be served from an old cache.
LAYOUT_VERSION = "2"  # 2: the footer escaped once


class StaticOnlyFetcher(URLFetcher):
    def __init__(self, static_root: Path):
        super().__init__(timeout=1, allowed_protocols=())
        self.root = static_root.resolve()
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        if url.startswith(STATIC_SCHEME):
            path = (self.root / url[len(STATIC_SCHEME):].lstrip("/")).resolve()
            if path.is_file() and self.root in path.parents:
                mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": mime})
        elif url.startswith("data:"):
            meta, _, payload = url[5:].partition(",")
            body = base64.b64decode(payload) if meta.endswith(";base64") else unquote_to_bytes(payload)
            return URLFetcherResponse(url, body=body, headers={"Content-Type": meta.split(";")[0] or "text/plain"})
        self.refused.append(url)
        raise ValueError(f"EventHub does not fetch {url[:80]!r} for PDFs")


_FONT_CONFIG: FontConfiguration | None = None
_FONT_LOCK = threading.Lock()


def font_config() -> FontConfiguration:
    """One FontConfiguration per process: fonts are parsed once and reused by every document."""
    global _FONT_CONFIG
    with _FONT_LOCK:
        if _FONT_CONFIG is None:
            _FONT_CONFIG = FontConfiguration()
        return _FONT_CONFIG


def render(html: str, static_root: Path, fetcher: StaticOnlyFetcher | None = None) -> bytes:
    """HTML to a tagged PDF (PDF/UA-1): title and language come from <title> and <html lang>."""
    fetcher = fetcher or StaticOnlyFetcher(static_root)
    document = HTML(string=html, base_url=None, url_fetcher=fetcher)
    return document.write_pdf(font_config=font_config(), pdf_variant="pdf/ua-1")


class DiskCache:
    """Rendered PDFs by content version, shared by every worker through instance/."""

    def __init__(self, folder: Path):
        self.folder = folder

    @staticmethod
    def key(*parts) -> str:
        return hashlib.sha256("\x1f".join(map(str, (LAYOUT_VERSION, *parts))).encode()).hexdigest()[:32]

    def get(self, key: str) -> bytes | None:
        try:
            return (self.folder / f"{key}.pdf").read_bytes()
        except FileNotFoundError:
            return None

    def put(self, key: str, body: bytes) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        # Write then rename: a reader never sees half a file.
        fd, temporary = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            handle.write(body)
        os.replace(temporary, self.folder / f"{key}.pdf")
