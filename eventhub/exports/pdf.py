"""PDF rendering with WeasyPrint, allowed to read our own static files and nothing else.

WeasyPrint's default fetcher makes network requests and embeds local files named in
``<link rel="attachment">``. Ours answers only ``eventhub-static:`` URLs inside
static/ (fonts, stylesheet) and ``data:`` URLs; everything else is refused without
a request, and refused URLs are counted so tests can prove it.

The PDFs are tagged (PDF/UA-1), and ``tag_tables`` mends two things WeasyPrint 70.0's tag tree gets
wrong for tables: a header cell has no Scope (WeasyPrint #2508), and a table that crosses a page break
becomes one Table element per page (#2902, #2903), so a screen reader announces a new table, with its
header row again, at every page. When WeasyPrint does both, drop it: the table tests in
tests/exports/test_pdfs.py must then pass without it.
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

import pydyf
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

STATIC_SCHEME = "eventhub-static:"
# Bump when the PDF templates change in a way that must not be served from an old cache.
LAYOUT_VERSION = "3"  # 2: the footer escaped once; 3: table headers, one Table across pages


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
    return document.write_pdf(font_config=font_config(), pdf_variant="pdf/ua-1", finisher=tag_tables)


# --- the tag tree of tables ---------------------------------------------------------------------
# WeasyPrint builds the structure tree page by page and keeps, on each table cell's box, the structure
# element it made for it (`box.mark`; it uses that itself to tie cells to their headers). From those
# this finisher finds the parts of each HTML table and of each of its row groups, joins every part
# into the first, takes a header row repeated on a later page out of the tree (its ink becomes an
# artifact, as a running head is) and gives each header cell the Scope of its HTML scope attribute.

_SCOPES = {"col": "/Column", "colgroup": "/Column", "row": "/Row", "rowgroup": "/Row"}


class _Tree:
    """The PDF's objects as WeasyPrint left them, before they are written: references are b"12 0 R"."""

    def __init__(self, pdf_file):
        self.pdf = pdf_file

    def get(self, reference):
        return self.pdf.objects[int(reference.split()[0])]

    def kids(self, element) -> list:
        return [self.get(kid) for kid in element["K"] if isinstance(kid, bytes)]

    def walk(self, element):
        yield element
        for kid in self.kids(element):
            yield from self.walk(kid)

    def move_kids(self, source, target) -> None:
        for kid in self.kids(source):
            kid["P"] = target.reference
            target["K"].append(kid.reference)
        source["K"] = pydyf.Array()
        self.remove(source)

    def remove(self, element) -> None:
        parent = self.get(element["P"])
        parent["K"] = pydyf.Array(kid for kid in parent["K"] if kid != element.reference)

    def make_artifact(self, element, page_number: int) -> None:
        """The element's marked content drawn as an artifact, and the element out of the tree."""
        page = self.get(self.pdf.page_references[page_number])
        tags = getattr(self.get(page["Contents"]), "_tags", None)
        streams = [obj for obj in self.pdf.objects if isinstance(obj, pydyf.Stream)
                   and getattr(obj, "_tags", None) is tags]
        parent_tree = self.get(self.get(self.pdf.catalog["StructTreeRoot"])["ParentTree"])["Nums"]
        by_mcid = parent_tree[2 * page_number + 1]
        for part in self.walk(element):
            for mcid in (kid for kid in part["K"] if isinstance(kid, int)):
                for stream in streams:
                    ops = stream.stream
                    at = next((i for i, op in enumerate(ops) if isinstance(op, pydyf.Dictionary)
                               and op.get("MCID") == mcid and i + 1 < len(ops) and ops[i + 1] == b"BDC"), None)
                    if at is not None:
                        ops[at - 1:at + 2] = ["/Artifact", b"BMC"]
                        break
                by_mcid[mcid] = b"null"
        self.remove(element)


def _cells(box, table=None, group=None):
    """Each table cell box under ``box``: (the HTML table's box, the row group's box, the cell's box)."""
    for child in getattr(box, "children", ()):
        if child.element_tag == "table":
            yield from _cells(child, child, None)
        elif child.element_tag in ("thead", "tbody", "tfoot") and table is not None:
            yield from _cells(child, table, child)
        elif child.element_tag in ("th", "td") and getattr(child, "mark", None) is not None:
            yield table, group, child
        else:
            yield from _cells(child, table, group)


def tag_tables(document, pdf_file) -> None:
    tree = _Tree(pdf_file)
    tables: dict[int, list] = {}  # id of an HTML <table> → its Table elements, in page order
    groups: dict[int, list] = {}  # id of an HTML row group → its elements (page, repeated, element)
    first_header: dict[int, pydyf.String] = {}  # id of an HTML <th> → the ID of its first TH element
    renamed: dict[str, pydyf.String] = {}  # the ID of a repeated TH → that first one's
    for page_number, page in enumerate(document.pages):
        for table, group, cell in _cells(page._page_box):
            row = tree.get(cell.mark["P"])
            part = tree.get(row["P"])
            table_part = part if part["S"] == "/Table" else tree.get(part["P"])
            if not any(known is table_part for known in tables.setdefault(id(table.element), [])):
                tables[id(table.element)].append(table_part)
            if group is not None and part is not table_part:
                parts = groups.setdefault(id(group.element), [])
                if not any(known is part for _page, _repeated, known in parts):
                    parts.append((page_number, group.is_header or group.is_footer, part))
            if cell.element_tag == "th":
                cell.mark["A"]["Scope"] = _SCOPES.get(cell.element.attrib.get("scope", "col"), "/Column")
                first = first_header.setdefault(id(cell.element), cell.mark["ID"])
                if first.string != cell.mark["ID"].string:
                    renamed[cell.mark["ID"].string] = first
    for parts in groups.values():
        _page, _repeated, first = parts[0]
        for page_number, repeated, later in parts[1:]:
            if repeated:
                tree.make_artifact(later, page_number)
            else:
                tree.move_kids(later, first)
    for first, *later_parts in tables.values():
        for later in later_parts:
            tree.move_kids(later, first)
        for element in tree.walk(first):
            if element["S"] == "/TD" and renamed:
                element["A"]["Headers"] = pydyf.Array(renamed.get(h.string, h) for h in element["A"]["Headers"])


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
