"""The group leader's page and its link: made, copied, made again and turned off by the organiser from
the group's page; only its hash kept; the page private; the key points written through it (with its
CSRF token), by the organiser too, without two writers overwriting each other unseen."""
from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from eventhub.audit.models import AuditEntry
from eventhub.extensions import db
from eventhub.groups import leaders
from eventhub.groups.models import DiscussionGroup, GroupKeyPoints, GroupLeader, GroupLeaderLink
from eventhub.logs import redact_path
from eventhub.programme.models import Person
from tests.accounts.support import make_user, post, sign_in
from tests.registration.support import KEYS, add_group_session, csrf_of, event_by_slug, page_text, register

LINK = re.compile(r'id="leader-url"[^>]*value="https?://[^/"]+/leader/([A-Za-z0-9_-]{32})"')


@pytest.fixture
def event(make_event):
    return make_event(on_site_seats=20, digital_seats=20, group_choice_open=True)


@pytest.fixture
def group_id(app, event):
    with app.app_context():
        [first, _second] = add_group_session(event, [("Samverkan för ökad social hållbarhet", "on_site", 12),
                                                      ("Projektform", "digital", None)])
        group = db.session.get(DiscussionGroup, first)
        group.leaders.append(GroupLeader(person=Person(name="Tina Arekvist Lundell")))
        db.session.commit()
        return first


@pytest.fixture
def organiser(app, client, event):
    make_user(app, "org@example.se", staff_of={event: "organiser"})
    client.set_cookie("lang", "en")
    sign_in(client, "org@example.se")
    return client


def make_link(client, event, group_id) -> str:
    response = post(client, f"/manage/events/{event}/programme/groups/{group_id}/leader-link")
    assert response.status_code == 303
    page = client.get(f"/manage/events/{event}/programme/groups/{group_id}").get_data(as_text=True)
    match = LINK.search(page)
    assert match, "no leader's link on the group's page"
    return match.group(1)


def save(client, token, text, version=None):
    page = client.get(f"/leader/{token}").get_data(as_text=True)
    if version is None:
        version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    return client.post(f"/leader/{token}", data={"csrf_token": csrf_of(client, f"/leader/{token}"),
                                                  "key_points": text, "version": version})


# --- the link ----------------------------------------------------------------------------------

def test_the_organiser_makes_a_link_whose_secret_the_database_does_not_hold(app, organiser, event, group_id):
    token = make_link(organiser, event, group_id)

    with app.app_context():
        link = db.session.get(GroupLeaderLink, group_id)
        assert link.token_hash == leaders.token_hash(token)
        assert token not in (link.token_salt, link.token_hash)
        assert leaders.leader_token(KEYS, link.token_salt) == token  # the organiser can copy it again
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "groups.leader_link_made"))
        assert entry.details == {"group_id": group_id, "renewed": False}
    page = organiser.get(f"/manage/events/{event}/programme/groups/{group_id}").get_data(as_text=True)
    assert "mailto:?subject=" in page and token in page  # the email to send it in, addressed by the organiser
    assert "Copy the link" in page


@pytest.mark.parametrize("how", ["revoked", "made-again"])
def test_a_revoked_or_replaced_link_is_refused_with_words(app, organiser, client, event, group_id, how):
    old = make_link(organiser, event, group_id)
    if how == "revoked":
        post(organiser, f"/manage/events/{event}/programme/groups/{group_id}/leader-link/revoke")
    else:
        new = make_link(organiser, event, group_id)
        assert new != old
        assert organiser.get(f"/leader/{new}").status_code == 200

    page = client.get(f"/leader/{old}", headers={"Cookie": "lang=en"})
    posted = client.post(f"/leader/{old}", data={"key_points": "Inbrott", "version": "0"})

    assert page.status_code == 404
    assert "This group leader's link does not work" in page_text(page)
    assert page.headers["Cache-Control"] == "private, no-store"
    assert posted.status_code in (400, 404)
    with app.app_context():
        assert db.session.get(GroupKeyPoints, group_id) is None


@pytest.mark.parametrize("token", ["x" * 32, "kort", "a" * 33, "å" * 32])
def test_a_token_that_names_no_group_is_not_found(client, token):
    assert client.get(f"/leader/{token}").status_code == 404


def test_a_group_of_another_event_gets_no_link_here(app, organiser, event, make_event):
    other = make_event()
    with app.app_context():
        [foreign] = add_group_session(other, [("Annan grupp", "on_site", 5)])
    assert post(organiser, f"/manage/events/{event}/programme/groups/{foreign}/leader-link").status_code == 404


# --- the leader's page ---------------------------------------------------------------------------

def test_the_leaders_page_shows_the_group_its_members_and_is_private(app, organiser, client, event, group_id):
    token = make_link(organiser, event, group_id)
    with app.app_context():
        for email in ("a@example.se", "b@example.se", "c@example.se"):
            register(event, email, group_id=group_id)

    response = client.get(f"/leader/{token}?lang=en")

    assert response.status_code == 200
    text = page_text(response)
    assert "Samverkan för ökad social hållbarhet" in text
    assert "3 people have a place in the group (12 places)" in text
    assert "Tina Arekvist Lundell" in text
    assert "Anna Svensson" not in text and "a@example.se" not in text  # members are counted, not named
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["Referrer-Policy"] == "strict-origin"
    assert "noindex" in response.headers["X-Robots-Tag"]
    assert redact_path(f"/leader/{token}") == "/leader/<token>"


def test_the_leader_writes_key_points_that_are_saved_as_written(app, organiser, client, event, group_id):
    token = make_link(organiser, event, group_id)

    response = save(client, token, "- Samverkan över sektorsgränser\n- Fler vägar in\n\n<script>alert(1)</script>")

    assert response.status_code == 303
    assert response.headers["Location"].endswith("#key-points-result")
    page = client.get(f"/leader/{token}?lang=en")
    body = page.get_data(as_text=True)
    assert "The key points are saved." in page_text(page)
    assert "<li>Samverkan över sektorsgränser</li>" in body and "<script>alert" not in body
    with app.app_context():
        points = db.session.get(GroupKeyPoints, group_id)
        assert (points.written_by, points.version) == ("leader", 1)
        assert points.text.startswith("- Samverkan över sektorsgränser")
        entry = db.session.scalar(select(AuditEntry).where(
            AuditEntry.action == "groups.key_points_saved_by_leader"))
        assert entry.user_id is None and entry.details == {"group_id": group_id}


def test_saving_without_the_forms_token_is_refused(app, organiser, client, event, group_id):
    token = make_link(organiser, event, group_id)

    response = client.post(f"/leader/{token}", data={"key_points": "Utan token", "version": "0"})

    assert response.status_code == 400
    assert response.headers["Cache-Control"] == "private, no-store"
    with app.app_context():
        assert db.session.get(GroupKeyPoints, group_id) is None


def test_key_points_too_long_are_refused_with_the_text_kept(app, organiser, client, event, group_id):
    token = make_link(organiser, event, group_id)

    response = save(client, token, "Lång " * 2500)

    assert response.status_code == 422
    assert "At most 10000 characters." in page_text(response) or "Högst 10000 tecken." in page_text(response)
    assert "Lång Lång" in response.get_data(as_text=True)


def test_two_writers_do_not_overwrite_each_other_unseen(app, organiser, client, event, group_id):
    token = make_link(organiser, event, group_id)
    started = "0"  # both opened the page before anything was saved
    assert save(client, token, "Ledarens text", version=started).status_code == 303

    url = f"/manage/events/{event}/documentation/groups/{group_id}"
    refused = post(organiser, url, {"key_points": "Arrangörens text", "version": started})

    assert refused.status_code == 409
    text, body = page_text(refused), refused.get_data(as_text=True)
    assert "Someone else saved the key points while you were writing" in text
    assert "Ledarens text" in text and "Arrangörens text" in body  # theirs shown, the organiser's kept
    saved = post(organiser, url, {"key_points": "Arrangörens text, med ledarens",
                                  "version": re.search(r'name="version" type="hidden" value="(\d+)"', body).group(1)})
    assert saved.status_code == 303
    with app.app_context():
        points = db.session.get(GroupKeyPoints, group_id)
        assert (points.text, points.written_by, points.version) == ("Arrangörens text, med ledarens", "organiser", 2)


def test_saving_the_same_text_again_changes_nothing(app, event, group_id):
    with app.app_context():
        group = db.session.get(DiscussionGroup, group_id)
        first = leaders.save_key_points(group, "Punkt", datetime.now(UTC), version=0)
        again = leaders.save_key_points(group, "Punkt ", datetime.now(UTC), version=1)
        assert (first.version, again.version) == (1, 1)
        assert len(db.session.scalars(select(AuditEntry).where(
            AuditEntry.action == "groups.key_points_saved_by_leader")).all()) == 1


def test_writing_key_points_moves_no_content_version_of_the_programme(app, organiser, client, event, group_id):
    token = make_link(organiser, event, group_id)
    with app.app_context():
        before = (event_by_slug(event).updated_at, event_by_slug(event).revision)

    save(client, token, "- En punkt")

    with app.app_context():
        db.session.expire_all()
        assert (event_by_slug(event).updated_at, event_by_slug(event).revision) == before


def test_two_first_saves_at_once_keep_the_one_that_came_first(app, event, group_id, monkeypatch):
    """Both writers found no key points; the other one's row is written between this one's look and its write."""
    look = leaders._current_points

    def the_other_writer_first(wanted_id):
        found = look(wanted_id)
        with db.engine.begin() as connection:
            connection.execute(GroupKeyPoints.__table__.insert().values(
                group_id=wanted_id, text="Den andras text", written_by="organiser", version=1,
                updated_at=datetime.now(UTC)))
        return found

    monkeypatch.setattr(leaders, "_current_points", the_other_writer_first)
    with app.app_context():
        group = db.session.get(DiscussionGroup, group_id)
        with pytest.raises(leaders.KeyPointsChanged) as changed:
            leaders.save_key_points(group, "Min text", datetime.now(UTC), version=0)
        assert changed.value.current.text == "Den andras text"
        db.session.expire_all()
        assert db.session.get(GroupKeyPoints, group_id).text == "Den andras text"
