"""Interface words for the domain's values, in the current language (see shared/GLOSSARY.md).

Each list of choices is here once; forms, pages, exports and emails take their words from it.
"""
from flask_babel import lazy_gettext as _l
from flask_babel import pgettext

AUDIENCE = {
    "everyone": _l("Everyone"),
    "on_site": _l("On site"),
    "digital": _l("Digital"),
}
AUDIENCE_LONG = {
    "everyone": _l("For everyone, on site and digital"),
    "on_site": _l("For participants on site"),
    "digital": _l("For digital participants"),
}
MODE = {"on_site": _l("On site"), "digital": _l("Digital")}
# The four sectors of seed 001, and other.
SECTOR = {
    "business": _l("Business"),
    "academia": _l("Academia"),
    "public": _l("Public sector"),
    "non_profit": _l("Non-profit / civil society"),
    "other": _l("Other"),
}
# Each language by its own name, as language menus show them.
LANGUAGE = {"sv": "Svenska", "en": "English"}
# A button that changes to a language, in that language: people look for their own.
LANGUAGE_SWITCH = {"sv": "På svenska", "en": "In English"}
MODE_GROUPS = {"on_site": _l("Discussion groups on site"), "digital": _l("Digital discussion groups")}
FORMAT = {
    "on_site": _l("On site"),
    "digital": _l("Digital"),
    "hybrid": _l("On site and digital"),
}
ITEM_KIND = {
    "registration": _l("Registration"),
    "welcome": _l("Welcome"),
    "talk": _l("Talk"),
    "panel": _l("Panel"),
    "break": _l("Break"),
    "pitch": _l("Pitch"),
    "group_session": _l("Discussion groups"),
    "qa": _l("Questions"),
    "closing": _l("Closing"),
    "other": _l("Other"),
}
SPEAKER_ROLE = {
    "speaker": _l("Speaker"),
    "moderator": _l("Moderator"),
    "panellist": _l("Panellist"),
}
# Said under the audience switch and when a view cannot be shown as asked.
VIEWER_NOTE = {
    "on_site": _l("Showing the programme for participants on site."),
    "digital": _l("Showing the programme for digital participants."),
}
NOT_OFFERED = {
    "on_site": _l("This event has no on-site participants; showing the whole programme."),
    "digital": _l("This event has no digital participants; showing the whole programme."),
}
# Why the registration form is not there (registration.services.registration_state).
REGISTRATION_CLOSED = {
    "not_open_yet": _l("Registration has not opened yet."),
    "closed": _l("Registration is closed."),
    "cancelled": _l("The event is cancelled, so registration is closed."),
    "past": _l("This event has taken place."),
}
STATUS = {"draft": _l("Draft"), "published": _l("Published"), "cancelled": _l("Cancelled")}
MATERIAL_KIND = {"slides": _l("Slides"), "document": _l("Document"), "other": _l("Material")}

ACCOUNT_ROLE = {"admin": _l("Administrator"), "organiser": _l("Organiser"), "host": _l("Door host")}



def registration_status(status: str) -> str:
    """A registration's status; "cancelled" needs its own word (an event is "inställt", a person "avanmäld")."""
    return {
        "confirmed": pgettext("registration status", "Confirmed"),
        "waitlisted": pgettext("registration status", "Waitlisted"),
        "cancelled": pgettext("registration status", "Cancelled"),
    }.get(status, status)


def registration_statuses() -> list[tuple[str, str]]:
    return [(status, registration_status(status)) for status in ("confirmed", "waitlisted", "cancelled")]


# --- the audit log -------------------------------------------------------------------------------
# Every action code that ``audit.record`` is given, as a sentence whose subject is the person in
# the log's "who" column. The placeholders are filled by the audit log page (events.views):
# %(registration)s, %(item)s, %(group)s, %(person)s, %(account)s, %(material)s, %(mailing)s, %(question)s and
# %(source)s name the thing, linked where it has a page; the others are words or numbers from the
# entry. tests/audit/test_audit_labels.py fails on any code in the code base missing here.
AUDIT_KIND = {
    "event": _l("The event"),
    "staff": _l("Organisers and hosts"),
    "programme": _l("Programme"),
    "attendees": _l("Attendees"),
    "door": _l("The door"),
    "attendance": _l("Attendance"),
    "emails": _l("Emails"),
    "live": _l("During the event"),
    "material": _l("Material"),
    "documentation": _l("Documentation"),
    "privacy": _l("Privacy"),
    "evaluation": _l("Evaluation"),
    "accounts": _l("Accounts"),
}
AUDIT_ACTION = {
    "event.created": ("event", _l("Created the event")),
    "event.updated": ("event", _l("Changed the event's details")),
    "event.published": ("event", _l("Published the event")),
    "event.unpublished": ("event", _l("Made the event a draft again, hidden from the public")),
    "event.cancelled": ("event", _l("Cancelled the event and emailed %(emailed)s registered people")),
    "event.moved": ("event", _l("Moved the event from %(previous_start)s to %(start)s: %(items_moved)s programme "
                                "items moved with it and %(told)s registered people were emailed")),
    "event.deleted": ("event", _l("Deleted the draft %(title)s")),
    "event.duplicated": ("event", _l("Created this event as a copy of %(source)s")),
    "event.group_choice_opened": ("programme", _l("Opened the choice of discussion groups")),
    "event.group_choice_closed": ("programme", _l("Closed the choice of discussion groups")),
    "event.staff_added": ("staff", _l("Added %(account)s as %(role)s")),
    "event.staff_removed": ("staff", _l("Removed %(account)s (%(role)s) from the event")),
    "event.staff_role_changed": ("staff", _l("Made %(account)s %(role)s instead of %(previous_role)s")),
    "event.host_invited": ("staff", _l("Invited %(account)s as a new door host")),
    "programme.item_added": ("programme", _l("Added the programme item %(item)s")),
    "programme.item_updated": ("programme", _l("Changed the programme item %(item)s")),
    "programme.item_deleted": ("programme", _l("Deleted the programme item %(item)s")),
    "programme.shifted": ("programme", _l("Moved every programme item by %(minutes)s minutes "
                                          "(%(told)s registered people were emailed a new time)")),
    "programme.item_moved": ("programme", _l("Moved the programme item %(item)s")),
    "programme.person_added": ("programme", _l("Added %(person)s to the people directory")),
    "programme.person_updated": ("programme", _l("Changed the details of %(person)s in the people directory")),
    "programme.people_merged": ("programme", _l("Merged %(removed)s into %(person)s in the people directory")),
    "programme.person_deleted": ("programme", _l("Deleted %(person)s from the people directory")),
    "programme.speaker_added": ("programme", _l("Added %(person)s to %(item)s")),
    "programme.speaker_removed": ("programme", _l("Removed %(person)s from %(item)s")),
    "programme.group_added": ("programme", _l("Added the discussion group %(group)s to %(item)s")),
    "programme.group_updated": ("programme", _l("Changed the discussion group %(group)s")),
    "programme.group_deleted": ("programme", _l("Deleted the discussion group %(group)s")),
    "programme.leader_added": ("programme", _l("Made %(person)s a leader of %(group)s")),
    "programme.leader_removed": ("programme", _l("Removed %(person)s as a leader of %(group)s")),
    "attendees.added": ("attendees", _l("Registered %(registration)s by hand")),
    "attendees.updated": ("attendees", _l("Changed the details of %(registration)s: %(fields)s")),
    "attendees.email_changed": ("attendees", _l("Corrected the email address of %(registration)s (both addresses "
                                                "were told)")),
    "attendees.link_sent": ("attendees", _l("Sent %(registration)s their personal link again")),
    "attendees.note_changed": ("attendees", _l("Changed the organisers' note on %(registration)s")),
    "attendees.bulk_mode_changed": ("attendees", _l(
        "Moved %(done_count)s chosen people to %(mode)s (%(unchanged_count)s already took part that way, "
        "%(refused_count)s could not be moved)")),
    "attendees.bulk_cancelled": ("attendees", _l(
        "Cancelled the registrations of %(done_count)s chosen people (%(unchanged_count)s were already cancelled)")),
    "attendees.bulk_checked_in": ("door", _l(
        "Checked in %(done_count)s chosen people (%(unchanged_count)s already were, %(refused_count)s could not be)")),
    "attendees.cancelled": ("attendees", _l("Cancelled the registration of %(registration)s")),
    "attendees.mode_changed": ("attendees", _l("Moved %(registration)s from %(previous_mode)s to %(mode)s")),
    "attendees.promoted": ("attendees", _l("Gave %(registration)s a place from the waitlist (%(mode)s)")),
    "attendees.group_placed": ("attendees", _l("Placed %(registration)s in the discussion group %(group)s")),
    "attendees.group_left": ("attendees", _l("Took %(registration)s out of the discussion group %(group)s")),
    "attendees.seat_limit_raised": ("attendees", _l(
        "Raised the places %(mode)s from %(seats_before)s to %(seats)s to make room for %(registration)s")),
    "attendees.group_limit_raised": ("attendees", _l(
        "Raised the places in %(group)s from %(seats_before)s to %(seats)s to make room for %(registration)s")),
    "checkin.undone": ("door", _l("Undid the check-in of %(registration)s")),
    "checkin.switched_to_on_site": ("door", _l("Moved %(registration)s from digital to on site at the door")),
    "checkin.walk_in": ("door", _l("Registered %(registration)s at the door as a walk-in")),
    "attendance.imported": ("attendance", _l(
        "Imported the attendance report of %(title)s from %(platform)s: %(rows)s people, %(matched)s matched to "
        "a registration by email, %(unmatched)s not")),
    "attendance.reimported": ("attendance", _l(
        "Imported the attendance report of %(title)s from %(platform)s again, in place of the earlier import: "
        "%(rows)s people, %(matched)s matched to a registration, %(unmatched)s not")),
    "attendance.matched": ("attendance", _l("Matched a person in an attendance report to %(registration)s by hand")),
    "attendance.unmatched": ("attendance", _l(
        "Took back the match of a person in an attendance report with %(registration)s")),
    "attendance.import_deleted": ("attendance", _l(
        "Deleted the attendance report of %(title)s from %(platform)s")),
    "attendance.certificates_on": ("attendance", _l("Switched on the certificates of attendance")),
    "attendance.certificates_off": ("attendance", _l("Switched off the certificates of attendance")),
    "attendance.certificates_changed": ("attendance", _l("Changed who signs the certificates of attendance")),
    "mailing.sent": ("emails", _l("Sent the email %(mailing)s to %(recipients)s people")),
    "announcement.sent": ("live", _l("Sent the announcement “%(title)s” to %(recipients)s people (%(emailed)s of "
                                     "them by email)")),
    "live_question.approved": ("live", _l("Approved the question “%(title)s” to the speakers")),
    "live_question.rejected": ("live", _l("Rejected the question “%(title)s” to the speakers")),
    "live_question.answered": ("live", _l("Marked the question “%(title)s” as answered")),
    "live_question.pinned": ("live", _l("Pinned the question “%(title)s” on the presenter's screen")),
    "live_question.unpinned": ("live", _l("Unpinned the question “%(title)s”")),
    "live_question.reopened": ("live", _l("Put the question “%(title)s” back in the queue")),
    "live_question.merged": ("live", _l("Merged a duplicate question into “%(title)s” (%(rows)s votes carried "
                                        "over)")),
    "live_questions.auto_approve_on": ("live", _l("Let the questions to the speakers show without moderation")),
    "live_questions.auto_approve_off": ("live", _l("Made the questions to the speakers wait for the moderator "
                                                   "again")),
    "reminder.added": ("emails", _l("Added a reminder %(minutes)s minutes before the start")),
    "reminder.changed": ("emails", _l("Changed the reminder that is now %(minutes)s minutes before the start")),
    "reminder.removed": ("emails", _l("Removed the reminder %(minutes)s minutes before the start")),
    "reminders.practical_changed": ("emails", _l("Changed what the reminders say (how to get there, the "
                                                 "platform's test link)")),
    "evaluation.created": ("evaluation", _l("Set up the evaluation with %(rows)s standard questions")),
    "evaluation.settings_changed": ("evaluation", _l(
        "Changed when the evaluation is open, or whether it is anonymous")),
    "evaluation.questions_changed": ("evaluation", _l("Reworded %(rows)s questions of the evaluation")),
    "questions.added": ("event", _l("Added the registration question %(question)s")),
    "questions.changed": ("event", _l("Changed the registration question %(question)s")),
    "questions.moved": ("event", _l("Moved the registration question %(question)s to place %(place)s")),
    "questions.removed": ("event", _l("Removed the registration question %(question)s with its %(rows)s answers")),
    "evaluation.question_added": ("evaluation", _l("Added a question to the evaluation")),
    "evaluation.question_removed": ("evaluation", _l("Removed a question from the evaluation")),
    "follow_up.texts_changed": ("emails", _l("Changed the texts of the follow-up email")),
    "follow_up.scheduled": ("emails", _l("Scheduled the follow-up email for %(start)s")),
    "follow_up.unscheduled": ("emails", _l("Took back the schedule of the follow-up email")),
    "follow_up.sent": ("emails", _l("Sent the follow-up email to %(recipients)s people")),
    "material.uploaded": ("material", _l("Uploaded the file %(material)s")),
    "material.linked": ("material", _l("Added the link %(material)s")),
    "material.deleted": ("material", _l("Deleted the material %(material)s")),
    "groups.leader_link_made": ("programme", _l("Made a new group leader's link for %(group)s")),
    "groups.leader_link_revoked": ("programme", _l("Turned off the group leader's link of %(group)s")),
    "groups.key_points_saved": ("documentation", _l("Saved the key points of %(group)s")),
    "groups.key_points_saved_by_leader": ("documentation", _l(
        "The group leader saved the key points of %(group)s through their link")),
    "documentation.summary_saved": ("documentation", _l("Changed the summary of the documentation page")),
    "documentation.photo_uploaded": ("documentation", _l("Uploaded the photo “%(title)s”")),
    "documentation.photo_described": ("documentation", _l("Changed the texts of the photo “%(title)s”")),
    "documentation.photo_moved": ("documentation", _l("Moved the photo “%(title)s”")),
    "documentation.photo_deleted": ("documentation", _l("Deleted the photo “%(title)s”")),
    "exports.selection": ("privacy", _l("Downloaded %(rows)s chosen registrations as a spreadsheet")),
    "exports.special_category": ("privacy", _l("Downloaded the dietary and accessibility answers (%(rows)s rows)")),
    "privacy.downloaded": ("privacy", _l("%(registration)s downloaded their own data")),
    "privacy.erased": ("privacy", _l("A registered person erased their registration")),
    "privacy.mailings_stopped": ("emails", _l("%(registration)s stopped the organisers' emails about this event")),
    "privacy.mailings_resumed": ("emails", _l(
        "%(registration)s chose to get the organisers' emails about this event again")),
    "privacy.anonymised": ("privacy", _l("Anonymised %(rows)s registrations")),
    "privacy.attendance_reports_anonymised": ("privacy", _l(
        "Anonymised %(rows)s rows of imported attendance reports, %(days)s days after the event")),
    "privacy.evaluation_anonymised": ("privacy", _l(
        "Made the evaluation answers of %(rows)s people anonymous figures (written answers deleted, no names), "
        "%(days)s days after the event")),
    "privacy.photos_deleted": ("privacy", _l(
        "Deleted %(rows)s photos of the documentation page, %(days)s days after the event")),
    "privacy.special_category_deleted": ("privacy", _l(
        "Deleted the dietary and accessibility answers of %(rows)s registrations, %(days)s days after the event")),
    "account.created": ("accounts", _l("Created the account of %(account)s")),
    "account.password_set": ("accounts", _l("Chose a password")),
    "account.activated": ("accounts", _l("Activated the account of %(account)s")),
    "account.deactivated": ("accounts", _l("Deactivated the account of %(account)s")),
}
# Words that stand inside those sentences, so in lower case.
AUDIT_STAFF_PART = {"organiser": _l("organiser"), "host": _l("door host")}
AUDIT_MODE = {"on_site": _l("on site"), "digital": _l("digital")}
AUDIT_FIELD = {"name": _l("name"), "organisation": _l("organisation"), "role_title": _l("title"),
               "sector": _l("sector"), "language": _l("language")}


def audit_actions_of_kind(kind: str) -> list[str]:
    return [code for code, (of_kind, _sentence) in AUDIT_ACTION.items() if of_kind == kind]


ALL = {
    "account_role": ACCOUNT_ROLE,
    "audience": AUDIENCE,
    "audience_long": AUDIENCE_LONG,
    "mode": MODE,
    "sector": SECTOR,
    "language": LANGUAGE,
    "language_switch": LANGUAGE_SWITCH,
    "mode_groups": MODE_GROUPS,
    "format": FORMAT,
    "item_kind": ITEM_KIND,
    "speaker_role": SPEAKER_ROLE,
    "viewer_note": VIEWER_NOTE,
    "status": STATUS,
    "material_kind": MATERIAL_KIND,
}
