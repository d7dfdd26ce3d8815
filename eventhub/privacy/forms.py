"""The privacy fields of the event form, and the attendee's consent buttons."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, StringField, TextAreaField
from wtforms.validators import NumberRange, Optional, ValidationError

from eventhub.fields import at_most
from eventhub.privacy import services
from eventhub.privacy.models import DEFAULT_ANONYMISE_DAYS, DEFAULT_SPECIAL_DAYS, MAX_RETENTION_DAYS

FIELDS = ("privacy_controller", "privacy_contact", "privacy_notice", "special_retention_days",
          "anonymise_after_days", "photo_retention_days")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _not_before_special(form, field):
    special = form.special_retention_days.data
    special = DEFAULT_SPECIAL_DAYS if special is None else special
    anonymise = DEFAULT_ANONYMISE_DAYS if field.data is None else field.data
    try:
        services.check_retention(special, anonymise)
    except services.SpecialAfterAnonymising:
        raise ValidationError(_l("Registrations cannot be anonymised before the dietary and accessibility "
                                 "answers are deleted: use at least as many days.")) from None
    except services.RetentionOutOfRange:
        pass  # each field's own range check says it


def add_fields(form_class) -> None:
    """Add the privacy fields to the event form, after its own fields (so in page order)."""
    days = _l("Enter a number of days from %(min)s to %(max)s.")  # NumberRange fills in min and max
    form_class.privacy_controller = StringField(
        _l("Data controller (empty: the organiser)"), filters=[_strip], validators=[Optional(), at_most(200)])
    form_class.privacy_contact = StringField(
        _l("Contact for questions about personal data (empty: the contact email)"), filters=[_strip],
        validators=[Optional(), at_most(300)])
    form_class.privacy_notice = TextAreaField(
        _l("Privacy notice: purpose and what is kept (empty: the standard text)"), filters=[_strip],
        validators=[Optional(), at_most(10000)])
    form_class.special_retention_days = IntegerField(
        _l("Delete dietary and accessibility answers this many days after the event"), default=DEFAULT_SPECIAL_DAYS,
        validators=[Optional(), NumberRange(min=0, max=MAX_RETENTION_DAYS,
                                            message=days)])
    form_class.anonymise_after_days = IntegerField(
        _l("Anonymise registrations this many days after the event"), default=DEFAULT_ANONYMISE_DAYS,
        validators=[Optional(), NumberRange(min=1, max=MAX_RETENTION_DAYS,
                                            message=days),
                    _not_before_special])
    form_class.photo_retention_days = IntegerField(
        _l("Delete the photos on the documentation page this many days after the event (empty: keep them "
           "until you delete them)"),
        validators=[Optional(), NumberRange(min=1, max=MAX_RETENTION_DAYS, message=days)])


def fill(form, event) -> None:
    settings = services.settings_of(event)
    form.privacy_controller.data = settings.controller_name
    form.privacy_contact.data = settings.controller_contact
    form.privacy_notice.data = settings.notice_text
    form.special_retention_days.data = settings.special_retention_days
    form.anonymise_after_days.data = settings.anonymise_after_days
    form.photo_retention_days.data = settings.photo_retention_days


def settings(form) -> services.PrivacySettings:
    special, anonymise = form.special_retention_days.data, form.anonymise_after_days.data
    return services.PrivacySettings(
        controller_name=form.privacy_controller.data or "", controller_contact=form.privacy_contact.data or "",
        notice_text=form.privacy_notice.data or "",
        special_retention_days=DEFAULT_SPECIAL_DAYS if special is None else special,
        anonymise_after_days=DEFAULT_ANONYMISE_DAYS if anonymise is None else anonymise,
        photo_retention_days=form.photo_retention_days.data,
    )
