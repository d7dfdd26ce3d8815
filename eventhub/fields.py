"""What every form uses the same way: filters, validators, and the confirmation form."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import CombinedMultiDict
from wtforms import RadioField as _RadioField
from wtforms.validators import Length, ValidationError

from eventhub.inputs import submitted_fields
from eventhub.text import looks_like_email, web_url
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


YEARS_WE_KEEP = range(1900, 2201)


def a_year_we_keep(value) -> None:
    """A date within the years a calendar or a ticket can carry: year 1 or 9999 in a zone away
    from UTC is a time Python cannot even convert (an OverflowError, a 500)."""
    if value is not None and value.year not in YEARS_WE_KEEP:
        raise ValidationError(_l("Enter a date between the years 1900 and 2200."))


def a_time_that_exists(naive, zone: str) -> None:
    """The one message for a local time the zone skips (the hour summer time begins), or a date
    outside the years we keep, on every form that takes a time; ``zone`` must be a valid zone name."""
    if naive is None:
        return
    a_year_we_keep(naive)
    try:
        wall_clock(naive, zone)
    except NoSuchLocalTime:
        raise ValidationError(_l("That time does not exist on that day: the clocks go forward an hour when "
                                 "summer time begins. Enter a time an hour later or earlier.")) from None


def web_link(_form, field):
    """A link that goes into ``href``: http(s) with a host, as the models require (text.web_url)."""
    if field.data:
        try:
            web_url(field.data)
        except ValueError:
            raise ValidationError(_l("Enter a full link starting with https://.")) from None


CONTROL_CHARACTERS_REMOVED = _l("This held invisible control characters, which have been removed. "
                                "Check the text and send it again.")


_FROM_THE_REQUEST = object()


class Form(FlaskForm):
    """Every form of the app: read from the request's form fields only (a JSON body is the check-in
    API's, never a form's), and a field that held control characters is refused with a message,
    the rest of what was typed shown again (the rule itself: eventhub.inputs)."""

    def __init__(self, formdata=_FROM_THE_REQUEST, **kwargs):
        if formdata is _FROM_THE_REQUEST:
            formdata = submitted_fields()
        parts = formdata.dicts if isinstance(formdata, CombinedMultiDict) else [formdata]
        self.cleaned_fields = frozenset().union(*(getattr(part, "cleaned", ()) for part in parts))
        super().__init__(formdata=formdata, **kwargs)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            if field.name in self.cleaned_fields:
                field.errors = [*field.errors, CONTROL_CHARACTERS_REMOVED]
                valid = False
        return valid


class RadioField(_RadioField):
    """A radio group that says "not a valid choice" only of a value that was sent. With nothing chosen,
    the field's InputRequired or Optional says what that means; WTForms would first translate its own
    message through Flask-WTF, which reads WTForms' translation file again on every request (about 5 %
    of a registration's POST, for the optional group field alone)."""

    def pre_validate(self, form):
        if self.raw_data:
            super().pre_validate(form)


class ConfirmForm(Form):
    """An empty form: only its CSRF token matters (cancel, leave group, a download that is logged)."""
