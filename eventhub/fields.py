"""What every form uses the same way: filters, validators, and the confirmation form."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.validators import Length, ValidationError

from eventhub.text import looks_like_email
from eventhub.types import NoSuchLocalTime, wall_clock


def at_most(characters: int) -> Length:
    """The one rule and wording for a text's length; the page shows it before sending (maxlength,
    and a counter on long texts, see templates/_forms.html)."""
    return Length(max=characters, message=_l("At most %(max)d characters."))


def strip(value):
    return value.strip() if isinstance(value, str) else value


def valid_email(_form, field):
    if field.data and not looks_like_email(field.data):
        raise ValidationError(_l("Enter an email address like name@example.se."))


def a_time_that_exists(naive, zone: str) -> None:
    """The one message for a local time the zone skips (the hour summer time begins), on every form
    that takes a time; ``zone`` must be a valid zone name."""
    if naive is None:
        return
    try:
        wall_clock(naive, zone)
    except NoSuchLocalTime:
        raise ValidationError(_l("That time does not exist on that day: the clocks go forward an hour when "
                                 "summer time begins. Enter a time an hour later or earlier.")) from None


class ConfirmForm(FlaskForm):
    """An empty form: only its CSRF token matters (cancel, leave group, a download that is logged)."""
