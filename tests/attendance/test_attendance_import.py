"""Importing Teams' and Zoom's reports: matched by email, the rest matched by hand, kept, replaced by the same
meeting, logged; the pages that do it, with messages in the organiser's language."""
from __future__ import annotations

import html
import io
import re

import pytest
from sqlalchemy import func, select

from eventhub.attendance import services as attendance
from eventhub.attendance.models import AttendanceImport, ImportedParticipant
from eventhub.audit.models import AuditEntry
from eventhub.extensions import db
from tests.attendance.support import AFTER, import_sample, rows_of, sample
from tests.attendees.support import audit_entries, form_token
from tests.registration.support import event_by_slug

TEAMS, TEAMS_2021, ZOOM, ZOOM_UNIQUE = ("teams_attendance_report.csv", "teams_attendance_2021.csv",
                                       "zoom_participants.csv", "zoom_unique_users.csv")


def _matches(slug: str) -> dict[str, tuple[int | None, str | None, int]]:
    return {row.name: (row.registration_id, row.matched_by, row.minutes) for row in rows_of(slug)}


def test_teams_report_is_matched_by_email_in_any_case_and_the_rest_kept_unmatched(app, forum):
    with app.app_context():
        outcome = import_sample(forum.slug, TEAMS)
        matches = _matches(forum.slug)

    ids = forum.ids
    assert (outcome.platform, outcome.people, outcome.matched, outcome.replaced) == ("teams", 5, 2, False)
    assert matches == {
        "Ulla Arrangör": (None, None, 183),  # the organiser herself: not registered
        "Åsa Öberg": (ids["Åsa"], "email", 162),
        "Örjan Ärlig": (ids["Örjan"], "email", 115),  # " Orjan@Example.SE " in the report
        "Frasse": (None, None, 150),  # a private address
        "Gäst Gästsson (Guest)": (None, None, 30),
    }


def test_teams_participant_id_matches_when_the_email_does_not(app, forum):
    with app.app_context():
        event = event_by_slug(forum.slug)
        data = sample(TEAMS).decode("utf-16").replace(" Orjan@Example.SE ", "orjan.private@example.org")
        data = data.replace("orjan.arlig@kommun.example", "orjan@example.se")
        attendance.import_report(event.id, data.encode("utf-16"), "teams.csv", None, AFTER)

        assert _matches(forum.slug)["Örjan Ärlig"][:2] == (forum.ids["Örjan"], "email")


@pytest.mark.parametrize("name", [TEAMS, TEAMS_2021, ZOOM, ZOOM_UNIQUE])
def test_importing_the_same_file_again_replaces_it_without_doubling_minutes(app, forum, name):
    with app.app_context():
        first = import_sample(forum.slug, name)
        again = import_sample(forum.slug, name)
        imports = db.session.scalar(select(func.count()).select_from(AttendanceImport))
        minutes = attendance.online_of(event_by_slug(forum.slug).id,
                                       [db.session.get(attendance.Registration, forum.ids["Åsa"])])

    assert (first.replaced, again.replaced, imports) == (False, True, 1)
    assert minutes[forum.ids["Åsa"]].minutes == 162


def test_reports_of_two_meetings_add_up(app, forum):
    """The Teams morning and the Zoom afternoon are two meetings: Åsa's minutes are both."""
    with app.app_context():
        import_sample(forum.slug, TEAMS)
        import_sample(forum.slug, ZOOM)
        person = db.session.get(attendance.Registration, forum.ids["Åsa"])
        online = attendance.online_of(person.event_id, [person])[person.id]

    assert online.minutes == 162 + 162


def test_a_hand_match_survives_reimporting_the_same_meeting(app, forum):
    with app.app_context():
        outcome = import_sample(forum.slug, ZOOM)
        frasse = next(row for row in rows_of(forum.slug) if row.name == "Fält, Fredrik")
        attendance.match_by_hand(event_by_slug(forum.slug).id, outcome.import_id, frasse.id, forum.ids["Fredrik"],
                                 actor_id=None)
        again = import_sample(forum.slug, ZOOM)
        matches = _matches(forum.slug)

    assert again.replaced
    assert matches["Fält, Fredrik"] == (forum.ids["Fredrik"], "hand", 150)


def test_imports_and_hand_matches_are_in_the_audit_log_without_names(app, forum):
    with app.app_context():
        import_sample(forum.slug, TEAMS)
        outcome = import_sample(forum.slug, TEAMS)
        frasse = next(row for row in rows_of(forum.slug) if row.name == "Frasse")
        event_id = event_by_slug(forum.slug).id
        attendance.match_by_hand(event_id, outcome.import_id, frasse.id, forum.ids["Fredrik"], None)
        attendance.unmatch(event_id, outcome.import_id, frasse.id, None)
        attendance.delete_import(event_id, outcome.import_id, None)
        actions = [entry.action for entry in db.session.scalars(
            select(AuditEntry).where(AuditEntry.event_id == event_id).order_by(AuditEntry.id))]
        imported = audit_entries(forum.slug, "attendance.imported")[0]
        entries = list(db.session.scalars(select(AuditEntry).where(AuditEntry.action.like("attendance.%"))))

    assert [action for action in actions if action.startswith("attendance.")] == [
        "attendance.imported", "attendance.reimported", "attendance.matched", "attendance.unmatched",
        "attendance.import_deleted"]
    assert imported.details | {"import_id": 0} == {
        "import_id": 0, "platform": "Microsoft Teams",
        "title": "Forumträff: Hållbar arbetsmarknad", "rows": 5, "matched": 2, "unmatched": 3}
    # Whom a row of the report names is personal data of someone who may never have registered.
    for entry in entries:
        assert "Frasse" not in f"{entry.summary} {entry.details}" and "Gäst" not in f"{entry.summary} {entry.details}"


def test_a_row_or_registration_of_another_event_is_not_found(app, forum, make_event):
    from tests.attendance.support import make_forum, seat_people

    other = make_forum(make_event)
    with app.app_context():
        other_ids = seat_people(other)
        mine = import_sample(forum.slug, TEAMS)
        theirs = import_sample(other, TEAMS)
        event_id = event_by_slug(forum.slug).id
        their_row = rows_of(other)[0]
        my_row = rows_of(forum.slug)[0]

        with pytest.raises(attendance.NotFound):
            attendance.match_by_hand(event_id, theirs.import_id, their_row.id, forum.ids["Åsa"], None)
        with pytest.raises(attendance.NotFound):
            attendance.match_by_hand(event_id, mine.import_id, my_row.id, other_ids["Åsa"], None)
        with pytest.raises(attendance.NotFound):
            attendance.match_by_hand(event_id, mine.import_id, my_row.id, forum.ids["Ylva"], None)  # cancelled


# --- the pages -------------------------------------------------------------------------------

def _report_url(slug: str) -> str:
    return f"/manage/events/{slug}/attendance"


def _upload(client, slug: str, data: bytes, filename: str, lang: str | None = None):
    token = form_token(client, _report_url(slug))
    return client.post(f"{_report_url(slug)}/imports" + (f"?lang={lang}" if lang else ""),
                       data={"csrf_token": token, "report": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def _text(response) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def test_uploading_a_report_shows_whom_it_could_not_match(organiser):
    client = organiser.client
    response = _upload(client, organiser.slug, sample(TEAMS), TEAMS)
    assert response.status_code == 303
    page = client.get(response.headers["Location"])
    text = " ".join(_text(page).split())

    assert page.status_code == 200
    assert "Inte kopplade (3)" in text and "Kopplade (2)" in text
    assert "Vem är Frasse?" in text and "Vem är Gäst Gästsson (Guest)?" in text
    assert "5 personer i rapporten, 2 kopplade till en anmälan via e-postadressen." in text


@pytest.mark.parametrize(("lang", "data", "filename", "message"), [
    ("sv", b"Namn;E-post\nAnna;anna@example.se\n", "lista.csv", "Filen är ingen närvarorapport från Microsoft Teams"),
    ("en", b"Namn;E-post\nAnna;anna@example.se\n", "list.csv",
     "This file is not an attendance report from Microsoft Teams or Zoom"),
    ("sv", b"PK\x03\x04rest", "rapport.xlsx", "Det här är en Excel-arbetsbok"),
    ("en", b"PK\x03\x04rest", "report.xlsx", "This is an Excel workbook"),
    ("sv", b"", "tom.csv", "Filen är tom."),
    ("en", "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n"
           "Åsa,asa@example.se,yesterday,today,60,No\n".encode(), "zoom.csv",
     "A time in the file could not be read: “yesterday”"),
], ids=["neither-sv", "neither-en", "excel-sv", "excel-en", "empty-sv", "bad-time-en"])
def test_a_file_that_is_neither_is_refused_with_words_in_the_organisers_language(organiser, lang, data, filename,
                                                                                 message):
    response = _upload(organiser.client, organiser.slug, data, filename, lang=lang)

    assert response.status_code == 422
    assert message in " ".join(_text(response).split())
    assert 'aria-invalid="true"' in response.get_data(as_text=True)


def test_uploading_nothing_asks_for_the_file(organiser):
    token = form_token(organiser.client, _report_url(organiser.slug))
    response = organiser.client.post(f"{_report_url(organiser.slug)}/imports", data={"csrf_token": token})

    assert response.status_code == 422 and "Välj filen som du fick från Teams eller Zoom." in _text(response)


def _import_page(client, slug: str) -> tuple[str, str]:
    url = _upload(client, slug, sample(TEAMS), TEAMS).headers["Location"]
    return url, client.get(url).get_data(as_text=True)


def test_the_hand_match_form_posts_a_registration_and_the_match_survives_a_reload(app, organiser):
    client = organiser.client
    url, page = _import_page(client, organiser.slug)
    # The forms' order is the report's: Ulla first, then Frasse.
    forms = re.findall(r'<form method="post" action="([^"]+/match)"', page)
    assert len(forms) == 3

    frasse_form = forms[1]
    response = client.post(frasse_form, data={"csrf_token": form_token(client, url),
                                              "registration": str(organiser.ids["Fredrik"])})
    assert response.status_code == 303
    reloaded = client.get(url)
    text = " ".join(_text(reloaded).split())

    assert "Frasse i rapporten är nu kopplad till Fredrik Fält." in text
    assert "Inte kopplade (2)" in text and "Kopplade (3)" in text and "för hand" in text
    with app.app_context():
        assert _matches(organiser.slug)["Frasse"] == (organiser.ids["Fredrik"], "hand", 150)


@pytest.mark.parametrize(("registration", "message"), [
    ("", "Välj den anmälan som är den här personen."),
    ("999999", ""),  # no registration of the event: WTForms' own "not a valid choice"
], ids=["none-chosen", "not-a-choice"])
def test_a_hand_match_without_a_valid_choice_shows_the_page_again_with_the_error_at_the_row(organiser, registration,
                                                                                           message):
    client = organiser.client
    url, page = _import_page(client, organiser.slug)
    form = re.findall(r'<form method="post" action="([^"]+/match)"', page)[1]
    response = client.post(form, data={"csrf_token": form_token(client, url), "registration": registration})
    body = response.get_data(as_text=True)

    assert response.status_code == 422
    row_id = form.split("/rows/")[1].split("/")[0]
    error = re.search(rf'<p class="field-error" id="match-{row_id}-error">([^<]+)</p>', body)
    assert error is not None and message in error.group(1)
    assert f'aria-describedby="match-{row_id}-error"' in body


def test_not_this_person_undoes_an_email_match(app, organiser):
    client = organiser.client
    url, page = _import_page(client, organiser.slug)
    unmatch = re.findall(r'<form method="post" action="([^"]+/unmatch)"', page)[0]
    response = client.post(unmatch, data={"csrf_token": form_token(client, url)})

    assert response.status_code == 303
    with app.app_context():
        assert _matches(organiser.slug)["Åsa Öberg"][:2] == (None, None)


def test_deleting_an_import_removes_its_rows(app, organiser):
    client = organiser.client
    url, _page = _import_page(client, organiser.slug)
    response = client.post(f"{url}/delete", data={"csrf_token": form_token(client, url)})

    assert response.status_code == 303 and response.headers["Location"].endswith("/attendance")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ImportedParticipant)) == 0
    assert client.get(url).status_code == 404


def test_an_import_of_another_event_is_not_found_on_this_events_pages(app, organiser, make_event):
    from tests.attendance.support import make_forum

    other = make_forum(make_event)
    with app.app_context():
        theirs = import_sample(other, TEAMS)
        row = rows_of(other)[0]
    client = organiser.client
    base = f"{_report_url(organiser.slug)}/imports/{theirs.import_id}"
    token = form_token(client, _report_url(organiser.slug))

    assert client.get(base).status_code == 404
    assert client.post(f"{base}/rows/{row.id}/match", data={"csrf_token": token,
                                                            "registration": organiser.ids["Åsa"]}).status_code == 404
    assert client.post(f"{base}/delete", data={"csrf_token": token}).status_code == 404


def test_deleting_the_event_deletes_its_imports_and_rows(app, forum):
    from sqlalchemy import delete

    from eventhub.events.models import Event

    with app.app_context():
        outcome = import_sample(forum.slug, TEAMS)
        frasse = next(row for row in rows_of(forum.slug) if row.name == "Frasse")
        attendance.match_by_hand(event_by_slug(forum.slug).id, outcome.import_id, frasse.id, forum.ids["Fredrik"],
                                 None)
        db.session.execute(delete(Event).where(Event.slug == forum.slug))
        db.session.commit()

        assert db.session.scalar(select(func.count()).select_from(AttendanceImport)) == 0
        assert db.session.scalar(select(func.count()).select_from(ImportedParticipant)) == 0


@pytest.mark.parametrize(("lang", "sentences"), [
    ("sv", ["Importerade närvarorapporten för Forumträff: Hållbar arbetsmarknad från Microsoft Teams: 5 personer, "
            "2 kopplade till en anmälan via e-postadressen, 3 inte",
            "Kopplade för hand en person i en närvarorapport till Fredrik Fält"]),
    ("en", ["Imported the attendance report of Forumträff: Hållbar arbetsmarknad from Microsoft Teams: 5 people, "
            "2 matched to a registration by email, 3 not",
            "Matched a person in an attendance report to Fredrik Fält by hand"]),
])
def test_the_audit_log_page_reads_the_imports_as_sentences(organiser, lang, sentences):
    client = organiser.client
    url, page = _import_page(client, organiser.slug)
    form = re.findall(r'<form method="post" action="([^"]+/match)"', page)[1]
    client.post(form, data={"csrf_token": form_token(client, url), "registration": str(organiser.ids["Fredrik"])})
    text = " ".join(_text(client.get(f"/manage/events/{organiser.slug}/audit?lang={lang}")).split())

    for sentence in sentences:
        assert sentence in text
