"""Post-event material: type checks by extension and content, size limits, storage, download, delete."""
from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from eventhub.audit.models import AuditEntry
from eventhub.extensions import db
from eventhub.materials import filetypes
from eventhub.materials import services as materials
from eventhub.materials.models import EventMaterial, MaterialChunk
from tests.accounts.support import make_user, post, sign_in
from tests.registration.support import event_by_slug, page_text

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
OOXML = "application/vnd.openxmlformats-officedocument"


def ooxml(main_part: str, main_type: str, extra: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            f'content-types"><Override PartName="/{main_part}" ContentType="{main_type}"/></Types>'))
        archive.writestr(main_part, "<xml/>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def odf(mimetype: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), mimetype, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", "<xml/>")
    return buffer.getvalue()


PPTX = ooxml("ppt/presentation.xml", f"{OOXML}.presentationml.presentation.main+xml")
DOCX = ooxml("word/document.xml", f"{OOXML}.wordprocessingml.document.main+xml")
XLSX = ooxml("xl/workbook.xml", f"{OOXML}.spreadsheetml.sheet.main+xml")
PPTM = ooxml("ppt/presentation.xml", "application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml",
             {"ppt/vbaProject.bin": b"\xd0\xcf\x11\xe0macro"})
PPTX_WITH_MACRO = ooxml("ppt/presentation.xml", f"{OOXML}.presentationml.presentation.main+xml",
                        {"ppt/vbaProject.bin": b"\xd0\xcf\x11\xe0macro"})
ODP = odf("application/vnd.oasis.opendocument.presentation")
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100  # .ppt / .doc / .xls


@pytest.fixture
def folder(app, tmp_path):
    path = tmp_path / "materials"
    app.config["MATERIAL_FOLDER"] = str(path)
    return path


@pytest.fixture
def past(make_event):
    return make_event(starts_at=datetime.now(UTC) - timedelta(days=2), title="Seminarium")


@pytest.fixture
def organiser(app, client, past, folder):
    make_user(app, "org@example.se", staff_of={past: "organiser"})
    client.set_cookie("lang", "en")  # the new strings get their Swedish translations later
    sign_in(client, "org@example.se")
    return client


def upload(client, slug, data: bytes, filename: str, title="Bilder", kind="slides"):
    return post(client, f"/manage/events/{slug}/material/upload",
                {"title": title, "kind": kind, "file": (io.BytesIO(data), filename)},
                content_type="multipart/form-data")


def stored(app, slug) -> list[EventMaterial]:
    with app.app_context():
        return list(db.session.scalars(select(EventMaterial).where(
            EventMaterial.event_id == event_by_slug(slug).id).order_by(EventMaterial.id)))


def kept_bytes(app, material_id: int) -> bytes:
    """The file as the database keeps it, its pieces joined."""
    with app.app_context():
        return b"".join(db.session.scalars(select(MaterialChunk.data).where(MaterialChunk.material_id == material_id)
                                           .order_by(MaterialChunk.number)))


@pytest.mark.parametrize(("data", "filename", "label"), [
    (PDF, "bilder.pdf", "PDF"), (PPTX, "Bilder.PPTX", "PowerPoint"), (DOCX, "rapport.docx", "Word"),
    (XLSX, "siffror.xlsx", "Excel"), (ODP, "bilder.odp", "OpenDocument"),
])
def test_allowed_files_are_stored_under_a_random_name(app, organiser, past, folder, data, filename, label):
    response = upload(organiser, past, data, filename)
    assert response.status_code == 303
    [material] = stored(app, past)
    assert material.file_format == label and material.size_bytes == len(data)
    assert material.original_filename.lower() == filename.lower()
    assert materials.STORED_NAME.fullmatch(material.stored_name)
    assert kept_bytes(app, material.id) == data  # in the database, which every app server shares
    assert not folder.exists()  # nothing on this server's disk, nothing named like the upload


@pytest.mark.parametrize(("data", "filename"), [
    (b"<html><script>alert(1)</script></html>", "bilder.pdf"),  # extension lies
    (PDF, "bilder.pptx"),  # a PDF is not a PowerPoint
    (PPTX, "bilder.docx"),  # the right container, the wrong main part
    (PPTM, "bilder.pptx"),  # macro-enabled, renamed
    (PPTX_WITH_MACRO, "bilder.pptx"),
    (OLE2, "bilder.ppt"), (OLE2, "rapport.doc"), (PPTX, "bilder.key"),  # formats we do not take
    (PDF, "program.exe"), (PDF, "bilder"), (PDF, "bilder.pdf.html"), (b"PK\x03\x04not a zip", "x.xlsx"),
    (odf("application/vnd.oasis.opendocument.text"), "bilder.odp"),
])
def test_wrong_types_are_refused_and_leave_nothing_behind(app, organiser, past, folder, data, filename):
    response = upload(organiser, past, data, filename)
    assert response.status_code == 422
    assert "Upload a PDF, PowerPoint" in page_text(response)
    assert stored(app, past) == []
    assert not folder.exists() or not any(folder.rglob("*.*"))


def test_empty_file_and_missing_file_are_refused(app, organiser, past):
    assert "The file is empty." in page_text(upload(organiser, past, b"", "tom.pdf"))
    response = post(organiser, f"/manage/events/{past}/material/upload", {"title": "X", "kind": "slides"})
    assert response.status_code == 422 and "Choose a file to upload." in page_text(response)
    assert stored(app, past) == []


def test_a_file_over_the_material_limit_gets_a_form_error(app, organiser, past, folder):
    app.config.update(MATERIAL_MAX_BYTES=1000, MAX_CONTENT_LENGTH=50_000)
    response = upload(organiser, past, PDF + b"0" * 5000, "stor.pdf")
    assert response.status_code == 422
    assert "The file is larger than 1 kB." in page_text(response)
    assert stored(app, past) == [] and not any(folder.rglob("*.*"))


def test_a_huge_upload_gets_a_clear_413_page_not_a_crash(app, organiser, past, folder):
    app.config.update(MATERIAL_MAX_BYTES=1000, MAX_CONTENT_LENGTH=5000)
    response = upload(organiser, past, PDF + b"0" * 100_000, "enorm.pdf")
    assert response.status_code == 413
    assert "larger than 1 kB, so nothing was saved" in page_text(response)
    assert stored(app, past) == []


def test_default_limits_are_25_mb_and_a_little_more_for_the_request(app):
    assert app.config["MATERIAL_MAX_BYTES"] == 25_000_000
    assert app.config["MAX_CONTENT_LENGTH"] > app.config["MATERIAL_MAX_BYTES"]


@pytest.mark.parametrize(("filename", "expected"), [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("C:\\Users\\anna\\Bilder för alla.pdf", "Bilder för alla.pdf"),
    ('a"b;c\r\nSet-Cookie: x=1.pdf', "a_b_cSet-Cookie_ x_1.pdf"),
    ("\u202efdp.exe", "fdp.pdf"),  # a right-to-left override cannot disguise the name
    ("....pdf", "material.pdf"),
    ("x" * 300 + ".pdf", "x" * 150 + ".pdf"),
])
def test_file_names_are_cleaned(filename, expected):
    assert filetypes.clean_filename(filename, "pdf") == expected


def test_download_is_an_attachment_with_the_cleaned_name(app, client, organiser, past):
    upload(organiser, past, PDF, "../Bilder för; alla.pdf")
    [material] = stored(app, past)
    anonymous = app.test_client()
    response = anonymous.get(f"/events/{past}/material/{material.id}")
    assert response.status_code == 200
    assert response.data == PDF
    assert response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''Bilder%20f%C3%B6r_%20alla.pdf" in disposition
    assert "\n" not in disposition and "/" not in disposition
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_the_public_page_links_stored_files_to_the_download_route(app, organiser, past):
    upload(organiser, past, PDF, "bilder.pdf", title="Presentationen")
    post(organiser, f"/manage/events/{past}/material/link",
         {"link_title": "Rapporten", "link_kind": "document", "url": "https://example.org/rapport.pdf"})
    [stored_file, link] = stored(app, past)
    page = app.test_client().get(f"/events/{past}").get_data(as_text=True)
    assert f'href="/events/{past}/material/{stored_file.id}"' in page
    assert 'href="https://example.org/rapport.pdf"' in page
    assert 'href="None"' not in page
    assert link.url == "https://example.org/rapport.pdf"


def test_material_is_not_public_before_the_event_ends_or_for_drafts(app, client, make_event, folder):
    future = make_event()
    draft = make_event(status="draft", starts_at=datetime.now(UTC) - timedelta(days=2))
    make_user(app, "org@example.se", staff_of={future: "organiser", draft: "organiser"})
    sign_in(client, "org@example.se")
    anonymous = app.test_client()
    for slug in (future, draft):
        assert upload(client, slug, PDF, "b.pdf").status_code == 303
        [material] = stored(app, slug)
        url = f"/events/{slug}/material/{material.id}"
        assert anonymous.get(url).status_code == 404
        organiser_view = client.get(url)
        assert organiser_view.status_code == 200 and organiser_view.data == PDF
        assert "no-store" in organiser_view.headers["Cache-Control"]


def test_a_material_is_only_found_under_its_own_event(app, organiser, past, make_event):
    upload(organiser, past, PDF, "b.pdf")
    [material] = stored(app, past)
    other = make_event(starts_at=datetime.now(UTC) - timedelta(days=3))
    assert app.test_client().get(f"/events/{other}/material/{material.id}").status_code == 404
    assert app.test_client().get(f"/events/{past}/material/{material.id + 1}").status_code == 404
    assert app.test_client().get(f"/events/no-such-event/material/{material.id}").status_code == 404


def test_a_tampered_stored_name_cannot_reach_outside_the_folder(app, organiser, past, folder):
    upload(organiser, past, PDF, "b.pdf")
    [material] = stored(app, past)
    folder.mkdir(parents=True, exist_ok=True)  # files are in the database now, but a name is still checked
    (folder / "secret.pdf").write_bytes(b"%PDF-secret")
    for name in ("../secret.pdf", "/etc/passwd", "..", "0" * 32 + ".exe", "0" * 32 + ".pdf/../../secret.pdf"):
        with app.app_context():
            db.session.get(EventMaterial, material.id).stored_name = name
            db.session.commit()
        assert app.test_client().get(f"/events/{past}/material/{material.id}").status_code == 404


def test_deleting_removes_the_row_and_the_file_and_is_audited(app, organiser, past):
    upload(organiser, past, PDF, "b.pdf")
    [material] = stored(app, past)
    assert kept_bytes(app, material.id) == PDF
    response = post(organiser, f"/manage/events/{past}/material/{material.id}/delete")
    assert response.status_code == 303
    assert stored(app, past) == [] and kept_bytes(app, material.id) == b""
    with app.app_context():
        actions = [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions[-2:] == ["material.uploaded", "material.deleted"]


def test_deleting_another_events_material_is_not_found(app, organiser, past, make_event):
    upload(organiser, past, PDF, "b.pdf")
    [material] = stored(app, past)
    other = make_event()
    make_user(app, "other@example.se", staff_of={other: "organiser"})
    stranger = app.test_client()
    sign_in(stranger, "other@example.se")
    assert post(stranger, f"/manage/events/{other}/material/{material.id}/delete").status_code == 404
    assert post(stranger, f"/manage/events/{past}/material/{material.id}/delete").status_code == 404
    assert len(stored(app, past)) == 1


def test_forms_need_a_csrf_token(app, organiser, past):
    response = organiser.post(f"/manage/events/{past}/material/upload", content_type="multipart/form-data",
                              data={"title": "X", "kind": "slides", "file": (io.BytesIO(PDF), "b.pdf")})
    assert response.status_code == 400
    assert stored(app, past) == []


def test_links_must_be_web_addresses(app, organiser, past):
    for url in ("javascript:alert(1)", "data:text/html,x", "ftp://example.org/x", "not a url"):
        response = post(organiser, f"/manage/events/{past}/material/link",
                        {"link_title": "X", "link_kind": "document", "url": url})
        assert response.status_code == 422, url
        assert "Enter a web address starting with https://" in page_text(response)
    assert stored(app, past) == []


def test_manage_page_lists_material_escaped_with_a_nav_link(app, organiser, past):
    upload(organiser, past, PDF, "<script>.pdf", title="<b>Bilder</b>")
    page = organiser.get(f"/manage/events/{past}/material").get_data(as_text=True)
    assert "&lt;b&gt;Bilder&lt;/b&gt;" in page and "<b>Bilder</b>" not in page
    assert "<script>" not in page
    assert f'href="/manage/events/{past}/material" aria-current="page"' in page
