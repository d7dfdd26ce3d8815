"""The evaluation's forms: its settings, its questions, a person's answers, and the follow-up's texts and time.

The questions, the answers and the follow-up's texts are forms made for the evaluation at hand
(``questions_form``, ``answer_form``, ``follow_up_form``): a field per question (or text), named by its
id. ``posted``: read from the request (the form that was sent), else filled from what is stored (the
page's other forms, shown beside it).
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateTimeLocalField, HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import InputRequired, Optional, ValidationError

from eventhub import labels
from eventhub.evaluation.models import (
    ANSWER_TEXT_MAX,
    BODY_MAX,
    QUESTION_TEXT_MAX,
    RATING_MAX,
    RATING_MIN,
    SUBJECT_MAX,
    QuestionKind,
)
from eventhub.fields import Form, a_time_that_exists, at_most, strip
from eventhub.text import CONTROL_CHARACTERS
from eventhub.types import wall_clock

TIME_FORMAT = "%Y-%m-%dT%H:%M"
NO_ANSWER = ""


class _InZone:
    """Times typed in the event's zone (set ``zone`` before validating)."""

    zone = "Europe/Stockholm"

    def aware(self, naive):
        return wall_clock(naive, self.zone) if naive is not None else None

    def _exists(self, field):
        a_time_that_exists(field.data, self.zone)


class SettingsForm(_InZone, Form):
    anonymous = RadioField(_l("Whose answers"), choices=[
        ("yes", _l("Anonymous: answers are kept with no link to the person, only how they took part and their "
                   "sector")),
        ("no", _l("With names: you see who gave which answers"))],
        validators=[InputRequired(_l("Choose whether the answers are anonymous."))])
    opens_at = DateTimeLocalField(_l("Opens"), format=TIME_FORMAT,
                                  validators=[InputRequired(_l("Enter when the evaluation opens."))])
    closes_at = DateTimeLocalField(_l("Closes"), format=TIME_FORMAT,
                                   validators=[InputRequired(_l("Enter when the evaluation closes."))])

    def validate_opens_at(self, field):
        self._exists(field)

    def validate_closes_at(self, field):
        self._exists(field)
        if field.data and self.opens_at.data and field.data <= self.opens_at.data:
            raise ValidationError(_l("The evaluation must close after it opens."))


def _question_texts(form, field):
    if field.data and CONTROL_CHARACTERS.search(field.data.replace("\n", " ").replace("\r", " ")):
        raise ValidationError(_l("Write the question on one line."))


class _QuestionsBase(Form):
    action = HiddenField()  # which button: save, up:<id>, down:<id>, remove:<id> (the button's own value)

    question_ids: list[int] = []

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for question_id in self.question_ids:
            sv, en = self[f"q{question_id}_sv"], self[f"q{question_id}_en"]
            if not (sv.data or "").strip() and not (en.data or "").strip():
                sv.errors = [*sv.errors, _l("Write the question in Swedish, in English or in both.")]
                valid = False
        return valid


def questions_form(questions, posted: bool = False):
    """Each question's Swedish and English text (textareas: Enter never sends the form by accident)."""
    fields = {}
    for question in questions:
        fields[f"q{question.id}_sv"] = TextAreaField(_l("In Swedish"), filters=[strip], default=question.text_sv,
                                                     validators=[Optional(), at_most(QUESTION_TEXT_MAX),
                                                                 _question_texts])
        fields[f"q{question.id}_en"] = TextAreaField(_l("In English"), filters=[strip], default=question.text_en,
                                                     validators=[Optional(), at_most(QUESTION_TEXT_MAX),
                                                                 _question_texts])
    form_class = type("QuestionsForm", (_QuestionsBase,), {**fields, "question_ids": [q.id for q in questions]})
    return form_class() if posted else form_class(formdata=None)


KIND_CHOICES = [(QuestionKind.RATING.value, _l("A rating from 1 (very poor) to 5 (very good)")),
                (QuestionKind.TEXT.value, _l("A written answer"))]


class NewQuestionForm(Form):
    kind = RadioField(_l("How it is answered"), choices=KIND_CHOICES, default=QuestionKind.RATING.value,
                      validators=[InputRequired(_l("Choose how the question is answered."))])
    audience = RadioField(_l("Who is asked"), choices=[], default="everyone",
                          validators=[InputRequired(_l("Choose who is asked."))])
    text_sv = TextAreaField(_l("The question in Swedish"), filters=[strip],
                            validators=[at_most(QUESTION_TEXT_MAX), _question_texts])
    text_en = TextAreaField(_l("The question in English"), filters=[strip],
                            validators=[Optional(), at_most(QUESTION_TEXT_MAX), _question_texts])

    def offer(self, modes) -> None:
        """Who may be asked: everyone, or one of the event's modes (when it has two)."""
        self.audience.choices = [("everyone", labels.AUDIENCE_LONG["everyone"])] + (
            [(mode.value, labels.AUDIENCE_LONG[mode.value]) for mode in modes] if len(modes) > 1 else [])

    def validate_text_sv(self, field):
        if not (field.data or "").strip() and not (self.text_en.data or "").strip():
            raise ValidationError(_l("Write the question in Swedish, in English or in both."))


class _AnswerBase(Form):
    question_ids: list[int] = []


def answer_form(questions, rating_words: dict[int, str], posted: bool = False):
    """A person's answers: for a rating, 1 to 5 or no answer; for a written answer, a text."""
    fields = {}
    choices = [(str(value), f"{value} – {rating_words[value]}") for value in range(RATING_MIN, RATING_MAX + 1)]
    for question in questions:
        name = f"answer_{question.id}"
        if question.is_rating:
            fields[name] = RadioField(_l("Rating"), choices=[*choices, (NO_ANSWER, _l("No answer"))],
                                      default=NO_ANSWER, validators=[Optional()], validate_choice=True)
        else:
            fields[name] = TextAreaField(_l("Your answer"), validators=[Optional(), at_most(ANSWER_TEXT_MAX)])
    form_class = type("AnswerForm", (_AnswerBase,), {**fields, "question_ids": [q.id for q in questions]})
    return form_class() if posted else form_class(formdata=None)


def answers_of(form) -> dict[int, str]:
    return {question_id: form[f"answer_{question_id}"].data or "" for question_id in form.question_ids}


def _one_line(_form, field):
    if field.data and CONTROL_CHARACTERS.search(field.data):
        raise ValidationError(_l("The subject must be a single line."))


class _FollowUpBase(Form):
    keys: list[tuple[str, str]] = []


def follow_up_form(texts, keys, posted: bool = False):
    """The subject and message of each variant in each language (``texts``: (variant, language) → Text)."""
    fields = {}
    for variant, language in keys:
        text = texts[(variant, language)]
        fields[f"subject_{variant}_{language}"] = StringField(
            _l("Subject"), filters=[strip], default=text.subject,
            validators=[InputRequired(_l("Write a subject.")), at_most(SUBJECT_MAX), _one_line])
        fields[f"body_{variant}_{language}"] = TextAreaField(
            _l("Message"), default=text.body, validators=[InputRequired(_l("Write a message.")), at_most(BODY_MAX)])
    form_class = type("FollowUpForm", (_FollowUpBase,), {**fields, "keys": list(keys)})
    return form_class() if posted else form_class(formdata=None)


def texts_of(form) -> dict[tuple[str, str], tuple[str, str]]:
    return {(variant, language): (form[f"subject_{variant}_{language}"].data,
                                  form[f"body_{variant}_{language}"].data) for variant, language in form.keys}


class ScheduleForm(_InZone, Form):
    send_at = DateTimeLocalField(_l("When to send it"), format=TIME_FORMAT,
                                 validators=[InputRequired(_l("Enter when the follow-up is sent."))])

    def validate_send_at(self, field):
        self._exists(field)
