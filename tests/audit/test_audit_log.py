"""The event's audit log as organisers read it: one sentence per action code in the reader's
language, who did it (name and email), links to what it names, filters, pages, bounded queries."""
from __future__ import annotations

import ast
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import delete

from eventhub import labels
from eventhub.audit import services as audit
from eventhub.audit.models import AuditEntry
from eventhub.extensions import db
from eventhub.programme.models import Person
from tests.attendees.support import sign_in, staff_member
from tests.registration.support import event_by_slug, page_text, register

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
# What the audit page fills a sentence with (events.views._audit_sentence), and the numbers the
# entries' details carry.
KNOWN_PLACEHOLDERS = {"registration", "item", "group", "person", "account", "material", "mailing", "question", "source",
                      "role", "previous_role", "mode", "previous_mode", "fields", "place",
                      "emailed", "recipients", "rows", "days", "seats", "seats_before",
                      "previous_start", "start", "items_moved", "told", "title", "minutes", "removed",
                      "done_count", "unchanged_count", "refused_count", "platform", "matched", "unmatched"}


def _recorded_codes() -> dict[str, str]:
    """Every action code given to ``audit.record`` in the code base, with where: read from the
    source, so a new call with a new code cannot slip past the table."""
    codes, unreadable = {}, []
    for path in sorted((ROOT / "eventhub").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "record" and isinstance(node.func.value, ast.Name)
                    and node.func.value.id == "audit"):
                continue
            action = node.args[1] if len(node.args) > 1 else next(
                (keyword.value for keyword in node.keywords if keyword.arg == "action"), None)
            strings = [leaf.value for leaf in ast.walk(action) if isinstance(leaf, ast.Constant)
                       and isinstance(leaf.value, str)] if action is not None else []
            if not strings:
                unreadable.append(f"{path.relative_to(ROOT)}:{node.lineno}")
            for code in strings:
                codes[code] = f"{path.relative_to(ROOT)}:{node.lineno}"
    assert unreadable == [], f"give audit.record its action code as a literal: {unreadable}"
    return codes


def test_every_action_code_in_the_code_base_has_a_sentence():
    codes = _recorded_codes()
    assert len(codes) > 40  # the scan found the calls

    missing = {code: where for code, where in codes.items() if code not in labels.AUDIT_ACTION}

    assert missing == {}, f"add these to eventhub.labels.AUDIT_ACTION: {missing}"


def test_the_table_has_no_code_that_nothing_records():
    assert set(labels.AUDIT_ACTION) - set(_recorded_codes()) == set()


def test_every_sentence_belongs_to_a_kind_and_uses_only_known_placeholders_in_both_languages():
    with (ROOT / "translations/sv/LC_MESSAGES/messages.po").open("rb") as file:
        swedish = read_po(file)
    for code, (kind, sentence) in labels.AUDIT_ACTION.items():
        assert kind in labels.AUDIT_KIND, code
        used = set(PLACEHOLDER.findall(sentence._args[0]))
        assert used <= KNOWN_PLACEHOLDERS, (code, used - KNOWN_PLACEHOLDERS)
        translated = swedish.get(sentence._args[0])
        assert translated is not None and translated.string, code
        assert set(PLACEHOLDER.findall(translated.string)) == used, code


# --- the page ----------------------------------------------------------------------------------

@pytest.fixture
def slug(make_event):
    return make_event(on_site_seats=10, digital_seats=10, timezone="Europe/Stockholm")


@pytest.fixture
def organiser(app, slug, client):
    user_id = staff_member(app, slug, "ulla@example.se", "organiser")
    sign_in(client, "ulla@example.se")
    return user_id


def _clear_log() -> None:
    """Without the entries that making the test's staff wrote."""
    db.session.execute(delete(AuditEntry))
    db.session.commit()


def _entry(slug, actor_id, action, summary="", at=None, **details) -> None:
    entry = audit.record(actor_id, action, summary, event_id=event_by_slug(slug).id, **details)
    if at is not None:
        entry.created_at = at
    db.session.commit()


def _lines(response) -> list[str]:
    html = response.get_data(as_text=True)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", item)).strip()
            for item in re.findall(r'<li class="audit-entry">(.*?)</li>', html, re.S)]


def test_the_log_says_who_did_what_in_words_and_links_what_it_names(app, client, slug, organiser, make_item):
    item_id = make_item(slug, title="Välkommen till Borås")
    with app.app_context():
        anna = register(slug, "anna@example.se", name="Anna Berg").registration
        speaker = Person(name="Karin Talare")
        db.session.add(speaker)
        db.session.commit()
        _entry(slug, organiser, "programme.item_added", "Välkommen till Borås", item_id=item_id)
        _entry(slug, organiser, "attendees.updated", f"#{anna.id}: name, sector", registration_id=anna.id,
               fields=["name", "sector"])
        _entry(slug, organiser, "programme.speaker_added", "x", item_id=item_id, person_id=speaker.id)
        _entry(slug, organiser, "attendees.mode_changed", "x", registration_id=anna.id, previous_mode="digital",
               mode="on_site")
        _entry(slug, None, "privacy.anonymised", "3 registrations anonymised", rows=3, reason="retention")
        _entry(slug, organiser, "event.staff_added", "host", user_id=organiser)  # as written before details held role
        _entry(slug, organiser, "programme.item_deleted", "Fika", item_id=999_999)
        anna_id = anna.id

    swedish = client.get(f"/manage/events/{slug}/audit")
    english = client.get(f"/manage/events/{slug}/audit?lang=en")

    assert swedish.status_code == english.status_code == 200
    lines = _lines(swedish)
    assert lines[0].endswith("Ulla ulla@example.se Tog bort programpunkten Fika")  # deleted: named as it was
    assert lines[1].endswith("Lade till Ulla (ulla@example.se) som värd")
    assert lines[2].endswith("Systemet Avidentifierade 3 anmälningar")
    assert lines[3].endswith("Flyttade Anna Berg från digitalt till på plats")
    assert lines[4].endswith("Lade till Karin Talare i Välkommen till Borås")
    assert lines[5].endswith("Ändrade uppgifterna om Anna Berg: namn, sektor")
    assert lines[6].endswith("Lade till programpunkten Välkommen till Borås")
    assert _lines(english)[5].endswith("Ulla ulla@example.se Changed the details of Anna Berg: name, sector")
    html = swedish.get_data(as_text=True)
    assert f'href="/manage/events/{slug}/attendees/{anna_id}">Anna Berg</a>' in html
    assert f'href="/manage/events/{slug}/programme/items/{item_id}">Välkommen till Borås</a>' in html
    assert "/programme/people/" in html
    assert not re.search(r"\b(programme|attendees|privacy|event)\.[a-z_]+\b", page_text(swedish))  # no raw codes


def test_names_in_the_log_are_escaped(app, client, slug, organiser, make_item):
    item_id = make_item(slug, title="<script>alert(1)</script>")
    with app.app_context():
        _entry(slug, organiser, "programme.item_added", "<b>x</b>", item_id=item_id)
        _entry(slug, organiser, "mailing.sent", "<img src=x>", mailing_id=1, recipients=2)

    html = client.get(f"/manage/events/{slug}/audit").get_data(as_text=True)

    assert "<script>alert" not in html and "<img src=x>" not in html
    assert "&lt;script&gt;" in html and "&lt;img src=x&gt;" in html


def test_an_unknown_code_or_missing_detail_still_reads(app, client, slug, organiser):
    with app.app_context():
        _entry(slug, organiser, "something.new", "x")
        _entry(slug, organiser, "event.cancelled", "x")  # no "emailed" in its details

    lines = _lines(client.get(f"/manage/events/{slug}/audit?lang=en"))

    assert lines[0].endswith("Cancelled the event and emailed – registered people")
    assert lines[1].endswith("something.new")


def _three_weeks_of_changes(app, slug, organiser, other):
    """Entries at 23:30 Stockholm time (21:30 or 22:30 UTC) on 1–3 March, so a day's end is tested."""
    with app.app_context():
        _clear_log()
        for day in (1, 2, 3):
            at = datetime(2026, 3, day, 22, 30, tzinfo=UTC)  # 23:30 in Stockholm, still that day
            _entry(slug, organiser, "event.updated", "x", at=at)
            _entry(slug, other, "programme.item_added", "Punkt", at=at + timedelta(seconds=1), item_id=0)
        _entry(slug, None, "privacy.anonymised", "x", at=datetime(2026, 3, 4, 9, tzinfo=UTC), rows=1)


@pytest.mark.parametrize("query, expected", [
    ("", 7),
    ("kind=event", 3),
    ("kind=programme", 3),
    ("kind=privacy", 1),
    ("kind=door", 0),
    ("actor={organiser}", 3),
    ("actor={other}", 3),
    (f"actor={audit.SYSTEM}", 1),
    ("since=2026-03-02", 5),
    ("until=2026-03-02", 4),
    ("since=2026-03-02&until=2026-03-02", 2),
    ("kind=event&actor={other}", 0),
    ("kind=programme&actor={other}&since=2026-03-03", 1),
])
def test_the_log_filters_by_kind_person_and_day(app, client, slug, organiser, query, expected):
    other = staff_member(app, slug, "olle@example.se", "organiser")
    _three_weeks_of_changes(app, slug, organiser, other)

    response = client.get(f"/manage/events/{slug}/audit?" + query.format(organiser=organiser, other=other))

    assert response.status_code == 200
    assert len(_lines(response)) == expected


def test_the_person_filter_offers_everyone_in_the_log_by_name_and_email(app, client, slug, organiser):
    other = staff_member(app, slug, "olle@example.se", "organiser")
    _three_weeks_of_changes(app, slug, organiser, other)

    html = client.get(f"/manage/events/{slug}/audit").get_data(as_text=True)

    assert f'<option value="{other}">Olle (olle@example.se)</option>' in html
    assert f'<option value="{organiser}">Ulla (ulla@example.se)</option>' in html
    assert f'<option value="{audit.SYSTEM}">Systemet</option>' in html


@pytest.mark.parametrize("query, message", [
    ("since=2026-13-45", "Skriv ett datum som 2026-03-14."),
    ("since=2026-03-03&until=2026-03-01", "Slutdatumet får inte vara före startdatumet."),
    ("kind=nonsense", "Inte ett giltigt val"),
    ("since=0001-01-01&until=9999-12-31", "Ange ett datum mellan åren 1900 och 2200."),  # the day after was a 500
])
def test_a_bad_filter_says_why_and_keeps_what_was_typed(app, client, slug, organiser, query, message):
    _three_weeks_of_changes(app, slug, organiser, organiser)

    response = client.get(f"/manage/events/{slug}/audit?{query}")

    assert response.status_code == 422
    text = page_text(response)
    assert message in text
    if "since=" in query:
        assert f'value="{query.split("since=")[1].split("&")[0]}"' in response.get_data(as_text=True)
    assert len(_lines(response)) == 7  # the whole log, not a wrongly filtered one


def test_the_log_comes_in_pages_that_keep_the_filters(app, client, slug, organiser):
    with app.app_context():
        _clear_log()
        start = datetime(2026, 3, 1, 9, tzinfo=UTC)
        for i in range(audit.PER_PAGE + 5):
            _entry(slug, organiser, "event.updated", "x", at=start + timedelta(minutes=i))
        _entry(slug, organiser, "event.published", "x", at=start - timedelta(days=1))

    first = client.get(f"/manage/events/{slug}/audit?kind=event")
    html = first.get_data(as_text=True)
    older = re.search(r'href="([^"]+)" rel="next"', html).group(1).replace("&amp;", "&")
    second = client.get(older)

    assert len(_lines(first)) == audit.PER_PAGE and "56 ändringar, sida 1 av 2" in page_text(first)
    assert "kind=event" in older and "page=2" in older
    assert len(_lines(second)) == 6 and _lines(second)[-1].endswith("Publicerade evenemanget")
    assert 'rel="prev"' in second.get_data(as_text=True)
    assert len(_lines(client.get(f"/manage/events/{slug}/audit?page=99"))) == 6  # past the end: the last page


def _mixed_entries(app, slug, organiser, make_item, count: int) -> None:
    with app.app_context():
        for i in range(count):
            item_id = make_item(slug, title=f"Punkt {i}")
            anna = register(slug, f"anna{i}@example.se", name=f"Anna {i}").registration
            speaker = Person(name=f"Talare {i}")
            db.session.add(speaker)
            db.session.flush()
            _entry(slug, organiser, "programme.speaker_added", "x", item_id=item_id, person_id=speaker.id)
            _entry(slug, organiser, "attendees.updated", "x", registration_id=anna.id, fields=["name"])
            _entry(slug, organiser, "event.staff_added", "host", user_id=organiser, role="host")


def test_the_page_asks_the_same_number_of_queries_for_few_and_many_entries(app, client, slug, organiser,
                                                                          make_item, count_queries):
    def queries_for_page() -> int:
        with count_queries() as statements:
            assert client.get(f"/manage/events/{slug}/audit").status_code == 200
        return len(statements)

    _mixed_entries(app, slug, organiser, make_item, 1)
    few = queries_for_page()
    _mixed_entries(app, slug, organiser, make_item, 12)
    many = queries_for_page()

    assert many == few
    assert few <= 12
    with app.app_context():
        assert db.session.query(AuditEntry).count() == 2 + 39  # the organiser's account and staff place, and 13 × 3
