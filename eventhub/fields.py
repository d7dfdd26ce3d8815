"""Filters and validators that every form uses the same way."""
from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

from eventhub.text import looks_like_email


def strip(value):
    return value.strip() if isinstance(value, str) else value


def valid_email(_form, field):
    if field.data and not looks_like_email(field.data):
        raise ValidationError(_l("Enter an email address like name@example.se."))
