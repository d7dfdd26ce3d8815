"""Forms and interface words for the organisers' attendee pages."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Optional

from eventhub import i18n, labels
from eventhub.attendees.services import Filters
from eventhub.fields import Form, at_most, strip, valid_email
from eventhub.registration.forms import SpecialAnswersMixin, mail_takes
from eventhub.registration.models import NOTE_MAX

OVERRIDE_LABEL = _l("Override the limit: give a place even if it is full (the limit is raised by one)")


class DetailsForm(Form):
    name = StringField(_l("Name"), filters=[strip], validators=[
        DataRequired(_l("Enter the person's name.")), at_most(200)])
    organisation = StringField(_l("Organisation (optional)"), filters=[strip], validators=[
        Optional(), at_most(200)])
    role_title = StringField(_l("Role or title (optional)"), filters=[strip], validators=[
        Optional(), at_most(200)])
    sector = RadioField(_l("Sector"), choices=list(labels.SECTOR.items()),
                        validators=[InputRequired(_l("Choose a sector."))])
    language = RadioField(_l("Language for emails"), choices=list(labels.LANGUAGE.items()),
                          validators=[InputRequired(_l("Choose a language."))])


class EmailForm(Form):
    email = EmailField(_l("New email address"), filters=[strip], id="new-email", validators=[
        DataRequired(_l("Enter the person's email address.")), at_most(254), valid_email, mail_takes])


def one_kind_of_line_break(value):
    """Browsers send a textarea's line breaks as CRLF; counted as one, as the page's counter does."""
    return value.replace("\r\n", "\n") if isinstance(value, str) else value


class NoteForm(Form):
    note = TextAreaField(_l("Note"), filters=[one_kind_of_line_break, strip], id="organiser-note",
                         validators=[Optional(), at_most(NOTE_MAX)],
                         description=_l("Only the event's organisers see it: not hosts, not at the door, not in "
                                        "lists or exports. It is personal data: it is part of the person's data "
                                        "download and is deleted when their data is."))


# The detail page holds several of these forms: each override box has its own id.
class MoveModeForm(Form):
    mode = RadioField(_l("Taking part"), choices=[], validators=[InputRequired(_l("Choose how they take part."))])
    override = BooleanField(OVERRIDE_LABEL, id="move-override")

    def set_choices(self, event) -> None:
        self.mode.choices = [(mode.value, labels.MODE[mode]) for mode in event.modes]


class PromoteForm(Form):
    override = BooleanField(OVERRIDE_LABEL, id="promote-override")


def group_choice(group) -> SelectChoice:
    """A group as an option: its session and title, in the event's language (marked so on an English page;
    the option's words are mostly the organiser's), and the way of taking part."""
    language = i18n.content_language(group.item.event.language)
    return SelectChoice(str(group.id), f"{group.item.title}: {group.title} ({labels.MODE[group.mode]})",
                        render_kw={"lang": language} if language else {})


class GroupPlaceForm(Form):
    group = SelectField(_l("Discussion group"), choices=[], id="group-choice",
                        validators=[InputRequired(_l("Choose a group."))])
    override = BooleanField(OVERRIDE_LABEL, id="group-override")

    def set_choices(self, groups) -> None:
        self.group.choices = [("", _l("Choose a group"))] + [group_choice(group) for group in groups]


class AddForm(SpecialAnswersMixin, Form):
    name = StringField(_l("Name"), filters=[strip], validators=[
        DataRequired(_l("Enter the person's name.")), at_most(200)])
    email = EmailField(_l("Email"), filters=[strip], validators=[
        DataRequired(_l("Enter the person's email address.")), at_most(254), valid_email, mail_takes],
        description=_l("Required: the person gets their confirmation, ticket and personal link by email."))
    organisation = StringField(_l("Organisation (optional)"), filters=[strip], validators=[
        Optional(), at_most(200)])
    role_title = StringField(_l("Role or title (optional)"), filters=[strip], validators=[
        Optional(), at_most(200)])
    sector = RadioField(_l("Sector"), choices=list(labels.SECTOR.items()), default="other",
                        validators=[InputRequired(_l("Choose a sector."))])
    mode = RadioField(_l("Taking part"), choices=[], validators=[InputRequired(_l("Choose how they take part."))])
    group = SelectField(_l("Discussion group (optional)"), choices=[], validators=[Optional()])
    language = RadioField(_l("Language for emails"), choices=list(labels.LANGUAGE.items()), default="sv",
                          validators=[InputRequired(_l("Choose a language."))])
    informed = BooleanField(
        _l("The person knows they are registered and has been told where to read the privacy notice."),
        validators=[DataRequired(_l("Tell the person about the privacy notice before registering them."))])
    photo_consent = BooleanField(_l("The person agrees to appear in photos from the event."))
    special_consent = BooleanField(_l("The person agrees that their dietary and accessibility answers are stored "
                                      "to plan the event (deleted after it, as the privacy notice says)."))
    override = BooleanField(OVERRIDE_LABEL)

    def set_choices(self, event, groups) -> None:
        self.mode.choices = [(mode.value, labels.MODE[mode]) for mode in event.modes]
        if len(event.modes) == 1 and not self.mode.data:
            self.mode.data = event.modes[0].value
        self.group.choices = [("", _l("No group for now"))] + [group_choice(group) for group in groups]


class BulkForm(Form):
    """A bulk action on the list: the ticked rows in ``ids`` (or ``all_matching`` with the list's
    filters as hidden fields), checked here for its CSRF token only."""


def selection_from(data, group_ids: set[int]) -> tuple[list[int], Filters | None]:
    """The ticked ids, and the filters if every row they match was chosen ("select all N")."""
    ids = [int(value) for value in data.getlist("ids") if value.isdigit() and len(value) <= 12]
    return ids, Filters.from_args(data, group_ids) if data.get("all_matching") == "1" else None
