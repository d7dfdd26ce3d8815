from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Optional

from eventhub.fields import Form, at_most, strip
from eventhub.live.models import TEXT_MAX


class AnnouncementForm(Form):
    audience = RadioField(_l("Who is it for?"), choices=[],
                          validators=[InputRequired(_l("Choose who the announcement is for."))])
    text_sv = TextAreaField(_l("Announcement in Swedish"), filters=[strip], validators=[
        DataRequired(_l("Write the announcement in Swedish.")), at_most(TEXT_MAX)])
    text_en = TextAreaField(_l("In English (optional)"), filters=[strip],
                            validators=[Optional(), at_most(TEXT_MAX)])
    by_email = BooleanField(_l("Also send it by email"))


class AskForm(Form):
    """A question to the speakers from the person's own page (the rules and their messages: live.qa)."""

    item = SelectField(_l("To the speakers of"), choices=[], validate_choice=False)
    text = TextAreaField(_l("Your question"))
    anonymous = BooleanField(_l("Ask anonymously (nobody sees your name, the moderator neither)"))


class MergeForm(Form):
    into = SelectField(_l("Merge into"), choices=[], validate_choice=False)


class ModerationSettingsForm(Form):
    auto_approve = BooleanField(_l("Show questions as soon as they are asked, without moderation"))
