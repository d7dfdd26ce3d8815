"""What every form uses the same way: filters, validators, and the confirmation form."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.validators import Length, ValidationError

from eventhub.text import looks_like_email


def at_most(characters: int) -> Length:
    """The one rule and wording for a text's length; the page shows it before sending (maxlength,
    and a counter on long texts, see templates/_forms.html)."""
    return Length(max=characters, message=_l("At most %(max)d characters."))


def strip(value):
    return value.strip() if isinstance(value, str) else value


def valid_email(_form, field):
    if field.data and not looks_like_email(field.data):
        raise ValidationError(_l("Enter an email address like name@example.se."))


class ConfirmForm(FlaskForm):
    """An empty form: only its CSRF token matters (cancel, leave group, a download that is logged)."""
