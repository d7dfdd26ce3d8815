"""The documentation page in a real browser: the group leader writes the key points through their link
(and a link turned off is refused), the page as a visitor sees it on a phone and a desktop in both
languages (its photos, their descriptions, the sections it links to), and every page of it, the
organiser's and the leader's, passes axe-core (WCAG 2.1 A/AA) and reflows at 320 px."""
from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from PIL import Image, ImageDraw
from sqlalchemy import select

from eventhub import keyring
from eventhub.accounts import services as accounts
from eventhub.documentation import services as documentation
from eventhub.events.models import Event
from eventhub.extensions import db
from eventhub.groups import leaders
from eventhub.groups import services as groups
from eventhub.registration import services as registration
from tests.browser.conftest import demo_app, dispose
from tests.browser.support import (
    DESKTOP,
    NARROW,
    PHONE,
    VIEWPORTS,
    assert_no_axe_violations,
    assert_reflows,
    signed_in_page,
)
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

PAST = "snabbspar-utbytesworkshop"  # seed 003, over, with its article as documentation
BORAS = "integration-i-arbetslivet"  # seed 001, still to come
GROUP = "Att hitta motiverade personer som kan delta i snabbspåren"  # the workshop's one group
EMAIL = "dora@example.se"
PASSWORD = "a-long-enough-password"
PHOTOS = [  # (format, size, Swedish alt text, English alt text, caption)
    ("JPEG", (2400, 1600), "Ett fyrtiotal deltagare vid runda bord i en ljus sal lyssnar på inledningen.",
     "About forty people at round tables in a bright hall listen to the opening.", "Inledningen i salen."),
    ("PNG", (1200, 1200), "Sex personer samtalar runt ett bord med kaffekoppar och anteckningar.", "",
     "Gruppdiskussionen om motiverade deltagare."),
    ("WEBP", (1920, 1080), "Moderatorn och tre talare på scenen framför en stor skärm.", "", ""),
]


def a_photo(fmt: str, size: tuple[int, int], seed: int) -> bytes:
    """Shapes enough like people in a room, with the camera and a GPS position in it, as a phone writes."""
    image = Image.new("RGB", size, (120 - seed * 30, 90 + seed * 20, 60 + seed * 30))
    draw = ImageDraw.Draw(image)
    width, height = size
    for n in range(8):
        x, r = (n + 1) * width // 9, height // 10
        draw.ellipse([x - r, height // 2 - r, x + r, height // 2 + r], fill=(200, 170 - n * 10, 140))
        draw.rectangle([x - r, height // 2 + r, x + r, height], fill=(40 + n * 20, 60, 120))
    exif = image.getexif()
    exif[0x010F], exif[0x8825] = "Kamerafabriken", {1: "N", 2: (57.0, 43.0, 12.0), 3: "E", 4: (12.0, 56.0, 1.0)}
    out = io.BytesIO()
    image.save(out, fmt, exif=exif)
    return out.getvalue()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    app = demo_app(tmp_path_factory.mktemp("documentation") / "d.sqlite")
    keys, now = keyring.of(app), datetime.now(UTC)
    with app.app_context():
        past = db.session.scalar(select(Event).where(Event.slug == PAST))
        boras = db.session.scalar(select(Event).where(Event.slug == BORAS))
        dora, _ = accounts.create_user(EMAIL, "Dora Dokumentatör", "organiser", now, password=PASSWORD)
        for event in (past, boras):
            accounts.add_staff(event.id, dora.id, "organiser", dora.id)
        db.session.commit()
        for n, (fmt, size, alt_sv, alt_en, caption) in enumerate(PHOTOS):
            documentation.store_photo(past.id, io.BytesIO(a_photo(fmt, size, n)), f"foto.{fmt.lower()}", alt_sv,
                                      alt_en, caption, dora.id, 20_000_000, now)
        documentation.store_photo(boras.id, io.BytesIO(a_photo("JPEG", (1600, 1000), 1)), "foto.jpg",
                                  "Deltagare på plats och på skärmen.", "", "", dora.id, 20_000_000, now)
        group = next(g for g in groups.choosable(boras) if g.mode == "on_site")
        for name, email, consent in (("Anna Andersson", "anna@example.se", True), ("Bo Berg", "bo@example.se", False),
                                     ("Cia Carlsson-Östergård", "cia@example.se", True)):
            registration.register(boras.id, registration.RegistrationInput(
                name=name, email=email, mode="on_site", sector="public", privacy_accepted=True, group_id=group.id,
                photo_consent=consent, organisation="Borås stad"), now, keys)
        boras_token = leaders.make_link(boras.id, group.id, dora.id, keys, now)
        photo_id = documentation.photos_of(boras.id)[0].id
        past_group_id = groups.of_event(past.id)[0].id
        values = {"boras_group": group.id, "past_group": past_group_id, "boras_photo": photo_id,
                  "boras_token": boras_token}
    live = LiveServer(app).start()
    live.app, live.values = app, values
    yield live
    live.stop()
    dispose(app)


def organiser_pages(values) -> dict[str, str]:
    return {
        "documentation": f"/manage/events/{PAST}/documentation",
        "key points": f"/manage/events/{PAST}/documentation/groups/{values['past_group']}",
        "photos with the consent list": f"/manage/events/{BORAS}/documentation/photos",
        "photos of a past event": f"/manage/events/{PAST}/documentation/photos",
        "a photo's texts": f"/manage/events/{BORAS}/documentation/photos/{values['boras_photo']}",
        "group with its leader's link": f"/manage/events/{BORAS}/programme/groups/{values['boras_group']}",
        "preview after the event": f"/manage/events/{BORAS}/preview?after=1",
    }


def public_pages(values) -> dict[str, str]:
    return {
        "documentation page": f"/events/{PAST}",
        "documentation page, digital event": "/events/fast-kunskapsseminarium",
        "leader's page": f"/leader/{values['boras_token']}",
        "leader's link that does not work": "/leader/" + "x" * 32,
    }


# --- the leader's link ------------------------------------------------------------------------------

def test_the_group_leader_writes_the_key_points_through_their_link(new_context, server):
    organiser = signed_in_page(new_context, server, "sv", EMAIL, PASSWORD, **DESKTOP)
    organiser.context.grant_permissions(["clipboard-read", "clipboard-write"])
    group_page = f"/manage/events/{PAST}/programme/groups/{server.values['past_group']}"
    organiser.goto(group_page)
    organiser.get_by_role("button", name="Skapa samtalsledarens länk").click()
    organiser.wait_for_url("**#leader-link-result")
    assert "Samtalsledarens länk är skapad." in organiser.locator("#leader-link-result").inner_text()
    link = organiser.input_value("#leader-url")
    organiser.get_by_role("button", name="Kopiera länken").click()
    # The message follows the clipboard's promise: wait for it rather than read it at once.
    organiser.wait_for_function(
        "() => document.querySelector('#leader-url-copied').innerText === 'Länken är kopierad.'")
    assert organiser.evaluate("navigator.clipboard.readText()") == link

    leader = new_context(server=server, **PHONE).new_page()  # no account, on their phone
    leader.goto(link)
    assert leader.get_by_role("heading", level=1).inner_text() == GROUP
    assert "0 personer har en plats i gruppen" in leader.locator(".facts").inner_text()
    area = leader.get_by_role("textbox", name="Huvudpunkter")
    area.fill("- Motiverade deltagare finns\n- Uppehållstillstånden oroar\n- Vi tar frågan till regeringen")
    leader.get_by_role("button", name="Spara huvudpunkterna").click()
    leader.wait_for_url("**#key-points-result")
    assert "Huvudpunkterna är sparade." in leader.locator("#key-points-result").inner_text()
    assert leader.locator(".saved-text li").all_inner_texts() == [
        "Motiverade deltagare finns", "Uppehållstillstånden oroar", "Vi tar frågan till regeringen"]
    assert_no_axe_violations(leader, "the leader's page after saving")

    visitor = new_context(**DESKTOP).new_page()
    visitor.goto(f"{server.url}/events/{PAST}")
    points = visitor.locator("#key-points article")
    assert points.get_by_role("heading", level=3).inner_text() == GROUP
    assert points.locator("li").all_inner_texts()[1] == "Uppehållstillstånden oroar"

    # The organiser turns the link off: the leader's next visit is refused, with words.
    organiser.goto(group_page)
    organiser.get_by_role("button", name="Stäng av länken").click()
    organiser.wait_for_url("**#leader-link-result")
    response = leader.goto(link)
    assert response is not None and response.status == 404
    assert leader.get_by_role("heading", level=1).inner_text() == "Länken fungerar inte"


# --- the page as a visitor sees it ---------------------------------------------------------------------

@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_documentation_page_as_a_visitor_sees_it(new_context, server, lang, viewport):
    page = new_context(server=server, lang=lang, **VIEWPORTS[viewport]).new_page()
    response = page.goto(f"/events/{PAST}")
    assert response is not None and response.ok
    assert page.get_attribute("html", "lang") == lang

    headings = page.locator("main h2").all_inner_texts()
    expected = ["Sammanfattning", "Från samtalsgrupperna", "Bilder", "Om evenemanget", "Program"] if lang == "sv" \
        else ["Summary", "From the discussion groups", "Photos", "About the event", "Programme"]
    assert [text for text in headings if text in expected] == expected
    assert page.locator("main h1").count() == 1
    # Swedish content on an English page is marked as such; the page's own words are not.
    assert (page.get_attribute("#summary .prose", "lang") or lang) == "sv"

    photos = page.locator(".photo-grid img")
    assert photos.count() == 3
    for index in range(3):
        photo = photos.nth(index)
        photo.scroll_into_view_if_needed()
        photo.evaluate("img => img.decode()")
        assert photo.evaluate("img => img.naturalWidth") > 0
        fmt, _size, alt_sv, alt_en, _caption = PHOTOS[index]
        expected_alt = alt_en if lang == "en" and alt_en else alt_sv
        assert photo.get_attribute("alt") == expected_alt
        assert photo.get_attribute("lang") == ("sv" if lang == "en" and not alt_en else None)
    if viewport == "phone":  # one under the other
        first, second = photos.nth(0).bounding_box(), photos.nth(1).bounding_box()
        assert second["y"] > first["y"] + first["height"] and abs(first["x"] - second["x"]) < 1
    else:  # side by side
        first, second = photos.nth(0).bounding_box(), photos.nth(1).bounding_box()
        assert abs(first["y"] - second["y"]) < 1 and second["x"] > first["x"]

    # "On this page" takes the reader to the photos; a photo opens on its own, without its metadata.
    page.locator(".on-this-page").get_by_role("link", name="Bilder" if lang == "sv" else "Photos").click()
    assert page.url.endswith("#photos")
    with page.expect_response(lambda answer: "/photos/" in answer.url and not answer.url.endswith("/small")) as opened:
        page.locator(".photo-grid a").first.click()
    large = opened.value
    assert large.headers["content-type"] == "image/jpeg"
    assert b"Kamerafabriken" not in large.body()
    page.go_back()
    assert_no_axe_violations(page, f"the documentation page ({lang}, {viewport})")


def test_the_documentation_page_is_read_by_keyboard_from_the_top(new_context, server):
    page = new_context(server=server, lang="en", **DESKTOP).new_page()
    page.goto(f"/events/{PAST}")
    names = []
    for _ in range(12):
        page.keyboard.press("Tab")
        names.append(page.evaluate("document.activeElement.textContent.trim()"))
    assert names.index("Summary") < names.index("From the discussion groups") < names.index("Photos")
    while page.evaluate("document.activeElement.textContent.trim()") != "Photos":
        page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    assert page.url.endswith("#photos")


# --- every page passes axe and reflows --------------------------------------------------------------

@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_organisers_pages_pass_axe(new_context, server, lang, viewport):
    page = signed_in_page(new_context, server, lang, EMAIL, PASSWORD, **VIEWPORTS[viewport])
    for name, url in organiser_pages(server.values).items():
        response = page.goto(url)
        assert response is not None and response.ok, f"{name} answered {response and response.status}"
        assert_no_axe_violations(page, f"{name} ({lang}, {viewport})")
    # The upload refused: the error summary and the fields marked.
    page.goto(organiser_pages(server.values)["photos with the consent list"])
    page.get_by_role("button", name="Ladda upp fotot" if lang == "sv" else "Upload the photo").click()
    page.wait_for_load_state()
    assert page.locator("#error-summary").is_visible()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert_no_axe_violations(page, f"photos with errors ({lang}, {viewport})")


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_public_and_leaders_pages_pass_axe(new_context, server, lang, viewport):
    page = new_context(server=server, lang=lang, **VIEWPORTS[viewport]).new_page()
    for name, url in public_pages(server.values).items():
        page.goto(url)
        assert_no_axe_violations(page, f"{name} ({lang}, {viewport})")


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_every_documentation_page_reflows_at_320_px(new_context, server, lang):
    page = signed_in_page(new_context, server, lang, EMAIL, PASSWORD, **NARROW)
    found = []
    for name, url in {**organiser_pages(server.values), **public_pages(server.values)}.items():
        page.goto(url)
        for image in page.locator("main img").all():
            image.scroll_into_view_if_needed()
        try:
            assert_reflows(page)
        except AssertionError as problem:
            found.append(f"{name}: {problem}")
    assert not found, "\n".join(found)
