"""Forms of the agenda builder. Times are typed as the event's local wall-clock time."""
from __future__ import annotations

import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import URL, DataRequired, InputRequired, NumberRange, Optional, ValidationError

from eventhub import i18n, labels
from eventhub.fields import Form, a_time_that_exists, a_year_we_keep, at_most, strip
from eventhub.programme import operations
from eventhub.text import name_key
from eventhub.types import wall_clock

TIME_PATTERN = re.compile(r"^(\d{1,2})(?:[:.]?(\d{2}))?$")

KIND_CHOICES = [
    ("registration", _l("Registration and arrival")),
    ("welcome", _l("Welcome")),
    ("talk", _l("Talk")),
    ("panel", _l("Panel")),
    ("break", _l("Break")),
    ("pitch", _l("Pitch before the group session")),
    ("group_session", _l("Group session (discussion groups)")),
    ("qa", _l("Questions and answers")),
    ("closing", _l("Closing")),
    ("other", _l("Other")),
]
AUDIENCE_CHOICES = [(value, labels.AUDIENCE_LONG[value]) for value in ("everyone", "on_site", "digital")]
ROLE_CHOICES = [(value, labels.SPEAKER_ROLE[value]) for value in ("speaker", "moderator", "panellist")]


def parse_time(text: str) -> time:
    """``13:15``, ``13.15`` (as Swedish programmes print it), ``1315`` or ``9``."""
    match = TIME_PATTERN.match(text.strip())
    if not match:
        raise ValueError(text)
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if hour > 23 or minute > 59:
        raise ValueError(text)
    return time(hour, minute)


class TimeOfDayField(StringField):
    """A time typed as text: no picker to fight with on a phone or by keyboard; what was typed stays."""

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist and valuelist[0].strip():
            try:
                self.data = parse_time(valuelist[0])
            except ValueError:
                raise ValueError(_l("Enter a time as hours and minutes, like 13:15.")) from None

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return self.data.strftime("%H:%M") if self.data else ""


def local_moment(day: date, moment: time | None, zone: str) -> datetime | None:
    """A wall-clock time on a day in the event's zone, as an aware datetime (validated to exist)."""
    if moment is None:
        return None
    return wall_clock(datetime.combine(day, moment), zone)


class ItemForm(Form):
    title = StringField(_l("Title"), filters=[strip], validators=[DataRequired(_l("Enter a title.")),
                                                                  at_most(300)])
    kind = SelectField(_l("Kind of item"), choices=KIND_CHOICES, default="talk")
    audience = RadioField(_l("For whom"), choices=AUDIENCE_CHOICES, default="everyone",
                          validators=[InputRequired(_l("Choose who the item is for."))])
    day = DateField(_l("Date"), validators=[InputRequired(_l("Enter a date."))])
    starts = TimeOfDayField(_l("Starts"), validators=[InputRequired(_l("Enter a start time, like 13:15."))],
                            description=_l("Hours and minutes, like 13:15."))
    ends = TimeOfDayField(_l("Ends (optional)"), validators=[Optional()],
                          description=_l("Leave empty for an item printed with its start only."))
    location = StringField(_l("Room or stream (optional)"), filters=[strip], validators=[Optional(),
                                                                                         at_most(200)])
    description = TextAreaField(_l("Description (Markdown, optional)"), filters=[strip],
                                validators=[Optional(), at_most(20000)])

    zone = "Europe/Stockholm"  # the event's, set by fit_event

    def validate_day(self, field):
        a_year_we_keep(field.data)

    def _a_time_that_exists(self, field):
        if self.day.data is not None and field.data is not None:
            a_time_that_exists(datetime.combine(self.day.data, field.data), self.zone)

    validate_starts = validate_ends = _a_time_that_exists

    def item_data(self, zone: str) -> operations.ItemData:
        return operations.ItemData(
            title=self.title.data, kind=self.kind.data, audience=self.audience.data,
            starts_at=local_moment(self.day.data, self.starts.data, zone),
            ends_at=local_moment(self.day.data, self.ends.data, zone),
            location=self.location.data or None, description=self.description.data or "",
        )

    def fit_event(self, event, keep: str | None = None) -> None:
        """The event's zone for the times; its audiences: a hybrid event offers all three, an event of
        one mode only "everyone" (its one audience). An item's own audience stays choosable, so an old
        mistake can be corrected."""
        self.zone = event.timezone
        offered = {"everyone", keep} | ({mode.value for mode in event.modes} if len(event.modes) > 1 else set())
        self.audience.choices = [(value, label) for value, label in AUDIENCE_CHOICES if value in offered]

    def fill_from(self, item, zone: str) -> None:
        local = ZoneInfo(zone)
        for name in ("title", "kind", "audience", "location", "description"):
            getattr(self, name).data = getattr(item, name)
        start = item.starts_at.astimezone(local)
        self.day.data = start.date()
        self.starts.data = start.time()
        self.ends.data = item.ends_at.astimezone(local).time() if item.ends_at else None


class NewPersonMixin:
    """A new person typed into a form. When the directory already has someone of that name, the
    form asks whether it is them (``offer_same``) and the answer comes back in ``same_as``."""

    new_name = StringField(_l("Name"), filters=[strip], validators=[Optional(), at_most(200)])
    new_title = StringField(_l("Title or role (optional)"), filters=[strip], validators=[Optional(),
                                                                                         at_most(300)])
    new_organisation = StringField(_l("Organisation (optional)"), filters=[strip],
                                   validators=[Optional(), at_most(300)])
    same_as = RadioField(_l("Is this someone already in the directory?"), choices=[], validate_choice=False)

    def set_people(self, people) -> None:
        self._visible = {str(person.id): person for person in people}
        if self.new_name.data and self.same_as.data:  # sent back for another reason: ask again
            self.offer_same(self._same_name())

    def _same_name(self) -> list:
        key = name_key(self.new_name.data or "")
        return [person for person in self._visible.values() if name_key(person.name) == key]

    def offer_same(self, matches) -> None:
        self.same_as.choices = [(str(person.id), _l("Yes, it is %(person)s", person=person_label(person)))
                                for person in matches] + [("new", _l("No, someone else: add a new person"))]

    def validate_same_as(self, field):
        if field.data and field.data != "new" and field.data not in getattr(self, "_visible", {}):
            raise ValidationError(_l("Choose one of the people listed."))

    def new_person(self) -> int | operations.PersonData | None:
        """The person typed: someone already in the directory when the organiser said so, else new."""
        if not self.new_name.data:
            return None
        chosen = getattr(self, "_visible", {}).get(self.same_as.data or "")
        if chosen is not None and name_key(chosen.name) == name_key(self.new_name.data):
            return chosen.id
        return operations.PersonData(name=self.new_name.data, title=self.new_title.data or "",
                                     organisation=self.new_organisation.data or "",
                                     even_if_same_name=self.same_as.data == "new")


class PersonChoiceMixin(NewPersonMixin):
    """A person from the directory, or a new one typed in the same form."""

    person_required = True
    person = SelectField(_l("Choose from the directory"), choices=[], validate_choice=False)

    def set_people(self, people, label=None, language: str | None = None) -> None:
        """``language``: of the programme the person is chosen for; their title and organisation were
        written in it, as the programme marks them."""
        super().set_people(people)
        if label is not None:
            self.person.label.text = label
        marked = i18n.content_language(language)
        self.person.choices = [("", _l("No one chosen"))] + [
            SelectChoice(str(p.id), person_label(p), render_kw={"lang": marked} if marked else {}) for p in people]

    def validate_person(self, field):
        if field.data and self.new_name.data:
            raise ValidationError(_l("Choose a person from the directory or type a new name, not both."))
        if field.data and field.data not in {value for value, *_rest in field.choices}:
            raise ValidationError(_l("Choose a person from the list."))
        if self.person_required and not field.data and not self.new_name.data:
            raise ValidationError(_l("Choose a person from the directory or type a new name."))

    def chosen_person(self) -> int | operations.PersonData | None:
        if self.person.data:
            return int(self.person.data)
        return self.new_person()


def person_label(person) -> str:
    extra = ", ".join(part for part in (person.title, person.organisation) if part)
    return f"{person.name} ({extra})" if extra else person.name


class SpeakerForm(PersonChoiceMixin, Form):
    role = RadioField(_l("Role"), choices=ROLE_CHOICES, default="speaker",
                      validators=[InputRequired(_l("Choose a role."))])


class LeaderForm(PersonChoiceMixin, Form):
    pass


class GroupForm(Form):
    title = StringField(_l("Topic of the group"), filters=[strip], validators=[DataRequired(_l("Enter a topic.")),
                                                                               at_most(300)])
    mode = RadioField(_l("Where the group meets"), choices=[],
                      validators=[InputRequired(_l("Choose on site or digital."))])
    seats = IntegerField(_l("Places (empty: unlimited)"), validators=[
        Optional(), NumberRange(min=0, max=100000, message=_l("Enter a number from 0 upwards."))])
    place = StringField(_l("Room (on-site groups)"), filters=[strip], validators=[Optional(), at_most(200)])
    join_url = URLField(_l("Join link (digital groups; only the group's members see it)"), filters=[strip],
                        validators=[Optional(), URL(message=_l("Enter a full link starting with https://.")),
                                    at_most(500)])
    description = TextAreaField(_l("Description (Markdown, optional)"), filters=[strip],
                                validators=[Optional(), at_most(20000)])

    def set_modes(self, event, current: str | None = None) -> None:
        modes = [mode.value for mode in event.modes]
        if current and current not in modes:
            modes.append(current)  # an event changed to one mode keeps its other groups editable
        self.mode.choices = [(mode, labels.MODE[mode]) for mode in modes]
        if len(modes) == 1 and not self.mode.data:
            self.mode.data = modes[0]

    def validate_join_url(self, field):
        if field.data and not field.data.lower().startswith(("https://", "http://")):
            raise ValidationError(_l("Enter a full link starting with https://."))

    def group_data(self) -> operations.GroupData:
        return operations.GroupData(
            title=self.title.data, mode=self.mode.data, seats=self.seats.data, place=self.place.data or None,
            join_url=self.join_url.data or None, description=self.description.data or "",
        )

    def fill_from(self, group) -> None:
        for name in ("title", "mode", "seats", "place", "join_url", "description"):
            getattr(self, name).data = getattr(group, name)


class NewGroupForm(PersonChoiceMixin, GroupForm):
    """A new group, with its first leader if known."""

    person_required = False


class PersonForm(Form):
    name = StringField(_l("Name"), filters=[strip], validators=[DataRequired(_l("Enter a name.")),
                                                                at_most(200)])
    title = StringField(_l("Title or role (optional)"), filters=[strip], validators=[Optional(), at_most(300)])
    organisation = StringField(_l("Organisation (optional)"), filters=[strip],
                               validators=[Optional(), at_most(300)])

    # Sent by the "add a new person anyway" button shown when the name is already in the directory.
    even_if_same_name = BooleanField()

    def person_data(self) -> operations.PersonData:
        return operations.PersonData(name=self.name.data, title=self.title.data or "",
                                     organisation=self.organisation.data or "",
                                     even_if_same_name=bool(self.even_if_same_name.data))


class NewItemForm(NewPersonMixin, ItemForm):
    """A new item with its speakers: any people from the directory, and one new person."""

    speakers = SelectMultipleField(_l("From the directory"), choices=[],
                                   validate_choice=False)
    # Optional: a form sent without it (an item without speakers) is not wrong; they are speakers.
    speaker_role = RadioField(_l("Their role in the item"), choices=ROLE_CHOICES, default="speaker",
                              validators=[Optional()])

    def set_people(self, people) -> None:
        super().set_people(people)
        self.speakers.choices = [(str(p.id), person_label(p)) for p in people]

    def validate_speakers(self, field):
        if any(value not in self._visible for value in field.data or ()):
            raise ValidationError(_l("Choose people from the list."))

    def chosen_speakers(self) -> list[int | operations.PersonData]:
        chosen: list[int | operations.PersonData] = [int(value) for value in dict.fromkeys(self.speakers.data or ())]
        new = self.new_person()
        if new is not None and new not in chosen:
            chosen.append(new)
        return chosen


class MergeForm(Form):
    """Which other entry of the directory is the same person (it goes; this one stays)."""

    other = SelectField(_l("The other entry, to be removed"), choices=[], validate_choice=False,
                        validators=[InputRequired(_l("Choose the other entry."))])
    confirm = HiddenField()

    def set_people(self, people) -> None:
        self.other.choices = [("", _l("No one chosen"))] + [(str(p.id), person_label(p)) for p in people]

    def validate_other(self, field):
        if field.data not in {value for value, _label in self.other.choices if value}:
            raise ValidationError(_l("Choose a person from the list."))


class ChoiceForm(Form):
    """Only a CSRF token: buttons that change one thing (move, remove, open group choice)."""
