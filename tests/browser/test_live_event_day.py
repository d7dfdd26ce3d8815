"""The event day in Chromium, as one moment: an on-site and a digital attendee (each their own browser, their
personal page open) and an organiser who moderates. A question from each reaches the moderator's view, is
approved and pinned and reaches the presenter's view; an announcement reaches both personal pages (the
digital one with the join link, the on-site one with the venue); group choice opened from the live console
reaches both pages with their own mode's groups only; the console's arrivals rise when the on-site person
is checked in at the door and when the digital one opens their join link. None of these pages is read
again. Then the console, the closing panel's view and the group leader's page pass axe and reflow at
320 px in Swedish and English, and the console can be used by keyboard. EVENTHUB_SCREENSHOTS=<folder>
keeps screenshots of them (390 px and 1366 px), and of the projector, moderator and presenter views."""
from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from eventhub import keyring
from eventhub.accounts import services as accounts
from eventhub.checkin import join
from eventhub.checkin import services as checkin
from eventhub.events.models import Event
from eventhub.extensions import db
from eventhub.groups import leaders
from eventhub.groups import services as groups
from eventhub.groups.models import DiscussionGroup
from eventhub.live import channel, qa
from eventhub.live import services as live
from eventhub.programme.models import ProgrammeItem
from eventhub.registration import services as registration
from eventhub.registration import tokens
from eventhub.registration.models import Registration
from tests.browser.conftest import demo_app, dispose
from tests.browser.support import (
    DESKTOP,
    NARROW,
    PHONE,
    assert_no_axe_violations,
    assert_reflows,
    signed_in_page,
)
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

SLUG = "integration-i-arbetslivet"
EMAIL, PASSWORD = "olga@example.se", "a-long-enough-password"
SHOTS = os.environ.get("EVENTHUB_SCREENSHOTS")
WIDE = {"viewport": {"width": 1366, "height": 900}}
LIVE = f"/manage/events/{SLUG}/live"
WAIT = 20_000  # ms: a loaded 2-core machine, a page that reads itself again at most every two seconds
MEETING = "/events/" + SLUG  # the meeting platform, played by the event's public page on the test server


def _shift_to_now(event: Event, now: datetime) -> None:
    """The demo event, moved so that it began half an hour ago (questions may be asked, join links work)."""
    delta = now - timedelta(minutes=30) - event.starts_at
    event.starts_at, event.ends_at = event.starts_at + delta, event.ends_at + delta
    for item in db.session.scalars(select(ProgrammeItem).where(ProgrammeItem.event_id == event.id)):
        item.starts_at = item.starts_at + delta
        item.ends_at = item.ends_at + delta if item.ends_at else None


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    app = demo_app(tmp_path_factory.mktemp("day") / "d.sqlite")
    app.config.update(LIVE_STREAM_SECONDS=60, LIVE_HEARTBEAT_SECONDS=5)
    keys, now = keyring.of(app), datetime.now(UTC)
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == SLUG))
        _shift_to_now(event, now)
        event.group_choice_open = False  # before the pitch
        event.on_site_may_join_digital_groups = False  # each sees the groups of their way of taking part
        olga, _ = accounts.create_user(EMAIL, "Olga Organisatör", "organiser", now, password=PASSWORD)
        accounts.add_staff(event.id, olga.id, "organiser", olga.id)
        people, ids = {}, {}
        for name, mode, language in (("Anna Andersson", "on_site", "sv"), ("Bo Berg", "digital", "sv"),
                                     ("Cecilia Carter", "on_site", "en"), ("David Dahl", "digital", "en")):
            person = registration.register(event.id, registration.RegistrationInput(
                name=name, email=f"{name.split()[0].lower()}@example.se", mode=mode, sector="public",
                language=language, privacy_accepted=True), now, keys).registration
            key = name.split()[0].lower()
            people[key], ids[key] = tokens.manage_token(keys, person.token_salt), person.id
        db.session.commit()
        # Two groups with a leader's link, a member who has come, and key points: for the leader's page and
        # the panel's view (Anna and Bo, the main test's people, stay outside every group and have not come).
        leader_tokens = {}
        for mode, who, where in (("on_site", "cecilia", "i salen"), ("digital", "david", "på nätet")):
            group = groups.choosable(event, mode)[0]
            groups.place(ids[who], group.id, keys)
            db.session.commit()
            leader_tokens[mode] = leaders.make_link(event.id, group.id, olga.id, keys, now)
            group = db.session.get(DiscussionGroup, group.id)
            leaders.save_key_points(group, f"- Samverkan över gränserna, sagt {where}\n"
                                    "- Fler vägar in på arbetsmarknaden\n- Uppföljning med kommunen efter sommaren",
                                    now, version=0)
        cecilia = db.session.get(Registration, ids["cecilia"])
        checkin.scan(event.id, tokens.ticket_payload(keys, cecilia), None, "fixture-1", now, keys)
        join.join(ids["david"], now)
        event_id, olga_id = event.id, olga.id
    live_server = LiveServer(app).start()
    with app.app_context():  # the join link sends people to an address the test server answers
        db.session.get(Event, event_id).join_url = live_server.url + MEETING
        db.session.commit()
    live_server.app, live_server.tokens, live_server.ids = app, people, ids
    live_server.event_id, live_server.olga, live_server.leaders = event_id, olga_id, leader_tokens
    yield live_server
    live_server.stop()
    dispose(app)


def _attendee(new_context, server, who, **options):
    page = new_context(server=server, **options).new_page()
    page.goto(f"/r/{server.tokens[who]}")
    page.wait_for_selector("[data-live][data-channel=stream]")  # its stream is open
    page.evaluate("() => { window.__notReloaded = true; }")
    return page


def _staff(page, path):
    page.goto(path)
    page.wait_for_selector("[data-live-staff][data-channel=stream]")
    page.evaluate("() => { window.__notReloaded = true; }")
    return page


def _not_reloaded(*pages) -> bool:
    return all(page.evaluate("() => window.__notReloaded === true") for page in pages)


def _ask(page, text):
    page.fill("[data-ask-form] textarea", text)
    with page.expect_navigation():
        page.click("[data-ask-form] button[type=submit]")
    page.wait_for_selector("[data-live][data-channel=stream]")
    page.evaluate("() => { window.__notReloaded = true; }")  # from here on, nothing reads it again


def _figure(page, mode) -> int:
    return int(page.inner_text(f"[data-figure={mode}] .console-number").strip())


def _wait_figure(page, mode, value):
    page.wait_for_function(
        "([mode, value]) => { const n = document.querySelector(`[data-figure=${mode}] .console-number`);"
        " return n && n.textContent.trim() === String(value); }", arg=[mode, value], timeout=WAIT)


def _shot(page, name):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def test_the_event_day_reaches_both_audiences_and_the_organisers_without_a_reload(new_context, server):
    anna = _attendee(new_context, server, "anna", **PHONE)  # on site
    bo = _attendee(new_context, server, "bo", **DESKTOP)  # digital
    organiser = signed_in_page(new_context, server, "sv", EMAIL, PASSWORD, **WIDE)
    console = _staff(organiser, LIVE)
    moderator = _staff(organiser.context.new_page(), f"{LIVE}/questions")
    presenter = _staff(organiser.context.new_page(), f"{LIVE}/presenter")
    on_site_before, digital_before = _figure(console, "on_site"), _figure(console, "digital")
    assert (on_site_before, digital_before) == (1, 1)  # the fixture's Cecilia and David

    # A question from each reaches the moderator, with where it came from; approved and pinned, the
    # presenter's screen shows it.
    waiting_count = "() => document.querySelector('#console-questions').closest('section')" \
                    ".querySelector('.console-number').textContent.trim()"
    waiting_before = int(console.evaluate(waiting_count))
    _ask(anna, "Hur når vi de unga i Sjuhärad?")
    _ask(bo, "Hur deltar små företag på distans?")
    asked = {"Hur når vi de unga i Sjuhärad?": "På plats", "Hur deltar små företag på distans?": "Digitalt"}
    for text, audience in asked.items():  # each arrived without a reload, with where it came from
        card = moderator.locator(f"#queue-waiting + ul .mod-question:has(.question-text:text-is('{text}'))")
        card.wait_for(timeout=WAIT)
        assert card.locator(".audience").inner_text() == audience
    console.wait_for_function(f"() => ({waiting_count})() === '{waiting_before + 2}'", timeout=WAIT)
    for words in ("Hur når vi de unga", "Hur deltar små företag"):
        card = f".mod-question:has(.question-text:has-text('{words}'))"
        moderator.locator(card).locator("form[action$='/approve'] button").click()
        moderator.locator(f"#queue-shown + ul {card}").wait_for(timeout=WAIT)
        moderator.locator(card).locator("form[action$='/pin'] button").click()
        presenter.wait_for_selector(f".presenter-text:has-text('{words}')", timeout=WAIT)
    assert "Bo Berg" in presenter.inner_text("[data-pinned]") and "Digitalt" in presenter.inner_text("[data-pinned]")
    for page in (anna, bo):  # both see both questions, shown
        page.wait_for_selector("[data-questions-list] .question-text:has-text('Hur deltar små företag')", timeout=WAIT)
        page.wait_for_selector("[data-questions-list] .question-text:has-text('Hur når vi de unga')", timeout=WAIT)

    # An announcement reaches both personal pages: the join link for the digital one, the venue for the room.
    sender = organiser.context.new_page()
    sender.goto(f"/manage/events/{SLUG}/announcements")
    sender.check("input[name=audience][value=all]")
    sender.fill("#text_sv", "Tillbaka i stora salen om fem minuter")
    with sender.expect_navigation():
        sender.click("main form.announcement-form button[type=submit]")
    for page in (anna, bo):
        page.wait_for_selector(".announcement-text:has-text('Tillbaka i stora salen om fem minuter')", timeout=WAIT)
    assert bo.locator(".announcement a[href$='/join']").inner_text() == "Anslut till evenemanget"
    assert anna.locator(".announcement a[href$='/join']").count() == 0
    assert "Textile Fashion Center" in anna.inner_text(".announcement")
    console.wait_for_selector(".console-sent:has-text('Tillbaka i stora salen om fem minuter')", timeout=WAIT)

    # Group choice opened from the console reaches both pages, each with its own mode's groups.
    assert anna.locator("#choose-group").count() == 0 and bo.locator("#choose-group").count() == 0
    with console.expect_navigation():
        console.click("[data-console-live] button:has-text('Öppna gruppvalet')")
    _staff(console, LIVE)
    assert "Öppet" in console.inner_text("#console-groups + p")
    for page in (anna, bo):
        page.wait_for_selector("#choose-group", timeout=WAIT)
    labels = {name: page.locator("#choose-group label").all_inner_texts()
              for name, page in (("anna", anna), ("bo", bo))}
    with server.app.app_context():
        event = db.session.get(Event, server.event_id)
        titles = {mode: {group.title for group in groups.choosable(event, mode)} for mode in ("on_site", "digital")}
    assert len(titles["on_site"]) == len(titles["digital"]) == 3
    assert set(labels["anna"]) == titles["on_site"] and set(labels["bo"]) == titles["digital"]
    assert "Samverkan för ökad social hållbarhet" in labels["anna"]
    assert "Utmaningar med att organisera integrering i projektform" in labels["bo"]

    # Arrivals: the door scans Anna's ticket, Bo opens his join link (the platform answered by the test).
    with server.app.app_context():
        person = db.session.get(Registration, server.ids["anna"])
        keys = keyring.of(server.app)
        assert checkin.scan(server.event_id, tokens.ticket_payload(keys, person), None, "door-1",
                            datetime.now(UTC), keys).colour == "green"
    _wait_figure(console, "on_site", on_site_before + 1)
    assert _figure(console, "digital") == digital_before
    meeting = bo.context.new_page()  # the join link in a tab of its own, as the page opens it
    meeting.goto(bo.locator(".announcement a[href$='/join']").first.get_attribute("href"))
    assert meeting.url == server.url + MEETING
    _wait_figure(console, "digital", digital_before + 1)

    assert _not_reloaded(anna, bo, moderator, presenter), "a page was read again"
    _shot(console, "day-console-sv-1366")


def test_the_leader_s_count_and_the_panel_s_key_points_follow_without_a_reload(new_context, server):
    """A member checked in at the door raises the leader's count; the key points the leader saves appear on
    the panel's view; neither page is reloaded."""
    keys, now = keyring.of(server.app), datetime.now(UTC)
    with server.app.app_context():
        event = db.session.get(Event, server.event_id)
        group = groups.choosable(event, "on_site")[0]
        erik = registration.register(event.id, registration.RegistrationInput(
            name="Erik Ek", email="erik@example.se", mode="on_site", sector="public", language="sv",
            privacy_accepted=True), now, keys).registration
        groups.place(erik.id, group.id, keys)
        db.session.commit()
        erik_id, group_id = erik.id, group.id
    leader = new_context(server=server, lang="sv", **PHONE).new_page()
    leader.goto(f"/leader/{server.leaders['on_site']}")
    leader.wait_for_selector("[data-leader-live][data-channel=stream]")
    leader.evaluate("() => { window.__notReloaded = true; }")
    before = leader.inner_text(".member-count")
    panel = _staff(signed_in_page(new_context, server, "sv", EMAIL, PASSWORD, **WIDE), f"{LIVE}/panel")

    with server.app.app_context():
        person = db.session.get(Registration, erik_id)
        assert checkin.scan(server.event_id, tokens.ticket_payload(keys, person), None, "door-erik",
                            datetime.now(UTC), keys).colour == "green"
    leader.wait_for_function("(before) => document.querySelector('.member-count').innerText !== before",
                             arg=before, timeout=WAIT)
    assert leader.inner_text(".member-count").startswith("2 av gruppens medlemmar har kommit")

    with server.app.app_context():
        current = leaders.key_points_of(group_id)
        leaders.save_key_points(db.session.get(DiscussionGroup, group_id), "- Mentorskap för nyanlända",
                                datetime.now(UTC), version=current.version if current else 0)
    panel.wait_for_function("() => document.querySelector('[data-panel-live]').innerText.includes('Mentorskap')",
                            timeout=WAIT)
    assert _not_reloaded(leader, panel)


STAFF_PAGES = {"console": LIVE, "panel": f"{LIVE}/panel"}


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_console_panel_and_leader_pages_pass_axe_and_reflow(new_context, server, lang):
    with server.app.app_context():  # a question waiting and an announcement sent, whatever ran before
        hub, now = channel.of(server.app), datetime.now(UTC)
        item = qa.askable_items(db.session.get(Event, server.event_id), "on_site")[-1]
        qa.ask(server.ids["cecilia"], item.id, f"Vilka kommuner är med i nätverket? ({lang})", False, now, hub)
        live.send(server.event_id, "all", f"Fikat är framdukat i foajén ({lang})", f"Coffee is served ({lang})",
                  False, server.olga, keyring.of(server.app), now, hub)
    for size_name, size in (("390", PHONE), ("1366", WIDE)):
        staff = signed_in_page(new_context, server, lang, EMAIL, PASSWORD, **size)
        for name, path in STAFF_PAGES.items():
            staff.goto(path)
            assert_no_axe_violations(staff, f"{name} ({lang}, {size_name})")
            _shot(staff, f"{name}-{lang}-{size_name}")
        for mode, token in server.leaders.items():
            leader = new_context(server=server, lang=lang, **size).new_page()
            leader.goto(f"/leader/{token}")
            assert leader.inner_text(".member-count").strip()[0].isdigit()  # whoever came before it
            assert_no_axe_violations(leader, f"leader's page, {mode} ({lang}, {size_name})")
            _shot(leader, f"leader-{mode}-{lang}-{size_name}")
        if size_name == "1366":
            for name in ("projector", "questions", "presenter"):
                staff.goto(f"{LIVE}/{name}")
                _shot(staff, f"{name}-{lang}-1366")
    narrow = signed_in_page(new_context, server, lang, EMAIL, PASSWORD, **NARROW)
    for path in STAFF_PAGES.values():
        narrow.goto(path)
        assert_reflows(narrow)
    for token in server.leaders.values():
        narrow.goto(f"/leader/{token}")
        assert_reflows(narrow)


FOCUSED = """() => { const e = document.activeElement, s = getComputedStyle(e);
  return {inConsole: !!e.closest('[data-console-live]'), tag: e.tagName.toLowerCase(),
          href: e.getAttribute('href'), text: e.textContent.trim(),
          visible: e.matches(':focus-visible') && s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0}; }"""


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_console_is_used_by_keyboard_with_visible_focus(new_context, server, lang):
    page = signed_in_page(new_context, server, lang, EMAIL, PASSWORD, **WIDE)
    page.goto(LIVE)
    page.wait_for_selector("[data-live-staff][data-channel=stream]")
    expected = page.evaluate("""() => [...document.querySelectorAll(
        '[data-console-live] a, [data-console-live] button')]
        .map(e => e.getAttribute('href') || e.textContent.trim())""")
    assert len(expected) >= 7 and any(not key.startswith("/") for key in expected)  # the links and the button
    reached, hidden = [], []
    for _ in range(80):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused["inConsole"]:
            reached.append(focused["href"] or focused["text"])
            if not focused["visible"]:
                hidden.append(focused["href"] or focused["text"])
        elif reached:
            break  # past the console
    assert reached == expected
    assert not hidden, f"no visible focus on {hidden}"
