from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, ValidationError

from eventhub.fields import Form, at_most, strip
from eventhub.mailings.services import BODY_MAX, SUBJECT_MAX
from eventhub.text import CONTROL_CHARACTERS


def one_line(_form, field):
    # A line break in a subject could smuggle in mail headers; refuse it rather than quietly change it.
    if field.data and CONTROL_CHARACTERS.search(field.data):
        raise ValidationError(_l("The subject must be a single line."))


class MailingForm(Form):
    audience = RadioField(_l("Who should get it?"), choices=[],
                          validators=[InputRequired(_l("Choose who should get the email."))])
    subject = StringField(_l("Subject"), filters=[strip], validators=[
        DataRequired(_l("Write a subject.")),
        at_most(SUBJECT_MAX), one_line])
    body = TextAreaField(_l("Message"), validators=[
        DataRequired(_l("Write a message.")), at_most(BODY_MAX)])
    send_key = HiddenField()
