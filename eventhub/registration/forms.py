
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Optional, ValidationError

from eventhub import labels
from eventhub.caching import LRU
from eventhub.fields import Form, RadioField, at_most, strip, valid_email
from eventhub.groups import services as group_services
from eventhub.i18n import page_language
from eventhub.mail import services as mail
from eventhub.questions import forms as question_forms
from eventhub.questions import services as questions
from eventhub.text import looks_like_email

SPECIAL_ANSWER_MAX = 500


def mail_takes(_form, field):
    """An address our mail server cannot send to is refused here, while the person can give another,
    not found out later in a message that never arrives (mail.services.takes_address)."""
    if field.data and looks_like_email(field.data) and not mail.takes_address(field.data):
        raise ValidationError(_l("Our mail server cannot send email to an address with letters such as å, ä or ö "
                                 "before the @. Please give another address."))


class SpecialAnswersMixin:
    dietary_needs = TextAreaField(_l("Dietary needs (optional)"), filters=[strip],
                                  validators=[Optional(), at_most(SPECIAL_ANSWER_MAX)])
    accessibility_needs = TextAreaField(_l("Accessibility needs (optional)"), filters=[strip],
                                        validators=[Optional(), at_most(SPECIAL_ANSWER_MAX)])
    special_consent = BooleanField(
        _l("I agree that my dietary and accessibility answers are stored to plan the event. "
           "They are deleted after the event, as the privacy notice says, and I can withdraw my consent at any "
           "time."))

    def validate_special_consent(self, field):
        if (self.dietary_needs.data or self.accessibility_needs.data) and not field.data:
            raise ValidationError(_l("To save dietary or accessibility needs we need your consent. "
                                     "Tick the box, or leave those fields empty."))


class RegistrationForm(SpecialAnswersMixin, question_forms.AnswersMixin, Form):
    name = StringField(_l("Name"), filters=[strip], validators=[
        DataRequired(_l("Enter your name.")), at_most(200)])
    email = EmailField(_l("Email"), filters=[strip], validators=[
        DataRequired(_l("Enter your email address.")), at_most(254), valid_email, mail_takes])
    organisation = StringField(_l("Organisation (optional)"), filters=[strip], validators=[Optional(), at_most(200)])
    role_title = StringField(_l("Role or title (optional)"), filters=[strip], validators=[Optional(), at_most(200)])
    sector = RadioField(_l("Sector"), choices=list(labels.SECTOR.items()),
                        validators=[InputRequired(_l("Choose the sector you work in."))])
    mode = RadioField(_l("How will you take part?"), choices=[],
                      validators=[InputRequired(_l("Choose how you will take part."))])
    group = RadioField(_l("Discussion group (optional)"), choices=[], validators=[Optional()], coerce=str)
    language = RadioField(_l("Language for emails"), choices=list(labels.LANGUAGE.items()),
                          validators=[InputRequired(_l("Choose a language."))])
    privacy = BooleanField(_l("I have read the privacy notice."),
                           validators=[DataRequired(_l("You need to accept the privacy notice to register."))])
    photo_consent = BooleanField(_l("I agree to appear in photos from the event (optional)."))

    def answer_mode(self) -> str:
        return self.mode.data or ""

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        return self.check_answers() and valid

    def set_choices(self, event, groups):
        self.mode.choices = [(mode.value, labels.MODE[mode]) for mode in event.modes]
        if len(event.modes) == 1 and not self.mode.data:
            self.mode.data = event.modes[0].value
        self.group.choices = [("", _l("Choose later"))] + [(str(g.id), g.title) for g in groups]


class MyLinkForm(Form):
    """The public page that sends a person their personal link (from the projector's QR code)."""

    email = EmailField(_l("Your email address"), filters=[strip], validators=[
        DataRequired(_l("Enter your email address.")), at_most(254), valid_email])


class ModeForm(Form):
    mode = RadioField(_l("How will you take part?"), choices=[],
                      validators=[InputRequired(_l("Choose how you will take part."))])


class GroupForm(Form):
    group = RadioField(_l("Discussion group"), choices=[], validators=[InputRequired(_l("Choose a group."))])


class SpecialAnswersForm(SpecialAnswersMixin, Form):
    pass


class LanguageForm(Form):
    language = RadioField(_l("Language for emails and this page"), choices=list(labels.LANGUAGE.items()),
                          validators=[InputRequired(_l("Choose a language."))])
    next = StringField()  # the page to return to (checked by the view)


def registration_form(event, formdata=None, viewer=None) -> tuple[RegistrationForm, list]:
    """The registration form as the event page and /register show it, and the groups it offers.

    Seen from one audience's programme, the form starts in that mode and offers only
    the groups that mode may join. It starts in the language of the page it stands on: someone
    who reads the English page gets English emails unless they choose otherwise.
    """
    form = _form_class(event)(formdata=formdata)
    groups = group_services.choosable(event, viewer) if event.group_choice_open else []
    if viewer is not None and formdata is None:
        form.mode.data = viewer.value
    form.set_choices(event, groups)
    if formdata is None:
        form.language.data = page_language()
    return form, groups


_FORMS: LRU[type] = LRU(256)


def _form_class(event) -> type[RegistrationForm]:
    """The event's registration form with the organiser's questions, made once per worker per questions
    version (the questions themselves: ``questions.services.asked``)."""
    key = (event.calendar_uid, event.questions_version)
    form_class = _FORMS.get(key)
    if form_class is None:
        asked = questions.asked(event)
        form_class = type("EventRegistrationForm", (RegistrationForm,),
                          {**question_forms.answer_fields(asked), "questions": asked}) if asked else RegistrationForm
        _FORMS.put(key, form_class)
    return form_class
