"""Who may open which URL: every rule in the app, as five kinds of visitor.

Each URL rule (except ``static``) must be in ENDPOINT_CLASS and each of its arguments in
ARGUMENTS, or the test fails: a new route cannot slip through without someone deciding
who may use it. Every rule is tried with GET and, when it accepts it, POST (with a valid
CSRF token, so the guard and not the CSRF check answers) as:

- anonymous,
- the event's door host,
- an organiser of another event only,
- an organiser of this event,
- an administrator.

The database is restored from a snapshot after every POST, so one visitor's change (an
unpublished event, a cancelled registration, a deactivated account) cannot change what
the next one sees. Authorisation does not depend on the database engine, so this runs on
SQLite only.
"""
from __future__ import annotations

import io
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from PIL import Image

from config import TestingConfig
from eventhub import create_app
from eventhub.accounts import services as accounts
from eventhub.attendance import services as attendance
from eventhub.documentation import services as documentation
from eventhub.evaluation import followups
from eventhub.evaluation import services as evaluation
from eventhub.events.models import Event
from eventhub.extensions import csrf, db
from eventhub.groups import leaders
from eventhub.groups import services as group_services
from eventhub.groups.models import DiscussionGroup, GroupLeader
from eventhub.keyring import Keyring
from eventhub.live import channel
from eventhub.live import qa as live_qa
from eventhub.mailings import services as mailings
from eventhub.materials import services as materials
from eventhub.programme.models import ItemSpeaker, Person, ProgrammeItem
from eventhub.questions import services as question_services
from eventhub.registration import services as registration
from eventhub.registration import tokens
from eventhub.reminders import services as reminder_services
from tests.accounts.support import PASSWORD, csrf_from

KEYS = Keyring(TestingConfig.SECRET_KEY)
ROLES = ("anonymous", "host", "other_organiser", "organiser", "admin")

# public: anyone. attendee-token: anyone holding the attendee's link (an unknown token is 404).
# account: any signed-in account. organiser: organiser or admin accounts (creating events).
# manage / host: event_access("manage"/"host"). host-api: the scanner's JSON API (401, not a
# redirect, when signed out). admin: administrators only.
ENDPOINT_CLASS = {
    "events.index": "public",
    "events.event_page": "public",
    "events.favicon": "public",
    "events.robots": "public",
    "events.sitemap": "public",
    "events.organiser": "public",
    "events.organiser_feed": "public",
    "api.event_list": "public",
    "api.event_detail": "public",
    "api.openapi_document": "public",
    "api.problem_type": "public",
    "health.healthz": "public",  # states and counts only, for load balancers and monitors
    "i18n.switch_language": "public",
    "registration.register": "public",
    "registration.registered": "public",
    "registration.privacy": "public",
    "exports.event_ics": "public",
    "exports.organiser_ics": "public",
    "exports.programme_ics": "public",
    "exports.programme_pdf": "public",
    "materials.download_material": "public",
    "documentation.photo": "public",  # once the event is over; its organisers' before (tests/documentation)
    "documentation.small_photo": "public",
    "accounts.login": "public",
    "accounts.forgot_password": "public",
    "accounts.set_password": "public",  # the account token in the link is the key
    "registration.manage": "attendee-token",
    "registration.change_mode": "attendee-token",
    "registration.change_language": "attendee-token",
    "registration.choose_group": "attendee-token",
    "registration.update_answers": "attendee-token",
    "registration.cancel": "attendee-token",
    "registration.ticket_svg": "attendee-token",
    "registration.leave_waitlist": "attendee-token",
    "exports.certificate_pdf": "attendee-token",
    "exports.personal_ics": "attendee-token",
    "exports.personal_programme_pdf": "attendee-token",
    "exports.ticket_pdf": "attendee-token",
    "checkin.join": "attendee-token",
    "privacy.withdraw_special": "attendee-token",
    "privacy.photo_consent": "attendee-token",
    "privacy.mailings_choice": "attendee-token",
    # The mailings' unsubscribe link (List-Unsubscribe): a key of its own to that one choice. Its
    # one-click POST is exempt from CSRF (RFC 8058: a mail provider posts it), the link's secret authorises it.
    "privacy.unsubscribe": "attendee-token",
    "privacy.unsubscribe_choice": "attendee-token",
    "privacy.export_data": "attendee-token",
    "privacy.erase": "attendee-token",
    "privacy.erased": "public",
    "evaluation.answer": "attendee-token",
    # The live channel: the person's stream and its polling fallback (only what that person may see).
    "registration.my_link": "public",  # sends the person their link; the same answer for any address
    "live.stream": "attendee-token",
    "live.poll": "attendee-token",
    # Questions to the speakers: asking, the questions shown and upvoting, from the person's own link.
    "live.ask_page": "attendee-token",
    "live.ask": "attendee-token",
    "live.ask_list": "attendee-token",
    "live.vote": "attendee-token",
    # The group leader's link: anyone holding it (an unknown or turned-off token is 404).
    "groups.leader_page": "leader-token",
    "groups.save_key_points": "leader-token",
    "live.leader_stream": "leader-token",  # the leader's page's stream: which kind changed, no data
    "accounts.logout": "account",
    "events.dashboard": "account",
    "events.new_event": "organiser",
    "accounts.users": "admin",
    "accounts.toggle_active": "admin",
    "events.event_overview": "manage",
    "events.edit_event": "manage",
    "events.publish": "manage",
    "events.cancel_event": "manage",
    "events.duplicate": "manage",
    "events.delete_event": "manage",
    "events.preview": "manage",
    "events.shift_programme": "manage",
    "registration.preview_personal_page": "manage",
    "registration.preview_ticket_svg": "manage",
    "events.staff": "manage",
    "events.invite_host": "manage",
    "events.remove_staff": "manage",
    "events.change_staff_role": "manage",
    "events.audit_log": "manage",
    "programme.programme": "manage",
    "programme.add_item": "manage",
    "programme.edit_item": "manage",
    "programme.delete_item": "manage",
    "programme.move_item": "manage",
    "programme.add_speaker": "manage",
    "programme.remove_speaker": "manage",
    "programme.add_group": "manage",
    "programme.edit_group": "manage",
    "programme.delete_group": "manage",
    "programme.add_leader": "manage",
    "programme.remove_leader": "manage",
    "programme.group_choice": "manage",
    "programme.make_leader_link": "manage",
    "programme.revoke_leader_link": "manage",
    "programme.people": "manage",
    "programme.edit_person": "manage",
    "programme.delete_person": "manage",
    "programme.merge_person": "manage",
    "attendees.list_registrations": "manage",
    "attendees.registration_detail": "manage",
    "attendees.add_registration": "manage",
    "attendees.edit_details": "manage",
    "attendees.change_email": "manage",
    "attendees.send_link": "manage",
    "attendees.edit_note": "manage",
    "attendees.move_mode": "manage",
    "attendees.promote": "manage",
    "attendees.place_in_group": "manage",
    "attendees.remove_from_group": "manage",
    "attendees.cancel": "manage",
    "attendees.statistics": "manage",
    "attendees.bulk_move": "manage",  # the list's bulk actions: organisers only, never the door hosts
    "attendees.bulk_check_in": "manage",
    "attendees.bulk_cancel": "manage",
    "exports.selection_csv": "manage",
    "mailings.compose_for_chosen": "manage",
    "exports.attendees_csv": "manage",
    "exports.special_category_csv": "manage",
    "mailings.compose": "manage",
    "mailings.send": "manage",
    "mailings.mailing": "manage",
    "materials.manage_materials": "manage",
    "materials.upload_material": "manage",
    "materials.add_material_link": "manage",
    "materials.delete_material": "manage",
    "documentation.manage_documentation": "manage",
    "documentation.save_summary": "manage",
    "documentation.edit_key_points": "manage",
    "documentation.manage_photos": "manage",
    "documentation.upload_photo": "manage",
    "documentation.edit_photo": "manage",
    "documentation.move_photo": "manage",
    "documentation.delete_photo": "manage",
    "privacy.event_privacy": "manage",
    "evaluation.overview": "manage",
    "evaluation.create": "manage",
    "evaluation.settings": "manage",
    "evaluation.questions": "manage",
    "evaluation.add_question": "manage",
    "evaluation.add_standard_question": "manage",
    "evaluation.preview": "manage",
    "evaluation.results_page": "manage",
    "evaluation.follow_up": "manage",
    "evaluation.follow_up_preview": "manage",
    "evaluation.follow_up_send": "manage",
    "evaluation.follow_up_schedule": "manage",
    "exports.evaluation_xlsx": "manage",
    "exports.evaluation_csv": "manage",
    "exports.evaluation_pdf": "manage",
    "privacy.anonymise_event": "manage",
    "exports.badges_pdf": "host",
    "exports.door_list_pdf": "host",
    "exports.signature_list_pdf": "host",  # printed for the door, as the door list is
    "exports.attendance_xlsx": "manage",
    "exports.attendance_csv": "manage",
    "exports.attendance_pdf": "manage",
    "attendance.report": "manage",
    "attendance.import_report": "manage",
    "attendance.import_detail": "manage",
    "attendance.match": "manage",
    "attendance.unmatch": "manage",
    "attendance.delete_import": "manage",
    "attendance.certificates": "manage",
    "exports.certificate_sample_pdf": "manage",
    "live.announcements": "manage",
    "live.send": "manage",
    "live.event_stream": "host",  # the organisers' stream: the console and the views for the room
    "live.panel": "host",  # the closing panel's moderator: every group's key points
    "live.console": "host",  # the event day on one page: figures, no names; its buttons are the organisers'
    "live.projector": "host",  # the screen in the room: groups and seats left, no names
    "live.group_choice": "manage",  # opening and closing group choice from the room
    # The moderator's queue and the presenter's screen: on the day a door host often moderates.
    "live.moderation": "host",
    "live.moderation_list": "host",
    "live.moderate": "host",
    "live.merge": "host",
    "live.moderation_settings": "manage",  # whether questions wait for the moderator: the organiser's choice
    "live.presenter": "host",
    "live.presenter_pinned": "host",
    "reminders.reminders": "manage",
    "reminders.add_reminder": "manage",
    "reminders.save_practical": "manage",
    "reminders.edit_reminder": "manage",
    "reminders.remove_reminder": "manage",
    "reminders.preview": "manage",
    "questions.list_questions": "manage",
    "questions.add_question": "manage",
    "questions.edit_question": "manage",
    "questions.move_question": "manage",
    "questions.remove_question": "manage",
    "exports.attendees_xlsx": "manage",
    "registration.update_questions": "attendee-token",
    "checkin.scanner": "host",
    "checkin.manifest": "host",
    "checkin.service_worker": "public",
    "checkin.scan": "host-api",
    "checkin.check_in_found": "host-api",
    "checkin.counters": "host-api",
    "checkin.search": "host-api",
    "checkin.switch": "host-api",
    "checkin.sync": "host-api",
    "checkin.tickets": "host-api",
    "checkin.undo": "host-api",
    "checkin.walk_in": "host-api",
}

ALLOWED_BY_CLASS = {
    "public": set(ROLES),
    "attendee-token": set(ROLES),
    "leader-token": set(ROLES),
    "account": set(ROLES) - {"anonymous"},
    "organiser": {"other_organiser", "organiser", "admin"},
    "manage": {"organiser", "admin"},
    "host": {"host", "organiser", "admin"},
    "host-api": {"host", "organiser", "admin"},
    "admin": {"admin"},
}

# Which argument name takes which fixture value; per-endpoint exceptions below.
ARGUMENTS = {
    "slug": "event",
    "token": "on_site_token",
    "code": "language",
    "user_id": "spare_user_id",
    "item_id": "group_item_id",
    "group_id": "group_id",
    "person_id": "person_id",
    "speaker_id": "speaker_id",
    "leader_id": "leader_id",
    "registration_id": "registration_id",
    "material_id": "material_id",
    "photo_id": "photo_id",
    "mailing_id": "mailing_id",
    "flavour": "flavour",
    "key": "organiser_key",
    "import_id": "attendance_import_id",
    "participant_id": "attendance_participant_id",
    "reminder_id": "reminder_id",
    "question_id": "question_id",
    "live_question_id": "live_question_id",
    "action": "moderator_action",
}
OVERRIDES = {
    "api.problem_type": {"code": "problem_code"},
    "accounts.set_password": {"token": "account_token"},
    "checkin.join": {"token": "digital_token"},
    # A certificate is for someone who took part in an event that has ended, with certificates on.
    "exports.certificate_pdf": {"token": "attended_token"},
    "privacy.unsubscribe": {"token": "unsubscribe_token"},
    "privacy.unsubscribe_choice": {"token": "unsubscribe_token"},
    # Material is public once the event is over: these use a past event with the same staff.
    "materials.download_material": {"slug": "past_event"},
    "materials.manage_materials": {"slug": "past_event"},
    "materials.upload_material": {"slug": "past_event"},
    "materials.add_material_link": {"slug": "past_event"},
    "materials.delete_material": {"slug": "past_event"},
    # So are the documentation's photos (kept on the past event).
    "documentation.photo": {"slug": "past_event"},
    "documentation.small_photo": {"slug": "past_event"},
    "documentation.manage_photos": {"slug": "past_event"},
    "documentation.upload_photo": {"slug": "past_event"},
    "documentation.edit_photo": {"slug": "past_event"},
    "documentation.move_photo": {"slug": "past_event"},
    "documentation.delete_photo": {"slug": "past_event"},
    "groups.leader_page": {"token": "leader_token"},
    "groups.save_key_points": {"token": "leader_token"},
    "live.leader_stream": {"token": "leader_token"},
    "events.remove_staff": {"user_id": "host_user_id"},
    "events.change_staff_role": {"user_id": "host_user_id"},
    "programme.edit_item": {"item_id": "talk_item_id"},
    "programme.delete_item": {"item_id": "talk_item_id"},
    "programme.move_item": {"item_id": "talk_item_id"},
    "programme.add_speaker": {"item_id": "talk_item_id"},
    "programme.remove_speaker": {"item_id": "talk_item_id"},
}

PDF = b"%PDF-1.4\n%%EOF\n"


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (11, 90, 122)).save(out, "PNG")
    return out.getvalue()


PNG = _png()
DENIED_STATUS = {"host": 403, "other_organiser": 404, "organiser": 403, "admin": 403}


def _seed(app) -> dict:
    now = datetime.now(UTC)
    with app.test_request_context():
        admin, _ = accounts.create_user("admin@example.se", "Admin", "admin", now, password=PASSWORD)
        organiser, _ = accounts.create_user("org@example.se", "Org", "organiser", now, password=PASSWORD)
        host, _ = accounts.create_user("host@example.se", "Host", "host", now, password=PASSWORD)
        other, _ = accounts.create_user("other@example.se", "Other", "organiser", now, password=PASSWORD)
        spare, account_token = accounts.create_user("spare@example.se", "Spare", "organiser", now)

        def event(slug, starts_at, staff, status="published"):
            item = Event(slug=slug, title=f"Forum {slug}", starts_at=starts_at, ends_at=starts_at + timedelta(hours=3),
                         format="hybrid", status=status, group_choice_open=True,
                         join_url="https://meet.example.org/forum", platform_name="Meet",
                         organiser_name="Agenda 2030 i Väst")
            db.session.add(item)
            db.session.flush()
            for user, role in staff:
                accounts.add_staff(item.id, user.id, role, None)
            return item

        forum = event("forum", now - timedelta(minutes=30), [(organiser, "organiser"), (host, "host")])
        past = event("past-forum", now - timedelta(days=3), [(organiser, "organiser"), (host, "host")])
        other_forum = event("other-forum", now + timedelta(days=10), [(other, "organiser")])
        draft = event("draft-forum", now + timedelta(days=20), [(other, "organiser")], status="draft")
        # People of the directory that only the other organiser's programmes show: one in a
        # published programme (anyone can read it), one in a draft (nobody else should learn of it).
        guest, secret = Person(name="Gäst Gästsson"), Person(name="Hemlig Talare")
        for where, who in ((other_forum, guest), (draft, secret)):
            elsewhere = ProgrammeItem(event_id=where.id, title="Annat föredrag", starts_at=where.starts_at)
            elsewhere.speakers.append(ItemSpeaker(person=who))
            db.session.add(elsewhere)
        person = Person(name="Talare")
        talk = ProgrammeItem(event_id=forum.id, title="Föredrag", starts_at=forum.starts_at,
                             ends_at=forum.starts_at + timedelta(minutes=30))
        talk.speakers.append(ItemSpeaker(person=person))
        groups = ProgrammeItem(event_id=forum.id, title="Gruppsamtal", kind="group_session",
                               starts_at=forum.starts_at + timedelta(hours=1),
                               ends_at=forum.starts_at + timedelta(hours=2))
        group = DiscussionGroup(title="Grupp", mode="on_site", seats=10)
        group.leaders.append(GroupLeader(person=person))
        groups.groups.append(group)
        db.session.add_all([talk, groups])
        db.session.commit()

        question = question_services.add(forum.id, question_services.QuestionData("short_text", "Kommun"),
                                         organiser.id)

        def register(email, mode):
            data = registration.RegistrationInput(name="Anna", email=email, mode=mode, sector="business",
                                                  privacy_accepted=True)
            return registration.register(forum.id, data, now, KEYS).registration

        on_site = register("anna@example.se", "on_site")
        digital = register("bo@example.se", "digital")
        reminder_services.add_defaults(forum, now)
        past.certificates_enabled = True
        attended = registration.register(past.id, registration.RegistrationInput(
            name="Cecilia", email="cecilia@example.se", mode="on_site", sector="public", privacy_accepted=True),
            past.starts_at - timedelta(days=1), KEYS).registration
        attended.checked_in_at = past.starts_at
        group_services.choose(on_site.id, group.id, now, KEYS)
        material = materials.store_upload(past.id, io.BytesIO(PDF), "bilder.pdf", "Bilder", "slides", organiser.id,
                                          10_000)
        photo = documentation.store_photo(past.id, io.BytesIO(PNG), "foto.png", "Deltagarna i salen", "", "",
                                          organiser.id, 100_000, now)
        leader_token = leaders.make_link(forum.id, group.id, organiser.id, KEYS, now)
        mailing = mailings.send(forum.id, "all", "Hej", "Välkommen", organiser.id, KEYS, now)
        report = (Path(__file__).parent / "attendance" / "samples" / "zoom_participants.csv").read_bytes()
        imported = attendance.import_report(forum.id, report, "zoom.csv", organiser.id, now)
        attendance_row = attendance.get_import(forum.id, imported.import_id).participants[0]
        # The forum's evaluation is open (it began half an hour ago) and has an answer; its follow-up is
        # scheduled. The past event's evaluation is set up, not answered.
        evaluation.create(forum.id, organiser.id, now)
        evaluation.update_settings(forum.id, True, now - timedelta(minutes=5), now + timedelta(days=14), None, now)
        overall = evaluation.of_event(forum.id).questions[0]
        evaluation.submit(digital.id, {overall.id: 4}, now)
        followups.schedule(forum.id, forum.ends_at, organiser.id, now)
        evaluation.create(past.id, organiser.id, now)
        db.session.commit()
        # A question to the speakers from the digital attendee, approved so anyone with a place may upvote it.
        live_question = live_qa.ask(digital.id, talk.id, "Hur når vi de unga?", False, now, channel.LocalHub())
        live_qa.moderate(forum.id, live_question.id, "approve", organiser.id, now, channel.LocalHub())
        return {
            "event": forum.slug, "past_event": past.slug, "other_event": "other-forum", "language": "en",
            "problem_code": "not_found",
            "on_site_token": tokens.manage_token(KEYS, on_site.token_salt),
            "digital_token": tokens.manage_token(KEYS, digital.token_salt),
            "unsubscribe_token": tokens.unsubscribe_token(KEYS, on_site),
            "account_token": account_token, "spare_user_id": spare.id, "host_user_id": host.id, "talk_item_id": talk.id,
            "group_item_id": groups.id, "group_id": group.id, "person_id": person.id,
            "guest_person_id": guest.id, "secret_person_id": secret.id,
            "speaker_id": talk.speakers[0].id, "leader_id": group.leaders[0].id, "registration_id": on_site.id,
            "material_id": material.id, "photo_id": photo.id, "leader_token": leader_token,
            "mailing_id": mailing.id, "flavour": "excel",
            "organiser_key": "agenda-2030-i-vast",
            "attendance_import_id": imported.import_id, "attendance_participant_id": attendance_row.id,
            "reminder_id": reminder_services.of_event(forum.id)[0].id,
            "attended_token": tokens.manage_token(KEYS, attended.token_salt),
            "question_id": question.id,
            "live_question_id": live_question.id, "moderator_action": "pin",
        }


class Matrix:
    """The app, its data, a snapshot to restore, and one signed-in session per visitor."""

    def __init__(self, tmp_path):
        self.db_path = tmp_path / "matrix.sqlite"
        self.snapshot = tmp_path / "snapshot.sqlite"
        self.app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{self.db_path}")
        with self.app.app_context():
            db.create_all()
        self.values = _seed(self.app)
        self.sessions: dict[str, tuple[str | None, str]] = {}
        for role, email in (("anonymous", None), ("host", "host@example.se"),
                            ("other_organiser", "other@example.se"), ("organiser", "org@example.se"),
                            ("admin", "admin@example.se")):
            self.sessions[role] = self._session(email)
        self._save()

    def _session(self, email: str | None) -> tuple[str | None, str]:
        client = self.app.test_client()
        token = csrf_from(client.get("/account/login").get_data(as_text=True))
        if email:
            response = client.post("/account/login", data={"csrf_token": token, "email": email,
                                                           "password": PASSWORD})
            assert response.status_code == 303, email
        cookie = client.get_cookie("session")
        return (cookie.value if cookie else None), token

    def _copy(self, source, target) -> None:
        with self.app.app_context():
            db.session.remove()
            db.engine.dispose()
        with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
            src.backup(dst)
        src.close()
        dst.close()

    def _save(self) -> None:
        self._copy(self.db_path, self.snapshot)

    def restore(self) -> None:
        """The database (uploaded files included) as it was before the POST."""
        self._copy(self.snapshot, self.db_path)

    def request(self, role: str, method: str, url: str, data: dict | None = None):
        client = self.app.test_client()
        cookie, token = self.sessions[role]
        if cookie:
            client.set_cookie("session", cookie)
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data={**(data or {}), "csrf_token": token}, headers={"X-CSRFToken": token})
        response.get_data()  # a streamed body (CSV) is produced now, inside this request
        response.close()
        if method == "POST":
            self.restore()
        return response


@pytest.fixture(scope="module")
def matrix(tmp_path_factory):
    return Matrix(tmp_path_factory.mktemp("matrix"))


def _rules(app):
    return sorted((rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"),
                  key=lambda rule: (rule.endpoint, rule.rule))


def _url(matrix, rule, **replace) -> str:
    """The rule's URL with the fixture's values (an argument with a default keeps its default)."""
    names = OVERRIDES.get(rule.endpoint, {})
    values = dict(rule.defaults or {})
    for argument in sorted(rule.arguments - values.keys()):
        values[argument] = replace.get(argument, matrix.values[names.get(argument) or ARGUMENTS[argument]])
    return rule.build(values, append_unknown=False)[1]


def _goes_to_login(response) -> bool:
    return response.status_code in (301, 302, 303, 307, 308) and \
        urlsplit(response.headers.get("Location", "")).path == "/account/login"


def _allowed(method: str, response) -> bool:
    if response.status_code >= 500:
        return False
    if _goes_to_login(response):
        return False
    if 200 <= response.status_code < 400:
        return True
    # A POST with only a CSRF token got past the guard when the view answers about its input.
    text = response.get_data(as_text=True)
    return method == "POST" and response.status_code in (400, 409, 422) and "CSRF" not in text


def test_every_rule_is_classified_and_every_argument_known(matrix):
    unknown = [rule.endpoint for rule in _rules(matrix.app) if rule.endpoint not in ENDPOINT_CLASS]
    assert unknown == [], f"classify these endpoints in ENDPOINT_CLASS: {unknown}"
    arguments = {(rule.endpoint, arg) for rule in _rules(matrix.app) for arg in rule.arguments
                 if arg not in ARGUMENTS and arg not in (rule.defaults or {})}
    assert arguments == set(), f"give these arguments a value in ARGUMENTS: {sorted(arguments)}"


def _cases(app):
    for rule in _rules(app):
        for method in ("GET", "POST"):
            if method in rule.methods:
                yield rule, method


def test_every_rule_answers_each_visitor_as_its_class_says(matrix):
    problems = []
    for rule, method in _cases(matrix.app):
        kind = ENDPOINT_CLASS.get(rule.endpoint)
        if kind is None or any(arg not in ARGUMENTS for arg in rule.arguments if arg not in (rule.defaults or {})):
            continue  # reported by the test above
        url = _url(matrix, rule)
        for role in ROLES:
            response = matrix.request(role, method, url)
            expected = role in ALLOWED_BY_CLASS[kind]
            if expected:
                ok = _allowed(method, response)
            elif role == "anonymous":
                ok = (response.status_code == 401 and response.is_json) if kind == "host-api" \
                    else _goes_to_login(response)
            elif kind in ("manage", "host", "host-api"):
                ok = response.status_code == DENIED_STATUS[role]
            else:  # admin pages, and new events for door hosts
                ok = response.status_code == 403
            if not ok:
                where = response.headers.get("Location", "")
                problems.append(f"{method} {url} ({rule.endpoint}, {kind}) as {role}: "
                                f"{response.status_code} {where}".rstrip())
    assert problems == [], "\n".join(problems)


def test_attendee_links_with_an_unknown_token_are_not_found(matrix):
    problems = []
    for rule, method in _cases(matrix.app):
        if ENDPOINT_CLASS.get(rule.endpoint) not in ("attendee-token", "leader-token"):
            continue
        url = _url(matrix, rule, token="x" * 32)
        response = matrix.request("anonymous", method, url)
        if response.status_code != 404:
            problems.append(f"{method} {url}: {response.status_code}")
    assert problems == [], "\n".join(problems)


def test_an_organiser_cannot_reach_another_organisers_event(matrix):
    """The mirror image: this event's organiser on the other organiser's pages gets 404 too."""
    problems = []
    for rule, method in _cases(matrix.app):
        if ENDPOINT_CLASS.get(rule.endpoint) not in ("manage", "host", "host-api") or method != "GET":
            continue
        url = _url(matrix, rule, slug=matrix.values["other_event"])
        response = matrix.request("organiser", method, url)
        if response.status_code != 404:
            problems.append(f"{method} {url}: {response.status_code}")
    assert problems == [], "\n".join(problems)


def test_posting_without_a_csrf_token_changes_nothing(matrix):
    """Every POST, as an admin (who may do anything), is refused without the form's token."""
    problems = []
    for rule, method in _cases(matrix.app):
        if method != "POST" or rule.endpoint not in ENDPOINT_CLASS:
            continue
        url = _url(matrix, rule)
        client = matrix.app.test_client()
        client.set_cookie("session", matrix.sessions["admin"][0])
        response = client.post(url, data={})
        matrix.restore()
        if response.status_code != 400:
            problems.append(f"POST {url} ({rule.endpoint}): {response.status_code}")
    assert problems == [], "\n".join(problems)


# The people directory is shared by every event: a person only another organiser's programmes
# show is theirs to change. In a published programme this event's organiser sees them (read
# only); in a draft one the person is not found at all, so the draft's speakers stay unknown.
PEOPLE_ROUTES = [("GET", "/people/{id}"), ("POST", "/people/{id}"), ("POST", "/people/{id}/delete"),
                 ("GET", "/people/{id}/merge"), ("POST", "/people/{id}/merge")]


@pytest.mark.parametrize(("person", "role", "expected"), [
    ("guest_person_id", "organiser", {"GET /people/{id}": 200}),  # read only; every change 403
    ("secret_person_id", "organiser", {}),  # every route 404
    ("guest_person_id", "admin", "allowed"),
    ("secret_person_id", "admin", "allowed"),
], ids=["published-elsewhere", "draft-elsewhere", "admin-published", "admin-draft"])
def test_people_of_another_organisers_events_are_theirs_to_change(matrix, person, role, expected):
    person_id = matrix.values[person]
    problems = []
    for method, path in PEOPLE_ROUTES:
        url = f"/manage/events/{matrix.values['event']}/programme" + path.format(id=person_id)
        response = matrix.request(role, method, url)
        if expected == "allowed":
            ok = _allowed(method, response)
        else:
            default = 404 if person == "secret_person_id" else 403
            ok = response.status_code == expected.get(f"{method} {path}", default)
        if not ok:
            problems.append(f"{method} {url} as {role}: {response.status_code}")
    assert problems == [], "\n".join(problems)


def test_a_read_only_person_offers_no_changes_and_refusals_say_why(matrix):
    base = f"/manage/events/{matrix.values['event']}/programme/people/{matrix.values['guest_person_id']}"
    page = matrix.request("organiser", "GET", base + "?lang=en").get_data(as_text=True)
    assert "Gäst Gästsson" in page and 'name="person-name"' not in page and "/delete" not in page
    assert "also in the programme of 1 event you do not manage" in page
    token = matrix.sessions["organiser"][1]
    response = matrix.request("organiser", "POST", base + "?lang=en", {"person-name": "Ändrad",
                                                                        "person-csrf_token": token})
    assert response.status_code == 403
    assert "Nothing was changed" in response.get_data(as_text=True)
    with matrix.app.app_context():
        assert db.session.get(Person, matrix.values["guest_person_id"]).name == "Gäst Gästsson"


@pytest.mark.parametrize("page", ["/people", "/", "/items/{talk}"])
def test_lists_of_people_leave_out_those_only_a_draft_elsewhere_shows(matrix, page):
    url = f"/manage/events/{matrix.values['event']}/programme" + page.format(talk=matrix.values["talk_item_id"])
    text = matrix.request("organiser", "GET", url).get_data(as_text=True)
    assert "Gäst Gästsson" in text and "Hemlig Talare" not in text
    assert "Hemlig Talare" in matrix.request("admin", "GET", url).get_data(as_text=True)


@pytest.mark.parametrize("other", ["guest_person_id", "secret_person_id"])
def test_merging_away_someone_elses_person_is_refused(matrix, other):
    token = matrix.sessions["organiser"][1]
    url = f"/manage/events/{matrix.values['event']}/programme/people/{matrix.values['person_id']}/merge"
    response = matrix.request("organiser", "POST", url, {"other": matrix.values[other], "confirm": "yes",
                                                         "csrf_token": token})
    assert response.status_code == 422
    with matrix.app.app_context():
        assert db.session.get(Person, matrix.values[other]) is not None


@pytest.mark.parametrize("other", ["guest_person_id", "secret_person_id"])
def test_someone_elses_person_cannot_be_put_on_this_programme_by_id(matrix, other):
    """The guest is public, so choosing them is allowed; the draft's speaker is not found."""
    token = matrix.sessions["organiser"][1]
    url = f"/manage/events/{matrix.values['event']}/programme/items/{matrix.values['talk_item_id']}/speakers"
    response = matrix.request("organiser", "POST", url, {"speaker-person": matrix.values[other],
                                                         "speaker-role": "speaker", "speaker-csrf_token": token})
    assert response.status_code == (303 if other == "guest_person_id" else 422)


# Views that take a POST without the form's CSRF token, and why: each must authorise the request itself.
CSRF_EXEMPT_VIEWS = {
    "eventhub.privacy.views.unsubscribe": "RFC 8058 one-click: a mail provider posts it; the link's secret "
                                          "authorises it, and only its body List-Unsubscribe=One-Click acts",
}


CSRF_EXEMPT_BLUEPRINTS = {"api": "read-only JSON", "health": "read-only, for monitors"}


def test_only_the_listed_views_and_blueprints_are_exempt_from_csrf(matrix):
    assert csrf._exempt_views == set(CSRF_EXEMPT_VIEWS)
    assert {blueprint.name for blueprint in csrf._exempt_blueprints} == set(CSRF_EXEMPT_BLUEPRINTS)
