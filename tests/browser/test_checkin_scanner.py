"""The host's scanner at the door in a real browser: a fake camera showing a ticket's QR code, the
code field (as a USB scanner types), offline check-ins queued on the device and synced later (also
from two devices at once), amber and red answers, name search, walk-ins, and axe-core on the page.

The server has a database of its own (fresh SQLite with the demo events) and one host of the hybrid
demo event; each test registers the people it scans, so the tests do not depend on each other.
"""
from __future__ import annotations

import io
import json
import re
import secrets
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from eventhub import keyring
from eventhub.accounts import services as accounts
from eventhub.checkin.models import CheckIn
from eventhub.events.models import Event
from eventhub.extensions import db
from eventhub.registration import services as registration
from eventhub.registration import tokens
from eventhub.registration.models import Registration
from eventhub.registration.qr import qr_png
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, demo_app, dispose
from tests.browser.support import DESKTOP, NARROW, PHONE, VIEWPORTS, assert_no_axe_violations, assert_reflows
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

SLUG = "integration-i-arbetslivet"  # the hybrid demo event: on site and digital
SCANNER = f"/checkin/{SLUG}"
HOST_EMAIL = "dora@example.se"
HOST_NAME = "Dora Dörrvakt"
PASSWORD = "a-long-enough-password"
SYNC_TIMEOUT = 20_000  # the scanner retries a failed sync every few seconds
FOCUSED = """() => { const e = document.activeElement, s = getComputedStyle(e);
  return {text: e.textContent.trim(), visible: e.matches(':focus-visible') && s.outlineStyle !== 'none'}; }"""


@pytest.fixture(scope="module")
def scanner_server(tmp_path_factory):
    app = demo_app(tmp_path_factory.mktemp("scanner") / "s.sqlite")
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == SLUG))
        host, _token = accounts.create_user(HOST_EMAIL, HOST_NAME, "host", datetime.now(UTC), password=PASSWORD)
        accounts.add_staff(event.id, host.id, "host", None)
        db.session.commit()
    server = LiveServer(app).start()
    server.app = app
    yield server
    server.stop()
    dispose(app)


class Person:
    def __init__(self, registration_id: int, name: str, payload: str, short_code: str):
        self.id, self.name, self.payload, self.short_code = registration_id, name, payload, short_code


def register(server, name: str, mode: str = "on_site", organisation: str = "Borås Stad",
             group_title: str | None = None) -> Person:
    """A confirmed registration of the demo event (as an organiser adds one), with its ticket codes."""
    app = server.app
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == SLUG))
        group_id = None
        if group_title:
            group_id = next(group.id for item in event.programme_items for group in item.groups
                            if group.title == group_title and group.mode == mode)
        data = registration.RegistrationInput(
            name=name, email=f"{secrets.token_hex(4)}@example.se", mode=mode, organisation=organisation,
            privacy_accepted=True, group_id=group_id)
        person = registration.register(event.id, data, datetime.now(UTC), keyring.of(app),
                                       organiser=True).registration
        keys = keyring.of(app)
        return Person(person.id, person.name, tokens.ticket_payload(keys, person),
                      tokens.short_code(keys, person.token_salt, person.ticket_version))


def check_ins(server, person: Person) -> list[CheckIn]:
    with server.app.app_context():
        return list(db.session.scalars(select(CheckIn).where(CheckIn.registration_id == person.id)
                                       .order_by(CheckIn.id)))


def registration_row(server, person: Person) -> Registration:
    with server.app.app_context():
        row = db.session.get(Registration, person.id)
        db.session.expunge(row)
        return row


def open_scanner(context):
    """Sign in through the form and open the scanner once the ticket list is on the device."""
    page = context.new_page()
    page.goto("/account/login")
    page.fill("#email", HOST_EMAIL)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    page.goto(SCANNER)
    page.wait_for_selector("#scanner[data-tickets]", state="attached")
    return page


def scan(page, code: str) -> None:
    """What a USB scanner does: type the code into the focused field and press Enter."""
    page.fill("#code-input", code)
    page.press("#code-input", "Enter")


def wait_for_result(page, colour: str, text: str | None = None):
    result = page.locator(f"#result.is-{colour}")
    result.wait_for()
    if text:
        page.wait_for_function("([colour, text]) => document.querySelector('#result.is-' + colour)"
                               "?.textContent.includes(text)", arg=[colour, text])
    return result


# --- 0. the offline decision follows the server's rule table ---------------------------------

DOOR_TABLE = json.loads((Path(__file__).parents[1] / "checkin" / "door_rules.json").read_text())
DOOR_RULES, DOOR_CODES = DOOR_TABLE["cases"], DOOR_TABLE["codes"]


def test_offline_decision_answers_the_door_rule_table_as_the_server_does(new_context, scanner_server):
    """The same cases as tests/checkin/test_checkin_door_rules.py, decided by the module the scanner uses."""
    page = new_context(server=scanner_server).new_page()
    page.goto("/")

    answers = page.evaluate("""async (cases) => {
        const {decide} = await import("/static/js/checkin/decide.js");
        return cases.map((c) => decide(c.ticket)); }""", DOOR_RULES)

    assert [(case["case"], answer) for case, answer in zip(DOOR_RULES, answers, strict=True)] == [
        (case["case"], case["answer"]) for case in DOOR_RULES]


def test_offline_reading_of_codes_answers_the_table_as_the_server_does(new_context, scanner_server):
    """The codes of tests/checkin/test_checkin_door_rules.py read by the scanner's own module: a short code
    is found in the device's list only when it is no QR code and its ASCII letters and digits make one."""
    page = new_context(server=scanner_server).new_page()
    page.goto("/")

    answers = page.evaluate("""async (cases) => {
        const {findTicket, normaliseShortCode, sha256, TICKET_PREFIX} = await import("/static/js/checkin/tickets.js");
        const answers = [];
        for (const c of cases) {
          const list = c.short ? [{id: 1, ticket: "-", code: await sha256(c.short)}] : [];
          answers.push({qr: c.text.startsWith(TICKET_PREFIX), short: normaliseShortCode(c.text),
                        found: (await findTicket(list, c.text)) !== null});
        }
        return answers; }""", DOOR_CODES)

    assert [(case["text"], answer) for case, answer in zip(DOOR_CODES, answers, strict=True)] == [
        (case["text"], {"qr": case["qr"], "short": case["short"], "found": bool(case["short"]) and not case["qr"]})
        for case in DOOR_CODES]


# --- 1. the camera ---------------------------------------------------------------------------

def write_y4m(path, image: Image.Image, frames: int = 30) -> None:
    """A YUV4MPEG2 4:2:0 video of identical frames (10 per second), as Chromium's fake camera reads."""
    width, height = image.size
    y, cb, cr = image.convert("YCbCr").split()
    half = (width // 2, height // 2)
    chroma = b"".join(plane.resize(half, Image.BILINEAR).tobytes() for plane in (cb, cr))
    frame = b"FRAME\n" + y.tobytes() + chroma
    with open(path, "wb") as handle:
        handle.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            handle.write(frame)


@pytest.fixture
def camera_video(tmp_path):
    """``camera_video(payload)``: a .y4m file of the ticket's QR code held up on a white page."""

    def make(payload: str):
        code = Image.open(io.BytesIO(qr_png(payload, box_size=10))).convert("RGB")
        canvas = Image.new("RGB", (640, 480), "white")
        canvas.paste(code, ((640 - code.width) // 2, (480 - code.height) // 2))
        path = tmp_path / "ticket.y4m"
        write_y4m(path, canvas)
        return path

    return make


def test_fake_camera_checks_a_ticket_in_once(_playwright, scanner_server, camera_video):
    person = register(scanner_server, "Kamilla Kameravän", group_title="Samverkan för ökad social hållbarhet")
    video = camera_video(person.payload)
    browser = _playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS + [
        "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={video}"])
    try:
        context = browser.new_context(base_url=scanner_server.url, permissions=["camera"], **PHONE)
        context.set_default_timeout(15_000)
        context.add_cookies([{"name": "lang", "value": "en", "url": scanner_server.url}])
        # Chromium on Linux has no BarcodeDetector; take it away anyway, so the vendored jsQR is what is tested.
        context.add_init_script("delete window.BarcodeDetector; delete globalThis.BarcodeDetector;")
        page = open_scanner(context)
        page.click("#camera-toggle")
        result = wait_for_result(page, "green", person.name)
        assert page.get_attribute("#scanner", "data-decoder") == "jsqr"
        assert "Checked in" in result.inner_text()
        assert "Borås Stad" in result.inner_text()
        assert "Samverkan för ökad social hållbarhet" in result.inner_text()
        assert page.get_attribute("#camera-toggle", "aria-pressed") == "true"
        # The camera keeps seeing the same code: it must not be sent again.
        page.wait_for_timeout(3500)
        assert len(check_ins(scanner_server, person)) == 1
        assert registration_row(scanner_server, person).checked_in_at is not None
        assert check_ins(scanner_server, person)[0].outcome == "checked_in"
        assert "Already" not in page.inner_text("#result")
    finally:
        browser.close()


# --- 2. offline ------------------------------------------------------------------------------

def test_offline_check_in_is_queued_kept_over_a_reload_and_synced(new_context, scanner_server):
    person = register(scanner_server, "Olle Offline")
    typed = register(scanner_server, "Tyra Tangentbord")
    context = new_context(server=scanner_server, lang="en", **PHONE)
    page = open_scanner(context)

    context.set_offline(True)
    page.locator("#connection.is-offline").wait_for()
    assert "Offline" in page.inner_text("#connection")
    scan(page, person.payload)
    result = wait_for_result(page, "green", person.name)
    assert "saved on this device" in result.inner_text()
    assert page.inner_text("#queue") == "1 check-in waiting to sync"
    # A short code typed by hand, carelessly: decided on the device too (same normalisation, SHA-256).
    scan(page, typed.short_code.lower().replace("-", " ").replace("0", "o"))
    wait_for_result(page, "green", typed.name)
    assert page.inner_text("#queue") == "2 check-ins waiting to sync"
    scan(page, person.payload)  # the same ticket again, still offline
    wait_for_result(page, "amber", person.name)
    assert page.inner_text("#queue") == "2 check-ins waiting to sync"
    assert check_ins(scanner_server, person) == []

    # Back online, but the sync does not get through; a reload must not lose the queue.
    page.route("**/api/sync", lambda route: route.abort())
    context.set_offline(False)
    page.reload()
    page.wait_for_selector("#scanner[data-tickets]", state="attached")
    assert page.inner_text("#queue") == "2 check-ins waiting to sync"
    assert check_ins(scanner_server, person) == []

    page.unroute("**/api/sync")
    page.locator("#queue").wait_for(state="hidden", timeout=SYNC_TIMEOUT)
    page.locator("#connection.is-online").wait_for()
    for someone in (person, typed):
        rows = check_ins(scanner_server, someone)
        assert [(row.outcome, row.offline) for row in rows] == [("checked_in", True)]
        assert registration_row(scanner_server, someone).checked_in_at is not None
    assert "2 check-ins made offline are now saved" in page.inner_text("#sync-report")


def test_a_queue_with_items_the_server_cannot_read_still_syncs_the_rest(new_context, scanner_server):
    """A code no ticket has and items no page of ours makes leave the queue with a report; the real
    check-in behind them arrives (before, one such item failed every sync of the phone)."""
    person = register(scanner_server, "Quinn Kö")
    context = new_context(server=scanner_server, lang="en", **PHONE)
    page = open_scanner(context)
    context.set_offline(True)
    page.locator("#connection.is-offline").wait_for()
    scan(page, person.payload)
    wait_for_result(page, "green", person.name)
    page.route("**/api/sync", lambda route: route.abort())
    context.set_offline(False)
    page.evaluate("""(key) => { const queue = JSON.parse(localStorage.getItem(key));
        localStorage.setItem(key, JSON.stringify([{code: "Åsa Öhman", nonce: "typed-0001", name: "Åsa"},
            {code: "EH1:¹-1-X", nonce: "scanned-0001"}, {code: "no nonce"}, null, ...queue])); }""",
                  f"eventhub.checkin.{SLUG}.queue")
    page.reload()
    page.wait_for_selector("#scanner[data-tickets]", state="attached")
    assert page.inner_text("#queue") == "5 check-ins waiting to sync"

    page.unroute("**/api/sync")
    page.locator("#queue").wait_for(state="hidden", timeout=SYNC_TIMEOUT)

    assert [(row.outcome, row.offline) for row in check_ins(scanner_server, person)] == [("checked_in", True)]
    report = page.inner_text("#sync-report")
    assert "1 check-in made offline is now saved" in report
    assert "Not checked in: Åsa. No ticket matches this code" in report
    assert report.count("could not be read and was not saved") == 2


def test_scanner_starts_offline_from_a_cold_reload_and_queues(new_context, scanner_server):
    """Wi-Fi gone and the tab reloaded (or reopened): the service worker serves the page and its
    scripts, the ticket list is still on the device, and the scan is decided and queued."""
    person = register(scanner_server, "Cilla Kallstart")
    context = new_context(server=scanner_server, lang="en", **PHONE)
    page = open_scanner(context)
    page.wait_for_selector("#scanner[data-offline-ready]", state="attached")
    page.wait_for_function("""async () => { const names = await caches.keys();
        const cache = await caches.open(names.find((n) => n.startsWith('eventhub-scanner-')));
        return !!(await cache.match(location.pathname)); }""")
    # The worker is fully active (it claimed this page) before the network goes: a reload in the
    # moment between "ready" and "activated" is not what this test is about.
    page.wait_for_function("() => navigator.serviceWorker.controller?.state === 'activated'")

    context.set_offline(True)
    response = page.reload()
    assert response is not None and response.from_service_worker
    page.wait_for_selector("#scanner")
    page.locator("#connection.is-offline").wait_for()
    scan(page, person.payload)
    result = wait_for_result(page, "green", person.name)
    assert "saved on this device" in result.inner_text()
    assert page.inner_text("#queue") == "1 check-in waiting to sync"

    # A new tab of the same phone, still offline: the scanner opens from the kept copy too.
    second = context.new_page()
    response = second.goto(SCANNER)
    assert response is not None and response.from_service_worker
    second.wait_for_selector("#scanner")
    # The queue line is written by the scanner's script once it has read the device's copy.
    second.wait_for_function("() => document.querySelector('#queue')?.innerText === '1 check-in waiting to sync'")

    context.set_offline(False)
    page.locator("#queue").wait_for(state="hidden", timeout=SYNC_TIMEOUT)
    assert [(row.outcome, row.offline) for row in check_ins(scanner_server, person)] == [("checked_in", True)]


def test_scanner_forgets_this_device_s_copy_after_the_event(new_context, scanner_server):
    """Names are kept on the phone only as long as the event needs them."""
    # Without the service worker, so that the test can rewrite the page as it arrives.
    context = new_context(server=scanner_server, lang="en", service_workers="block", **PHONE)
    page = open_scanner(context)
    kept = f"eventhub.checkin.{SLUG}.tickets"
    assert page.evaluate("(key) => localStorage.getItem(key) !== null", kept)

    def a_day_after_the_event(route):
        html = route.fetch().text()
        route.fulfill(body=re.sub(r'data-forget-after="[^"]*"', 'data-forget-after="2000-01-01T00:00:00+00:00"', html),
                      content_type="text/html")

    page.route(f"**{SCANNER}", a_day_after_the_event)
    page.evaluate("() => document.getElementById('scanner').removeAttribute('data-tickets')")
    page.reload()
    page.wait_for_selector("#scanner[data-tickets]", state="attached")  # still scans from memory

    assert page.evaluate("(key) => localStorage.getItem(key)", kept) is None


@pytest.mark.parametrize("where", ["the scanner left open", "another page of the site"])
def test_the_device_s_copy_is_forgotten_after_the_event_without_reopening_the_scanner(
        new_context, scanner_server, where):
    context = new_context(server=scanner_server, lang="en", service_workers="block", **PHONE)
    page = open_scanner(context)
    kept, past = f"eventhub.checkin.{SLUG}.tickets", "2000-01-01T00:00:00+00:00"
    assert page.evaluate("(key) => localStorage.getItem(key) !== null", kept)
    if where == "the scanner left open":
        page.evaluate("(past) => { document.getElementById('scanner').dataset.forgetAfter = past; }", past)
        page.wait_for_function("(key) => localStorage.getItem(key) === null", arg=kept)  # at the next tick
    else:
        page.evaluate("([key, past]) => localStorage.setItem(key, JSON.stringify(past))",
                      [f"eventhub.checkin.{SLUG}.forget_after", past])
        page.goto("/")
        page.wait_for_load_state("load")
        keys = page.evaluate("() => Object.keys(localStorage)")
        assert [key for key in keys if key.startswith(f"eventhub.checkin.{SLUG}.")] == []


DEVICE_COPY = """async (key) => ({
  tickets: localStorage.getItem(key) !== null,
  caches: (await caches.keys()).filter((name) => name.startsWith("eventhub-scanner-")).length,
  workers: (await navigator.serviceWorker.getRegistrations()).length,
})"""


def _without_clear_site_data(route):
    answer = route.fetch(max_redirects=0)
    headers = {name: value for name, value in answer.headers.items() if name.lower() != "clear-site-data"}
    route.fulfill(response=answer, headers=headers)


@pytest.mark.parametrize("cleared_by", ["header", "script"])
def test_signing_out_deletes_the_scanner_s_copy_on_the_device(new_context, scanner_server, cleared_by):
    """The sign-out answer's Clear-Site-Data header deletes the ticket list (names), the queue, the cached
    pages and the service worker; the next page's script does it too, for browsers without the header."""
    context = new_context(server=scanner_server, lang="en", **PHONE)
    page = open_scanner(context)
    page.wait_for_selector("#scanner[data-offline-ready]", state="attached")
    kept = f"eventhub.checkin.{SLUG}.tickets"
    page.wait_for_function("async () => (await caches.keys()).length > 0")
    assert page.evaluate(DEVICE_COPY, kept) == {"tickets": True, "caches": 1, "workers": 1}

    if cleared_by == "header":  # the next page's script does nothing
        context.route("**/static/js/forms.js", lambda route: route.fulfill(body="", content_type="text/javascript"))
    else:
        context.route("**/account/logout", _without_clear_site_data)
    with page.expect_navigation():
        page.click("form[data-sign-out] button")
    if cleared_by == "script":
        page.wait_for_selector("body[data-device-cleared]", state="attached")
    assert "You are signed out." in page.inner_text("main")
    assert page.evaluate(DEVICE_COPY, kept) == {"tickets": False, "caches": 0, "workers": 0}


def test_signing_out_with_check_ins_not_sent_asks_first(new_context, scanner_server):
    person = register(scanner_server, "Osänd Utloggning")
    context = new_context(server=scanner_server, lang="en", **PHONE)
    page = open_scanner(context)
    page.route("**/api/sync", lambda route: route.abort())  # the check-in cannot be sent
    context.set_offline(True)
    page.locator("#connection.is-offline").wait_for()
    scan(page, person.payload)
    wait_for_result(page, "green", person.name)
    context.set_offline(False)
    asked = []

    def answer(dialog):
        asked.append(dialog.message)
        dialog.dismiss() if len(asked) == 1 else dialog.accept()

    page.on("dialog", answer)
    page.click("form[data-sign-out] button")
    assert asked == ["1 check-in made on this device has not been sent yet. Signing out deletes it from this "
                     "device. Sign out anyway?"]
    assert page.url.endswith(SCANNER) and page.inner_text("#queue") == "1 check-in waiting to sync"
    with page.expect_navigation():
        page.click("form[data-sign-out] button")
    assert len(asked) == 2 and not page.url.endswith(SCANNER)


def test_same_ticket_offline_on_two_devices_counts_once_and_reports_the_duplicate(new_context, scanner_server):
    person = register(scanner_server, "Tvåfald Tvilling")
    first = open_scanner(new_context(server=scanner_server, lang="en", **PHONE))
    second = open_scanner(new_context(server=scanner_server, lang="en", **DESKTOP))
    for page in (first, second):
        page.context.set_offline(True)
        page.locator("#connection.is-offline").wait_for()
        scan(page, person.payload)
        wait_for_result(page, "green", person.name)
        assert page.inner_text("#queue") == "1 check-in waiting to sync"

    first.context.set_offline(False)
    first.locator("#queue").wait_for(state="hidden", timeout=SYNC_TIMEOUT)
    second.context.set_offline(False)
    second.locator("#queue").wait_for(state="hidden", timeout=SYNC_TIMEOUT)

    report = second.locator("#sync-report")
    report.get_by_text("Duplicate").wait_for()
    assert person.name in report.inner_text() and HOST_NAME in report.inner_text()
    assert sorted(row.outcome for row in check_ins(scanner_server, person)) == ["checked_in", "duplicate"]
    assert registration_row(scanner_server, person).checked_in_at is not None


# --- 3. amber, red, undo, search, walk-in -------------------------------------------------------

def test_amber_red_and_undo_through_the_code_field(new_context, scanner_server):
    person = register(scanner_server, "Alva Amber")
    digital = register(scanner_server, "Dag Digital", mode="digital")
    page = open_scanner(new_context(server=scanner_server, lang="en", **PHONE))

    scan(page, person.payload)
    wait_for_result(page, "green", person.name)
    assert page.evaluate("document.activeElement.id") == "code-input"  # ready for the next scan

    # Undo the check-in, then check in again.
    assert page.is_enabled("#undo")
    page.click("#undo")
    wait_for_result(page, "undone", person.name)
    assert registration_row(scanner_server, person).checked_in_at is None
    assert not page.is_enabled("#undo")
    scan(page, person.payload)
    wait_for_result(page, "green", person.name)

    # The same ticket again, this time by its short code typed loosely.
    scan(page, person.short_code.lower().replace("-", ""))
    amber = wait_for_result(page, "amber", person.name)
    assert "Already checked in at" in amber.inner_text() and f"by {HOST_NAME}" in amber.inner_text()

    # A digital registrant at the door: red, with a button that moves them on site and checks them in.
    scan(page, digital.payload)
    red = wait_for_result(page, "red", digital.name)
    assert "Not checked in" in red.inner_text() and "digitally" in red.inner_text()
    page.get_by_role("button", name="Switch to on site and check in").click()
    wait_for_result(page, "green", digital.name)
    row = registration_row(scanner_server, digital)
    assert row.mode == "on_site" and row.checked_in_at is not None

    # Garbage: red, and the next scan works as ever.
    scan(page, "HELLO-WORLD-123")
    red = wait_for_result(page, "red")
    assert "No ticket matches" in red.inner_text()
    scan(page, "EH1:999999-1-AAAAAAAA")
    wait_for_result(page, "red")
    scan(page, person.payload)
    wait_for_result(page, "amber", person.name)
    assert sorted(r.outcome for r in check_ins(scanner_server, person) if r.undone_at is None) == [
        "checked_in", "duplicate", "duplicate"]


def test_counter_catches_up_with_another_phone_soon_after_a_scan(new_context, scanner_server):
    mine, theirs = register(scanner_server, "Mona Min"), register(scanner_server, "Tor Their")
    page = open_scanner(new_context(server=scanner_server, lang="en", **PHONE))
    scan(page, mine.payload)
    wait_for_result(page, "green", mine.name)
    shown = int(page.inner_text("#counter").split()[0])

    # Another host's phone checks someone in just after: this phone's answer could not count it.
    with scanner_server.app.app_context():
        from eventhub.checkin import services as checkin

        event = db.session.scalar(select(Event).where(Event.slug == SLUG))
        checkin.check_in_registration(event.id, theirs.id, None, secrets.token_hex(12), datetime.now(UTC))

    # Well before the 15-second poll, the scanner reads the counters again once the door is quiet.
    page.wait_for_function("n => document.querySelector('#counter').textContent.startsWith(String(n) + ' ')",
                           arg=shown + 1, timeout=9000)


def test_name_search_and_walk_in(new_context, scanner_server):
    person = register(scanner_server, "Sixten Sökbar", organisation="Hitta AB")
    page = open_scanner(new_context(server=scanner_server, lang="en", **DESKTOP))
    page.fill("#search-input", "sixten sök")
    page.press("#search-input", "Enter")
    page.get_by_text("1 person found.").wait_for()
    page.get_by_role("button", name=f"Check in {person.name}").click()
    wait_for_result(page, "green", person.name)
    assert [row.method for row in check_ins(scanner_server, person)] == ["search"]
    page.locator("#search-results").get_by_text("Checked in").wait_for()

    before = page.inner_text("#counter")
    page.fill("#walk-in-name", "Vera Walkin")
    page.click("#walk-in-form button[type=submit]")
    wait_for_result(page, "green", "Vera Walkin")
    assert page.inner_text("#counter") != before
    with scanner_server.app.app_context():
        walk_in = db.session.scalar(select(Registration).where(Registration.name == "Vera Walkin"))
        assert walk_in.checked_in_at is not None and walk_in.mode == "on_site"


def test_recent_check_ins_each_undoable_and_kept_over_a_reload(new_context, scanner_server):
    first, second = register(scanner_server, "Ulla Ångra"), register(scanner_server, "Ture Tvåa")
    context = new_context(server=scanner_server, lang="en", **PHONE)
    page = open_scanner(context)
    for person in (first, second):
        scan(page, person.payload)
        wait_for_result(page, "green", person.name)
    recent = page.locator("#recent-list li")
    assert recent.count() >= 2 and second.name in recent.nth(0).inner_text()

    page.reload()
    page.wait_for_selector("#scanner[data-tickets]", state="attached")
    # Not only the last one: the earlier check-in is undone from the list, after the reload.
    page.get_by_role("button", name=f"Undo the check-in of {first.name}").click()
    wait_for_result(page, "undone", first.name)
    assert registration_row(scanner_server, first).checked_in_at is None
    assert registration_row(scanner_server, second).checked_in_at is not None
    assert first.name not in page.inner_text("#recent-list")


def test_type_ahead_search_finds_people_while_typing(new_context, scanner_server):
    person = register(scanner_server, "Tyko Tidig", organisation="Skriv AB")
    page = open_scanner(new_context(server=scanner_server, lang="en", **PHONE))
    page.locator("#search-input").press_sequentially("tyko ti", delay=40)
    page.get_by_role("button", name=f"Check in {person.name}").wait_for()  # found with no Enter pressed


def test_walk_in_with_a_registered_name_asks_first_and_an_error_clears_the_result(new_context, scanner_server):
    person = register(scanner_server, "Nina Namne")
    other = register(scanner_server, "Olof Annan")
    page = open_scanner(new_context(server=scanner_server, lang="en", **DESKTOP))
    scan(page, other.payload)
    wait_for_result(page, "green", other.name)

    page.fill("#walk-in-name", "nina  NAMNE")
    page.click("#walk-in-form button[type=submit]")
    error = page.locator("#walk-in-error")
    error.wait_for()
    assert "Nina Namne is already registered" in error.inner_text()
    assert other.name not in page.inner_text("#result")  # the previous person's result is gone
    page.get_by_role("button", name=f"Check in {person.name}").wait_for()
    with scanner_server.app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Registration)
                                 .where(func.lower(Registration.name).like("nina%namne"))) == 1
    # The host says it is someone else: now the walk-in is created.
    page.get_by_role("button", name="Register a new person anyway").click()
    wait_for_result(page, "green", "nina  NAMNE".strip())
    with scanner_server.app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Registration)
                                 .where(func.lower(Registration.name).like("nina%namne"))) == 2


def test_a_cancelled_ticket_reads_the_same_scanned_typed_and_offline(new_context, scanner_server):
    person = register(scanner_server, "Carl Cancel")
    with scanner_server.app.app_context():
        registration.cancel(person.id, datetime.now(UTC), keyring.of(scanner_server.app))
    context = new_context(server=scanner_server, lang="en", **PHONE)
    page = open_scanner(context)
    answers = []
    for code in (person.payload, person.short_code):
        scan(page, code)
        answers.append(wait_for_result(page, "red", person.name).inner_text())
    context.set_offline(True)
    page.locator("#connection.is-offline").wait_for()
    scan(page, person.payload)
    answers.append(wait_for_result(page, "red", person.name).inner_text())
    assert all("This registration is cancelled." in answer for answer in answers), answers


def test_phone_shows_camera_and_last_result_together_under_a_compact_header(new_context, scanner_server):
    page = open_scanner(new_context(server=scanner_server, lang="sv", **PHONE))
    header = page.locator(".site-header").bounding_box()
    assert header["height"] <= 56  # one compact row (it was two rows, 96 px)
    camera, result = page.locator(".camera-box").bounding_box(), page.locator("#result").bounding_box()
    assert camera["y"] < result["y"], "camera first"
    assert result["y"] + 100 <= PHONE["viewport"]["height"], "the result is on screen with the camera's button"
    assert page.get_by_role("link", name="Dörrlista (PDF)").count() == 1  # the door list from the scanner


# --- 4. accessibility ------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_scanner_page_passes_axe(new_context, scanner_server, lang, viewport):
    person = register(scanner_server, f"Axel Axe {lang} {viewport}")
    page = open_scanner(new_context(server=scanner_server, lang=lang, **VIEWPORTS[viewport]))
    where = f"the scanner ({lang}, {viewport})"
    assert_no_axe_violations(page, where)
    scan(page, person.payload)
    wait_for_result(page, "green", person.name)
    assert_no_axe_violations(page, f"{where}, green")
    scan(page, person.payload)
    wait_for_result(page, "amber", person.name)
    page.fill("#search-input", "Axel")
    page.press("#search-input", "Enter")
    page.locator("#search-results li").first.wait_for()
    assert_no_axe_violations(page, f"{where}, amber and search results")
    scan(page, "not a ticket")
    wait_for_result(page, "red")
    page.context.set_offline(True)
    page.locator("#connection.is-offline").wait_for()
    assert_no_axe_violations(page, f"{where}, red and offline")


def test_scanner_reflows_at_320_px(new_context, scanner_server):
    person = register(scanner_server, "Maximiliana Långnamnsdotter-Kunskapsseminariesson",
                      organisation="Arbetsmarknadsförvaltningens utvecklingsavdelning")
    page = open_scanner(new_context(server=scanner_server, **NARROW))
    assert_reflows(page)
    scan(page, person.payload)
    wait_for_result(page, "green", person.name)
    assert_reflows(page)
    page.context.set_offline(True)
    page.locator("#connection.is-offline").wait_for()
    scan(page, "not a ticket")
    wait_for_result(page, "red")
    assert_reflows(page)


def test_signed_out_mid_shift_scans_wait_and_sync_after_signing_in_again(new_context, scanner_server):
    """A host signed out mid-shift (on another tab, or a password change ended the session): nothing may be lost."""
    person = register(scanner_server, "Sigrid Session")
    context = new_context(server=scanner_server, lang="en", **PHONE)
    page = open_scanner(context)
    other = context.new_page()
    other.goto("/manage/")
    with other.expect_navigation():
        other.click("header button[type=submit]")  # Sign out

    scan(page, person.payload)
    wait_for_result(page, "green", person.name)
    assert page.inner_text("#queue") == "1 check-in waiting to sync"
    assert "signed out" in page.inner_text("#connection")
    assert check_ins(scanner_server, person) == []

    other.goto("/account/login")
    other.fill("#email", HOST_EMAIL)
    other.fill("#password", PASSWORD)
    with other.expect_navigation():
        other.click("main button[type=submit]")
    page.locator("#queue").wait_for(state="hidden", timeout=SYNC_TIMEOUT)
    assert [row.outcome for row in check_ins(scanner_server, person)] == ["checked_in"]
    assert "Online" in page.inner_text("#connection")


def test_keyboard_alone(new_context, scanner_server):
    """Every control is reached with Tab, shows its focus, and works with Enter or Space."""
    person = register(scanner_server, "Kalle Tangent", organisation="Tabb AB")
    page = open_scanner(new_context(server=scanner_server, lang="en", **DESKTOP))
    page.focus("#search-input")
    page.keyboard.type("Kalle Tangent")
    page.keyboard.press("Enter")
    page.get_by_text("1 person found.").wait_for()
    for _ in range(10):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        assert focused["visible"], focused
        if focused["text"] == f"Check in {person.name}":
            break
    else:
        raise AssertionError("Tab never reached the Check in button")
    page.keyboard.press("Enter")
    wait_for_result(page, "green", person.name)
    # Space works a button too: undo that check-in.
    page.focus("#undo")
    page.keyboard.press("Space")
    wait_for_result(page, "undone", person.name)
    assert registration_row(scanner_server, person).checked_in_at is None


def test_a_host_removed_mid_shift_is_stopped_and_the_phone_forgets_the_event(new_context, scanner_server):
    """Taken off the staff while offline with a check-in queued: back online, the phone's sync is
    refused, the scanner stops, and nothing of the event (names) stays on the device."""
    person = register(scanner_server, "Rune Raderad")
    with scanner_server.app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == SLUG))
        removed, _token = accounts.create_user("rut@example.se", "Rut Tillfällig", "host", datetime.now(UTC),
                                               password=PASSWORD)
        accounts.add_staff(event.id, removed.id, "host", None)
        event_id, removed_id = event.id, removed.id
    context = new_context(server=scanner_server, lang="en", **PHONE)
    page = context.new_page()
    page.goto("/account/login")
    page.fill("#email", "rut@example.se")
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    page.goto(SCANNER)
    page.wait_for_selector("#scanner[data-tickets]", state="attached")
    context.set_offline(True)
    page.locator("#connection.is-offline").wait_for()
    scan(page, person.payload)
    wait_for_result(page, "green", person.name)

    with scanner_server.app.app_context():
        accounts.remove_staff(event_id, removed_id, None)
    context.set_offline(False)

    page.wait_for_selector("#scanner[data-removed]", state="attached", timeout=SYNC_TIMEOUT)
    text = page.inner_text("#result")
    assert "no longer a host of this event" in text and "1 check-in made here could not be sent" in text
    assert page.is_disabled("#code-input") and page.is_disabled("#search-input")
    kept = page.evaluate("() => Object.keys(localStorage).filter((key) => key.startsWith('eventhub.checkin.'))")
    assert kept == []
    assert check_ins(scanner_server, person) == []
    assert page.goto(SCANNER).status == 404  # a reload online is refused by the server
