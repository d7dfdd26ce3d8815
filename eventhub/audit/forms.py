"""The audit log's filters: a GET form, so a filtered view is a link one can keep or send."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField
from wtforms.validators import Optional

from eventhub import labels
from eventhub.fields import Form, a_year_we_keep


class _Date(DateField):
    """A date field whose complaint is ours, in the person's language."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(str(_l("Enter a date like 2026-03-14."))) from None

    def pre_validate(self, form):
        a_year_we_keep(self.data)  # the day after 9999-12-31 is no date


class AuditFilterForm(Form):
    class Meta:
        csrf = False  # it only reads

    kind = SelectField(_l("What"), choices=[], validate_choice=True, default="")
    actor = SelectField(_l("Who"), choices=[], validate_choice=True, default="")
    since = _Date(_l("From"), validators=[Optional()])
    until = _Date(_l("To"), validators=[Optional()])

    def __init__(self, actors: list[tuple[str, str]], **kwargs):
        super().__init__(**kwargs)
        self.kind.choices = [("", _l("All changes")), *labels.AUDIT_KIND.items()]
        self.actor.choices = [("", _l("Everyone")), *actors]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.since.data and self.until.data and self.until.data < self.since.data:
            self.until.errors = [*self.until.errors, _l("The end date must not be before the start date.")]
            valid = False
        return valid
