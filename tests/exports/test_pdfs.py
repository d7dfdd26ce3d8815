"""PDFs read back with real readers: poppler's pdftotext/pdfinfo, pypdf, and zxing for QR codes."""
from __future__ import annotations

import html
import http.server
import io
import re
import shutil
import subprocess
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select

from eventhub import keyring
from eventhub.accounts import services as accounts
from eventhub.exports import pdf
from eventhub.extensions import db
from eventhub.programme.models import ProgrammeItem
from eventhub.registration import tokens
from tests.conftest import require_or_skip
from tests.registration.support import MANAGE_LINK_PATTERN, event_by_slug, outbox, register

BORAS = "integration-i-arbetslivet"
PASSWORD = "a long enough password"
STATIC = Path(__file__).resolve().parents[2] / "static"


@pytest.fixture(autouse=True)
def _poppler():
    if not shutil.which("pdftotext"):
        require_or_skip("poppler-utils (pdftotext) is not installed")


def pdf_text(body: bytes) -> str:
    result = subprocess.run(["pdftotext", "-layout", "-", "-"], input=body, capture_output=True, check=True)
    return result.stdout.decode()


def pdf_info(body: bytes) -> str:
    return subprocess.run(["pdfinfo", "-"], input=body, capture_output=True, check=True).stdout.decode()


DPI = 200


def page_image(body: bytes, tmp_path: Path, page: int = 1) -> Image.Image:
    source = tmp_path / "doc.pdf"
    source.write_bytes(body)
    subprocess.run(["pdftoppm", "-png", "-r", str(DPI), "-f", str(page), "-l", str(page), "-singlefile",
                    str(source), str(tmp_path / "page")], check=True)
    return Image.open(tmp_path / "page.png")


def qr_codes(body: bytes, tmp_path: Path, page: int = 1) -> list[str]:
    """Rasterise one page as a phone camera would see paper, and decode every QR on it."""
    return [result.text for result in zxingcpp.read_barcodes(page_image(body, tmp_path, page))]


def badge_codes(body: bytes, tmp_path: Path) -> list[str]:
    """Decode badge by badge, as a host's phone sees one badge at a time (2 × 4 on A4, 94 × 66 mm)."""
    image, px = page_image(body, tmp_path), DPI / 25.4
    codes = []
    for row in range(4):
        for column in range(2):
            left, top = (10 + column * 94) * px, (12 + row * 66) * px
            cell = image.crop((int(left), int(top), int(left + 94 * px), int(top + 66 * px)))
            codes += [result.text for result in zxingcpp.read_barcodes(cell)]
    return codes


def login(client, app, role="organiser", slug=BORAS, staff_role="organiser"):
    with app.app_context():
        user, _ = accounts.create_user(f"{role}-{staff_role}@example.se", "Olle", role, datetime.now(UTC),
                                       password=PASSWORD)
        accounts.add_staff(event_by_slug(slug).id, user.id, staff_role, None)
        db.session.commit()
        email = user.email
    page = client.get("/account/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/account/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 303


def test_programme_pdf_lists_items_in_order_with_audience_labels(client, demo):
    response = client.get(f"/events/{BORAS}/programme.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    order = ["Registrering & digital check-in", "Välkommen", "En väg in i sysselsättning",
             "Arbetsmarknadsintegration, tack vare i stället för trots allt", "Hållbar arbetsmarknadsintegration",
             "PAUS", "Fikapaus", "Gruppsamtal med sakkunniga", "Avrundning av dagen"]
    positions = [text.find(title) for title in order]
    assert -1 not in positions and positions == sorted(positions), dict(zip(order, positions, strict=True))
    assert "PÅ PLATS" in text and "DIGITALT" in text and "ALLA" in text
    assert "Ziyad Tarek" in text and "Göteborgs universitet" in text  # speakers with organisation
    flat = re.sub(r"\s+", " ", text)
    assert "Samtalsgrupper på plats" in flat and "Pernilla Svebo" in flat  # groups with leaders
    assert re.search(r"Sida 1 / \d", text)
    assert "meet.example.org" not in text


def test_programme_pdf_has_title_language_and_tags(client, demo):
    body = client.get(f"/events/{BORAS}/programme.pdf").data
    info = pdf_info(body)
    assert "Title:           Integration i arbetslivet – Program" in info
    assert "Tagged:          yes" in info
    reader = PdfReader(io.BytesIO(body))
    assert reader.trailer["/Root"]["/Lang"] == "sv"


@pytest.mark.parametrize(("audience", "present", "absent"), [
    ("digital", "Arbetsmarknadsintegration, tack vare i stället för trots allt", "En väg in i sysselsättning"),
    ("on_site", "En väg in i sysselsättning", "Arbetsmarknadsintegration, tack vare i stället för trots allt"),
])
def test_programme_pdf_audience_variant(client, demo, audience, present, absent):
    text = pdf_text(client.get(f"/events/{BORAS}/programme.pdf?audience={audience}").data)
    assert present in text and absent not in text


def test_programme_pdf_is_cached_by_version_and_answers_304(client, demo, app):
    first = client.get(f"/events/{BORAS}/programme.pdf")
    etag = first.headers["ETag"]
    again = client.get(f"/events/{BORAS}/programme.pdf", headers={"If-None-Match": etag})
    assert again.status_code == 304 and not again.data
    with app.app_context():
        item = db.session.scalar(select(ProgrammeItem).where(ProgrammeItem.title == "Fikapaus"))
        item.title = "Fikapaus med bullar"
        db.session.commit()
    changed = client.get(f"/events/{BORAS}/programme.pdf", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert "Fikapaus med bullar" in pdf_text(changed.data)


def test_programme_pdf_unknown_or_draft_event_is_404(client, make_event):
    slug = make_event(status="draft")
    assert client.get(f"/events/{slug}/programme.pdf").status_code == 404
    assert client.get("/events/no-such-event/programme.pdf").status_code == 404


class _CountingHandler(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802
        type(self).hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_renderer_makes_no_request_and_embeds_no_local_file(tmp_path):
    server = http.server.HTTPServer(("127.0.0.1", 0), _CountingHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-KEYS-CONTENT")
    port = server.server_port
    hostile = f"""<html lang="sv"><head><title>t</title>
      <link rel="stylesheet" href="http://127.0.0.1:{port}/style.css">
      <link rel="attachment" href="file://{secret}">
      <link rel="attachment" href="http://127.0.0.1:{port}/attach">
      </head><body><p>Hej</p>
      <img src="http://127.0.0.1:{port}/pixel.png" alt="x"><img src="file://{secret}" alt="y">
      <a rel="attachment" href="file://{secret}">bilaga</a>
      <div style="background: url(http://127.0.0.1:{port}/bg.png)">bg</div>
      <img src="eventhub-static:../config.py" alt="escape"></body></html>"""
    fetcher = pdf.StaticOnlyFetcher(STATIC)
    try:
        body = pdf.render(hostile, STATIC, fetcher)
    finally:
        server.shutdown()
    assert _CountingHandler.hits == []
    assert b"TOP-KEYS-CONTENT" not in body and b"EmbeddedFile" not in body
    assert any(url.startswith("file://") for url in fetcher.refused)
    assert any(url.startswith("http://127.0.0.1") for url in fetcher.refused)
    assert "eventhub-static:../config.py" in fetcher.refused
    assert "Hej" in pdf_text(body)


def test_organiser_text_with_urls_reaches_no_fetch(client, make_event, make_item, monkeypatch):
    refused: list[str] = []
    original = pdf.StaticOnlyFetcher.fetch

    def spy(self, url, headers=None):
        try:
            return original(self, url, headers)
        except ValueError:
            refused.append(url)
            raise

    monkeypatch.setattr(pdf.StaticOnlyFetcher, "fetch", spy)
    slug = make_event(title='<img src="http://127.0.0.1:9/x.png">',
                      summary='<link rel="attachment" href="file:///etc/passwd">')
    make_item(slug, title='<img src="file:///etc/passwd">', description="![x](http://127.0.0.1:9/y.png)")
    body = client.get(f"/events/{slug}/programme.pdf").data
    assert refused == []  # escaped text: nothing even asked for
    assert b"root:x:" not in body and b"EmbeddedFile" not in body
    assert '<img src="file:///etc/passwd">' in pdf_text(body).replace("\n", "")


def test_ticket_pdf_qr_decodes_to_the_ticket(client, demo, app, tmp_path):
    with app.app_context():
        result = register(BORAS, "tove@example.se", "on_site")
        person = result.registration
        expected = tokens.ticket_payload(keyring.of(app), person)
        code = tokens.short_code(keyring.of(app), person.token_salt, person.ticket_version)
        token = MANAGE_LINK_PATTERN.search(outbox("tove@example.se")[0].body_text).group(1)
    body = client.get(f"/r/{token}/ticket.pdf").data
    assert qr_codes(body, tmp_path) == [expected]
    assert code in re.sub(r"\s+", "", pdf_text(body))  # the code is letter-spaced for reading


def test_ticket_pdf_only_for_confirmed_on_site(client, demo, app):
    with app.app_context():
        register(BORAS, "digi@example.se", "digital")
        token = MANAGE_LINK_PATTERN.search(outbox("digi@example.se")[0].body_text).group(1)
    assert client.get(f"/r/{token}/ticket.pdf").status_code == 404


def test_personal_programme_pdf_shows_own_mode(client, demo, app):
    with app.app_context():
        register(BORAS, "dana@example.se", "digital")
        token = MANAGE_LINK_PATTERN.search(outbox("dana@example.se")[0].body_text).group(1)
    text = pdf_text(client.get(f"/r/{token}/programme.pdf").data)
    assert "Arbetsmarknadsintegration, tack vare i stället för trots allt" in text
    assert "En väg in i sysselsättning" not in text
    assert "Anna Svensson" in text  # the participant's name


def test_badges_sorted_by_swedish_name_with_decodable_qr(client, demo, app, tmp_path):
    names = ["Örjan Ek", "Åsa Berg", "Ärla Lund", "Zlatan Ö", "Anna Ö"]
    with app.app_context():
        for i, name in enumerate(names):
            register(BORAS, f"b{i}@example.se", "on_site", name=name)
        register(BORAS, "digital@example.se", "digital", name="Digital Dora")
    login(client, app, "host", staff_role="host")
    response = client.get(f"/manage/events/{BORAS}/badges.pdf")
    assert response.status_code == 200
    text = pdf_text(response.data)
    assert "Digital Dora" not in text  # badges are for people in the room
    expected = ["Anna Ö", "Zlatan Ö", "Åsa Berg", "Ärla Lund", "Örjan Ek"]
    # Two badges a row, read left to right, top to bottom.
    assert re.findall(r"(Anna Ö|Zlatan Ö|Åsa Berg|Ärla Lund|Örjan Ek)", text) == expected
    assert "Pages:           1" in pdf_info(response.data)  # eight to an A4 sheet
    codes = badge_codes(response.data, tmp_path)
    assert len(codes) == 5 and all(code.startswith(tokens.TICKET_PREFIX) for code in codes)


def test_door_list_holds_people_on_site_alphabetically_without_special_category_data(client, demo, app):
    with app.app_context():
        register(BORAS, "c@example.se", "on_site", name="Cecilia Ås", dietary_needs="Glutenfritt",
                 special_consent=True)
        register(BORAS, "b@example.se", "on_site", name="Bengt Berg")
        register(BORAS, "a@example.se", "digital", name="Adam Digital")
    login(client, app)
    text = pdf_text(client.get(f"/manage/events/{BORAS}/door-list.pdf").data)
    assert text.find("Bengt Berg") < text.find("Cecilia Ås")
    assert "Adam Digital" not in text  # digital participants never come to the door
    assert "Glutenfritt" not in text


def test_badges_and_door_list_need_a_signed_in_host_or_organiser(client, demo):
    for path in ("badges.pdf", "door-list.pdf"):
        response = client.get(f"/manage/events/{BORAS}/{path}")
        assert response.status_code == 302 and "/account/login" in response.headers["Location"]


@pytest.mark.parametrize(("language", "present", "absent"), [
    ("en", ["Participant", "Central European"], ["Deltagare"]),
    ("sv", ["Deltagare", "centraleuropeisk"], ["Participant"]),
])
def test_personal_programme_pdf_in_the_persons_language(client, demo, app, language, present, absent):
    with app.app_context():
        register(BORAS, "dana@example.se", "digital", language=language)
        token = MANAGE_LINK_PATTERN.search(outbox("dana@example.se")[0].body_text).group(1)
    client.set_cookie("lang", "sv" if language == "en" else "en")  # the browser's choice does not matter
    text = pdf_text(client.get(f"/r/{token}/programme.pdf").data)
    assert all(word in text for word in present), text
    assert not any(word in text for word in absent)
    assert "Arbetsmarknadsintegration" in text  # the organiser's own text stays as written


def test_ticket_pdf_in_the_persons_language(client, demo, app):
    with app.app_context():
        register(BORAS, "tove@example.se", "on_site", language="en")
        token = MANAGE_LINK_PATTERN.search(outbox("tove@example.se")[0].body_text).group(1)
    text = pdf_text(client.get(f"/r/{token}/ticket.pdf").data)
    assert "If the code cannot be scanned" in text


def test_public_programme_pdf_in_the_language_asked_for_and_cached_apart(client, demo):
    swedish = pdf_text(client.get(f"/events/{BORAS}/programme.pdf").data)
    english = pdf_text(client.get(f"/events/{BORAS}/programme.pdf?lang=en").data)
    assert "Program" in swedish and "When" not in swedish
    assert "When" in english and "Central European" in english
    assert "Integration i arbetslivet" in english  # the organiser's title as written


def pdf_words(body: bytes) -> list[tuple[str, float, float, float, float]]:
    """Every word of a PDF's first page with its box (xMin, yMin, xMax, yMax), as poppler lays it out."""
    result = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", "-", "-"], input=body, capture_output=True,
                            check=True)
    return [(html.unescape(m.group(5)), *map(float, m.group(1, 2, 3, 4))) for m in re.finditer(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
        result.stdout.decode())]


LONG_NAME = "Långnamn" * 25  # 200 characters without a space to break at


def test_door_list_keeps_every_column_on_a4_with_a_long_unbroken_name(client, demo, app):
    with app.app_context():
        person = register(BORAS, "lang@example.se", "on_site", name=LONG_NAME,
                          organisation="Organisation" * 16).registration
        code = tokens.ticket_code(keyring.of(app), person)
    login(client, app)
    body = client.get(f"/manage/events/{BORAS}/door-list.pdf").data
    words = pdf_words(body)
    a4_width = 595.3
    assert all(x_max <= a4_width for _, _, _, x_max, _ in words), "text runs off the page"
    text = " ".join(word for word, *_ in words)
    for header in ("Namn", "Organisation", "Grupp", "Kod"):
        assert header in text
    assert code in text  # the last column is still there for the long row
    assert "".join(word for word, *_ in words).count("Långnamn") >= 25  # the name is wrapped, not cut


MM = 72 / 25.4  # PDF points per millimetre


@pytest.mark.parametrize("name", [
    LONG_NAME,
    "Anna-Karin Maria Theresia Elisabeth von Schwarzenberg-Lindqvist Åkesson Bergström Lundgren",
    "Maria-Theresia von Schwarzenberg-Lindqvist Åkesson",
])
def test_badge_name_never_overlaps_the_participation_pill(client, demo, app, name):
    with app.app_context():
        register(BORAS, "lang@example.se", "on_site", name=name, organisation="Borås Stad, Arbetslivsförvaltningen")
    login(client, app, "host", staff_role="host")
    words = pdf_words(client.get(f"/manage/events/{BORAS}/badges.pdf").data)
    pill = [box for box in words if box[0] == "PLATS"]  # the pill is set in capitals
    assert pill, words
    pill_top = min(y_min for _, _, y_min, _, _ in pill)
    name_parts = [box for box in words if box[0] and box[0] in name]
    assert name_parts
    assert max(y_max for _, _, _, _, y_max in name_parts) < pill_top
    # Nor does it run sideways into the QR code: the text box ends 10 + 7 + 58 mm from the page's edge.
    assert max(x_max for _, _, _, x_max, _ in name_parts) <= (10 + 7 + 58) * MM + 1


@pytest.mark.parametrize(("title", "organiser"), [
    ("Vi & dom", 'Föreningen "Öppna dörrar" & Co'),
    ("It's <new>", "O'Brien <info@example.se> & \"partners\""),
    ("Back\\slash </style> ends", "Nätverket\nVäst"),
], ids=["ampersand-and-quotes", "apostrophe-and-angle-brackets", "backslash-style-and-newline"])
def test_pdf_footer_shows_organiser_text_as_written(client, make_event, title, organiser):
    slug = make_event(title=title, organiser_name=organiser)
    body = client.get(f"/events/{slug}/programme.pdf").data
    text = " ".join(PdfReader(io.BytesIO(body)).pages[0].extract_text().split())
    expected = " ".join(f"{title} · {organiser}".split())
    assert expected in text
    assert "&amp;" not in text and "&#34;" not in text and "&#39;" not in text and "&lt;" not in text


# --- the tag tree: tables as a screen reader meets them ----------------------------------------

def structure(body: bytes) -> dict:
    """The PDF's structure tree as pypdf reads it: each element's type (S), attributes (A), ID, the pages
    its own marked content is on, and its kids."""
    reader = PdfReader(io.BytesIO(body))
    page_of = {page.indirect_reference.idnum: number for number, page in enumerate(reader.pages, start=1)}

    def read(node) -> dict | None:
        node = node.get_object()
        if not hasattr(node, "get") or "/S" not in node:
            return None
        kids = node.get("/K", [])
        kids = kids if isinstance(kids, list) else [kids]
        attributes = node.get("/A", {})
        element = {"S": node["/S"][1:], "A": dict(attributes.get_object()) if attributes else {},
                   "ID": node.get("/ID"), "pages": set(), "kids": []}
        if "/Pg" in node and any(isinstance(kid, int) for kid in kids):
            element["pages"].add(page_of[node.raw_get("/Pg").idnum])
        for kid in kids:
            if not isinstance(kid, int) and (child := read(kid)) is not None:
                element["kids"].append(child)
        return element

    return read(reader.trailer["/Root"]["/StructTreeRoot"]["/K"][0])


def elements(tree: dict, kind: str) -> list[dict]:
    found = [tree] if tree["S"] == kind else []
    for kid in tree["kids"]:
        found += elements(kid, kind)
    return found


def pages_of(tree: dict) -> set[int]:
    return tree["pages"].union(*(pages_of(kid) for kid in tree["kids"]))


def assert_one_table_with_headers(body: bytes, headers: list[str], scope: str = "/Column", columns=None) -> dict:
    """One Table in the tag tree (poppler's reading agrees), its header row once, each TH with its Scope,
    each TD tied to the headers that exist; returns the table."""
    tree = structure(body)
    tables = elements(tree, "Table")
    assert len(tables) == 1, f"{len(tables)} tables in the tag tree"
    assert len(re.findall(r"^\s*Table\b", subprocess.run(["pdfinfo", "-struct", "-"], input=body,
                                                          capture_output=True, check=True).stdout.decode(),
                          re.MULTILINE)) == 1
    table = tables[0]
    assert [kid["S"] for kid in table["kids"]] == ["THead", "TBody"]
    cells = elements(table, "TH")
    assert len(cells) == (columns or len(headers)), [cell["A"] for cell in cells]
    assert all(cell["A"].get("/Scope") == scope for cell in cells)
    ids = {cell["ID"] for cell in cells}
    for cell in elements(table, "TD"):
        assert cell["A"]["/Headers"] and set(cell["A"]["/Headers"]) <= ids
    text = " ".join(re.findall(r'"([^"]*)"', subprocess.run(
        ["pdfinfo", "-struct-text", "-"], input=body, capture_output=True, check=True).stdout.decode()))
    for header in headers:
        assert text.count(header) >= 1
    return table


def long_programme(app, make_item, count: int = 30) -> None:
    with app.app_context():
        for i in range(count):
            make_item(BORAS, minutes_after_start=180 + 5 * i, length=5,
                      title=f"Programpunkt {i + 1} om arbetsmarknadsintegration",
                      description="Ett samtal om vägar in i arbetslivet, med frågor från publiken. " * 2)


@pytest.mark.parametrize("who", ["public", "personal"])
def test_a_long_programme_pdf_is_one_table_with_column_headers_across_pages(client, demo, app, make_item, who):
    long_programme(app, make_item)
    url = f"/events/{BORAS}/programme.pdf"
    headers = ["Tid", "Vad", "För vem"]
    if who == "personal":
        with app.app_context():
            register(BORAS, "pia@example.se", "on_site")
            url = f"/r/{MANAGE_LINK_PATTERN.search(outbox('pia@example.se')[0].body_text).group(1)}/programme.pdf"
        headers = ["Tid", "Vad"]  # one audience: no column for whom
    body = client.get(url).data
    pages = int(re.search(r"Pages:\s+(\d+)", pdf_info(body)).group(1))
    assert pages >= 3
    table = assert_one_table_with_headers(body, headers)
    assert pages_of(table["kids"][1]) == set(range(1, pages + 1)), "one table holds the rows of every page"
    # The header row is printed on each page, but read once: on later pages it is an artifact.
    assert pdf_text(body).count("För vem" if who == "public" else "Vad") >= pages - 1
    assert pages_of(table["kids"][0]) == {min(pages_of(table))}


def test_a_long_door_list_is_one_table_with_scoped_headers_read_once(client, demo, app):
    with app.app_context():
        for i in range(70):
            register(BORAS, f"p{i:02d}@example.se", "on_site", name=f"Person Nummer{i:02d}")
    login(client, app)
    body = client.get(f"/manage/events/{BORAS}/door-list.pdf").data
    pages = int(re.search(r"Pages:\s+(\d+)", pdf_info(body)).group(1))
    assert pages >= 2
    table = assert_one_table_with_headers(body, ["Namn", "Organisation", "Grupp", "Kod"], columns=5)
    assert pdf_text(body).count("Organisation") >= pages  # the header is printed on every page
    assert pages_of(table["kids"][1]) == set(range(1, pages + 1))
