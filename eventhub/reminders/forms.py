from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, TextAreaField, URLField
from wtforms.validators import InputRequired, Optional, ValidationError

from eventhub.fields import Form, at_most, strip, web_link
from eventhub.reminders.models import INTRO_MAX, MAX_MINUTES_BEFORE, MIN_MINUTES_BEFORE
from eventhub.reminders.services import DIRECTIONS_MAX

UNITS = {"days": 24 * 60, "hours": 60, "minutes": 1}
WHEN_RANGE = _l("Choose a time between 15 minutes and 60 days before the start.")
AS_A_NUMBER = _l("Enter how long before the start, as a number.")


class WholeNumberField(IntegerField):
    """A count in digits; anything else is refused in the form's own words."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(str(AS_A_NUMBER)) from None


class ReminderForm(Form):
    amount = WholeNumberField(_l("Number"), validators=[InputRequired(AS_A_NUMBER)])
    unit = SelectField(_l("Unit"), choices=[("days", _l("days")), ("hours", _l("hours")),
                                            ("minutes", _l("minutes"))], default="days")
    intro_sv = TextAreaField(_l("Introduction in Swedish (optional)"), filters=[strip],
                             validators=[Optional(), at_most(INTRO_MAX)])
    intro_en = TextAreaField(_l("Introduction in English (optional)"), filters=[strip],
                             validators=[Optional(), at_most(INTRO_MAX)])

    @property
    def minutes_before(self) -> int:
        return (self.amount.data or 0) * UNITS.get(self.unit.data, 1)

    def validate_amount(self, field):
        if field.data is None or self.unit.data not in UNITS:
            return  # said already: not a number, or not a unit of the list
        if field.data <= 0 or not MIN_MINUTES_BEFORE <= self.minutes_before <= MAX_MINUTES_BEFORE:
            raise ValidationError(WHEN_RANGE)

    def fill_from(self, reminder) -> None:
        unit = next(name for name, minutes in UNITS.items() if reminder.minutes_before % minutes == 0)
        self.amount.data, self.unit.data = reminder.minutes_before // UNITS[unit], unit
        self.intro_sv.data, self.intro_en.data = reminder.intro_sv, reminder.intro_en


class PracticalForm(Form):
    directions = TextAreaField(_l("How to get there (for people on site)"), filters=[strip],
                               validators=[Optional(), at_most(DIRECTIONS_MAX)])
    platform_test_url = URLField(_l("Test link for the platform (for digital participants)"), filters=[strip],
                                 validators=[Optional(), at_most(500), web_link])
