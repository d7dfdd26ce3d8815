"""The organiser's forms for attendance: importing a platform's report, matching a row by hand."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import InputRequired, ValidationError

from eventhub.attendance.services import SIGNATORY_MAX
from eventhub.fields import Form, at_most, strip


class ImportForm(Form):
    report = FileField(_l("The attendance report (CSV file)"))

    def validate_report(self, field):
        if not field.data or not getattr(field.data, "filename", None):
            raise ValidationError(_l("Choose the file that Teams or Zoom gave you."))


class MatchForm(Form):
    """Who a row of the report is; each row's form posts to its own address."""

    registration = SelectField(_l("Who is this?"), choices=[], validate_choice=True,
                               validators=[InputRequired(_l("Choose the registration this person is."))])

    def set_choices(self, candidates) -> None:
        self.registration.choices = [("", "")] + [(str(person.registration_id), person.name)
                                                  for person in candidates.everyone]


class CertificateForm(Form):
    """Whether those who took part may download a certificate of attendance, and who signs it."""

    enabled = BooleanField(_l("Those who took part may download a certificate of attendance from their page"))
    signatory = StringField(_l("Signed by (optional)"), filters=[strip], validators=[at_most(SIGNATORY_MAX)],
                            description=_l("A name and title, e.g. \u201cAnna Berg, project manager\u201d: the "
                                           "certificate gets a signature line with it. Empty: the organiser's "
                                           "name only."))
