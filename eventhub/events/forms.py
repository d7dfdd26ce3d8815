from datetime import UTC, datetime
from functools import cache
from importlib.resources import files
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    EmailField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import URL, DataRequired, InputRequired, NumberRange, Optional, ValidationError

from eventhub import labels
from eventhub.fields import Form, a_time_that_exists, a_year_we_keep, at_most, strip, valid_email, web_link
from eventhub.privacy import forms as privacy_forms
from eventhub.text import web_url
from eventhub.types import wall_clock

SLUG_HINT = _l("Lower-case letters, digits and hyphens. Leave empty to make one from the title.")


PREFERRED_ZONES = ("Europe/Stockholm", "Europe/Helsinki", "Europe/Oslo", "Europe/Copenhagen", "UTC")


@cache
def canonical_zones() -> tuple[str, ...]:
    """The IANA zones people live in: tzdata's zone.tab (one or more per country), no aliases.

    ``available_timezones()`` also lists links kept for old software ("US/Eastern", "Singapore",
    "Etc/GMT+3", whose sign is the reverse of what it reads), which only confuse a choice.
    zone.tab rather than zone1970.tab: the latter folds Europe/Stockholm into Europe/Berlin.
    """
    table = files("tzdata").joinpath("zoneinfo", "zone.tab").read_text(encoding="utf-8")
    names = {line.split("\t")[2] for line in table.splitlines() if line and not line.startswith("#")}
    return (*PREFERRED_ZONES, *sorted(names - set(PREFERRED_ZONES)))


def _zones():
    # Swedish organisers first.
    return [(zone, zone) for zone in canonical_zones()]


def parse_partners(text: str) -> list[tuple[str, str | None]]:
    """One partner a line: ``Name`` or ``Name | https://link``."""
    partners = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        name, _, url = line.partition("|")
        partners.append((name.strip()[:200], url.strip()[:500] or None))
    return partners


def valid_partners(_form, field):
    for name, url in parse_partners(field.data):
        if not name:
            raise ValidationError(_l("Each line needs a name before the |."))
        try:
            web_url(url)
        except ValueError:  # "Name | https://" has no address after the scheme
            raise ValidationError(_l("A partner link must be a full address starting with https:// or "
                                     "http://.")) from None


class EventForm(Form):
    title = StringField(_l("Title"), filters=[strip], validators=[DataRequired(_l("Enter a title.")), at_most(200)])
    slug = StringField(_l("Address (slug)"), filters=[strip], validators=[Optional(), at_most(120)],
                       description=SLUG_HINT)
    summary = TextAreaField(_l("Summary"), filters=[strip], validators=[Optional(), at_most(500)])
    description = TextAreaField(_l("Description (Markdown)"), filters=[strip], validators=[Optional(),
                                                                                       at_most(20000)])
    format = RadioField(_l("Format"), choices=[("hybrid", _l("On site and digital")), ("on_site", _l("On site")),
                                               ("digital", _l("Digital"))], default="hybrid",
                        validators=[InputRequired(_l("Choose a format."))])
    timezone = SelectField(_l("Time zone"), choices=_zones, default="Europe/Stockholm")
    starts_at = DateTimeLocalField(_l("Starts"), format="%Y-%m-%dT%H:%M",
                                   validators=[InputRequired(_l("Enter a start date and time."))])
    ends_at = DateTimeLocalField(_l("Ends"), format="%Y-%m-%dT%H:%M",
                                 validators=[InputRequired(_l("Enter an end date and time."))])
    language = SelectField(_l("Language of the content"), choices=list(labels.LANGUAGE.items()))
    organiser_name = StringField(_l("Organiser"), filters=[strip], validators=[Optional(), at_most(200)])
    partners = TextAreaField(_l("Partners, one a line (Name | https://link)"), validators=[Optional(), valid_partners])
    venue_name = StringField(_l("Venue"), filters=[strip], validators=[Optional(), at_most(200)])
    venue_address = StringField(_l("Address"), filters=[strip], validators=[Optional(), at_most(300)])
    platform_name = StringField(_l("Digital platform"), filters=[strip], validators=[Optional(), at_most(100)])
    join_url = URLField(_l("Join link (only registered digital participants see it)"), filters=[strip],
                        validators=[Optional(), URL(message=_l("Enter a full link starting with https://.")),
                                    at_most(500), web_link])
    on_site_seats = IntegerField(_l("Places on site (empty: unlimited)"), validators=[
        Optional(), NumberRange(min=0, max=100000, message=_l("Enter a number from 0 upwards."))])
    digital_seats = IntegerField(_l("Digital places (empty: unlimited)"), validators=[
        Optional(), NumberRange(min=0, max=100000, message=_l("Enter a number from 0 upwards."))])
    registration_opens_at = DateTimeLocalField(_l("Registration opens (empty: when published)"),
                                               format="%Y-%m-%dT%H:%M", validators=[Optional()])
    registration_closes_at = DateTimeLocalField(_l("Registration closes (empty: when the event ends)"),
                                                format="%Y-%m-%dT%H:%M", validators=[Optional()])
    group_choice_open = BooleanField(_l("Attendees may choose a discussion group now"))
    on_site_may_join_digital_groups = BooleanField(_l("People on site may join digital groups (computers on site)"))
    contact_name = StringField(_l("Contact person"), filters=[strip], validators=[Optional(), at_most(200)])
    contact_email = EmailField(_l("Contact email"), filters=[strip],
                               validators=[Optional(), at_most(254), valid_email])
    asks_dietary_needs = BooleanField(_l("Ask people on site about dietary needs"), default=True)
    recording_url = URLField(_l("Recording link (shown after the event)"), filters=[strip], validators=[
        Optional(), URL(message=_l("Enter a full link starting with https://.")), at_most(500), web_link])

    def keep_zone(self, zone: str) -> None:
        """An event saved with an alias zone ("US/Eastern") keeps it on its form until it is changed."""
        if zone and zone not in canonical_zones():
            self.timezone.choices = [*self.timezone.choices, (zone, zone)]

    def _zone_is_usable(self) -> bool:
        # The list first: ZoneInfo reads any name as a file ("Europe" is a folder, a long name too long).
        if self.timezone.data not in {zone for zone, _label in self.timezone.choices}:
            return False
        try:
            ZoneInfo(self.timezone.data)
        except (KeyError, ValueError, OSError):
            return False
        return True

    def validate_timezone(self, field):
        if not self._zone_is_usable():
            raise ValidationError(_l("Choose a time zone from the list."))

    def _zone_name(self) -> str:
        return self.timezone.data or "Europe/Stockholm"

    def _a_time_that_exists(self, field):
        if self._zone_is_usable():  # else validate_timezone says so
            a_time_that_exists(field.data, self._zone_name())

    validate_starts_at = validate_ends_at = _a_time_that_exists
    validate_registration_opens_at = validate_registration_closes_at = _a_time_that_exists

    def aware(self, naive: datetime | None) -> datetime | None:
        """Times are typed in the event's own zone (validated to exist there)."""
        if naive is None:
            return None
        return wall_clock(naive, self._zone_name())

    def fill_from(self, event):
        zone = ZoneInfo(event.timezone)
        for name in ("title", "slug", "summary", "description", "format", "timezone", "language", "organiser_name",
                     "venue_name", "venue_address", "platform_name", "join_url", "on_site_seats", "digital_seats",
                     "group_choice_open", "on_site_may_join_digital_groups", "contact_name", "contact_email",
                     "recording_url", "asks_dietary_needs"):
            getattr(self, name).data = getattr(event, name)
        for name in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at"):
            value = getattr(event, name)
            getattr(self, name).data = value.astimezone(zone).replace(tzinfo=None) if value else None
        self.partners.data = "\n".join(f"{p.name} | {p.url}" if p.url else p.name for p in event.partners)
        privacy_forms.fill(self, event)


privacy_forms.add_fields(EventForm)  # controller, notice text, retention periods: after the fields above


class DuplicateForm(Form):
    title = StringField(_l("Title of the new event"), filters=[strip],
                        validators=[DataRequired(_l("Enter a title.")), at_most(200)])
    new_date = DateField(_l("Date of the new event"), validators=[InputRequired(_l("Enter a date."))])
    copy_team = BooleanField(_l("Copy the team: the co-organisers and door hosts of this event"), default=True)

    def validate_new_date(self, field):
        a_year_we_keep(field.data)
        if field.data and field.data < datetime.now(UTC).date():
            raise ValidationError(_l("Choose today or a later date: a copy is for a meeting still to come."))


class CancelEventForm(Form):
    message = TextAreaField(_l("Message to everyone registered (optional)"), filters=[strip],
                            validators=[Optional(), at_most(2000)],
                            description=_l("For example the reason, or the new date if there will be one. "
                                           "It goes into the email and onto the event's page."))


class ShiftProgrammeForm(Form):
    minutes = IntegerField(_l("Minutes (negative: earlier)"), validators=[
        InputRequired(_l("Enter a number of minutes.")),
        NumberRange(min=-1440, max=1440, message=_l("Enter a number of minutes between -1440 and 1440."))])
    with_event = BooleanField(_l("Move the event's start and end too"))

    def validate_minutes(self, field):
        if field.data == 0:
            raise ValidationError(_l("Enter a number of minutes other than 0."))


class StaffForm(Form):
    email = EmailField(_l("Email of an existing account"), filters=[strip],
                       validators=[DataRequired(_l("Enter an email address.")), valid_email])
    role = RadioField(_l("Part"), choices=[("host", _l("Door host")), ("organiser", _l("Organiser"))],
                      default="host")
