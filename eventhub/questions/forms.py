"""The questions' forms: the answer fields a registration form (and the person's own page) carries, and
the organiser's form for a question.

The answer fields are named by the question: ``q<id>``, and ``q<id>_consent`` for a special-category
question's own consent. They only carry what was sent: ``services.check_answers`` says what may be
kept, and ``AnswersMixin.validate`` puts its named errors on the fields in the person's language.
"""
from __future__ import annotations

from flask_babel import get_locale, ngettext
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Optional, ValidationError

from eventhub import labels
from eventhub.caching import LRU
from eventhub.fields import Form, RadioField, at_most, strip
from eventhub.questions import services
from eventhub.questions.models import CHOICE_MAX, CHOICES_MAX, HELP_MAX, LABEL_MAX, QuestionKind

ANSWER_ERRORS = {
    services.NotANumber: _l("Enter a number, such as 12 or 12,5."),
    services.NotADate: _l("Enter a date as year-month-day, such as 2027-03-14, between the years 1900 and 2200."),
    services.UnknownChoice: _l("Choose one of the answers offered."),
    services.ConsentNeeded: _l("To save this answer we need your consent. Tick the box, or leave the question "
                               "empty."),
}
REQUIRED = {
    QuestionKind.ONE_CHOICE: _l("Choose an answer."),
    QuestionKind.CHOICES: _l("Choose at least one answer."),
    QuestionKind.YES_NO: _l("Answer yes or no."),
}


def answer_message(question: services.Asked, error: services.AnswerError) -> str:
    if isinstance(error, services.AnswerRequired):
        return str(REQUIRED.get(question.kind, _l("Answer this question.")))
    if isinstance(error, services.AnswerTooLong):
        return ngettext("At most %(num)d character.", "At most %(num)d characters.", error.limit)
    return str(ANSWER_ERRORS.get(type(error), _l("Check your answer.")))


def name_of(question: services.Asked) -> str:
    return f"q{question.id}"


def _field(question: services.Asked):
    # A label of its own (the templates show the question's in the reader's language): a field without
    # one has WTForms translate a made-up label, which loads WTForms' translation file on every request.
    label = question.label_sv or question.label_en
    if question.kind == QuestionKind.SHORT_TEXT:
        return StringField(label, filters=[strip])
    if question.kind == QuestionKind.LONG_TEXT:
        return TextAreaField(label)
    if question.kind in (QuestionKind.ONE_CHOICE, QuestionKind.YES_NO):
        return RadioField(label, choices=[], validate_choice=False)
    if question.kind == QuestionKind.CHOICES:
        return SelectMultipleField(label, choices=[], validate_choice=False)
    return StringField(label, filters=[strip])  # a number or a date, read by services.clean


def answer_fields(questions: tuple[services.Asked, ...]) -> dict:
    fields = {}
    for question in questions:
        fields[name_of(question)] = _field(question)
        if question.special:
            fields[f"{name_of(question)}_consent"] = BooleanField(question.label_sv or question.label_en)
    return fields


class AnswersMixin:
    """A form with the answer fields of ``questions``; ``mode``: whose questions are checked."""

    questions: tuple[services.Asked, ...] = ()

    def answer_mode(self) -> str:
        raise NotImplementedError

    def raw_answers(self) -> dict[int, object]:
        return {question.id: self[name_of(question)].data for question in self.questions}

    def consents(self) -> set[int]:
        return {question.id for question in self.questions
                if question.special and self[f"{name_of(question)}_consent"].data}

    def check_answers(self) -> bool:
        try:
            services.check_answers(self.questions, self.answer_mode(), self.raw_answers(), self.consents())
        except services.AnswersInvalid as invalid:
            by_id = {question.id: question for question in self.questions}
            for question_id, error in invalid.errors.items():
                question = by_id[question_id]
                name = f"{name_of(question)}_consent" if isinstance(error, services.ConsentNeeded) else \
                    name_of(question)
                self[name].errors = [*self[name].errors, answer_message(question, error)]
                # The error summary names the question: "Choose an answer." alone says not which.
                self[name].error_context = question.label_in(str(get_locale()))
            return False
        return True

    def fill(self, values: dict[int, str]) -> None:
        """Show stored answers (a form not sent)."""
        for question in self.questions:
            value = values.get(question.id)
            if value is None:
                continue
            self[name_of(question)].data = value.split() if question.kind == QuestionKind.CHOICES else value
            if question.special:
                self[f"{name_of(question)}_consent"].data = True


class _AnswersBase(AnswersMixin, Form):
    mode: str = ""

    def answer_mode(self) -> str:
        return self.mode

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        return self.check_answers() and valid


_ANSWER_FORMS: LRU[type] = LRU(256)


def answers_form(event, questions: tuple[services.Asked, ...], mode: str, posted: bool = False,
                 values: dict[int, str] | None = None):
    """The person's own answers (their page): the questions of their mode."""
    key = (event.calendar_uid, event.questions_version, mode)
    form_class = _ANSWER_FORMS.get(key)
    if form_class is None:
        form_class = type("AnswersForm", (_AnswersBase,), {**answer_fields(questions), "questions": questions,
                                                            "mode": mode})
        _ANSWER_FORMS.put(key, form_class)
    form = form_class() if posted else form_class(formdata=None)
    if not posted:
        form.fill(values or {})
    return form


# --- the organiser's form -------------------------------------------------------------------------------

KIND = {
    QuestionKind.SHORT_TEXT: _l("Short text"),
    QuestionKind.LONG_TEXT: _l("Long text"),
    QuestionKind.ONE_CHOICE: _l("One choice"),
    QuestionKind.CHOICES: _l("Several choices"),
    QuestionKind.YES_NO: _l("Yes or no"),
    QuestionKind.NUMBER: _l("Number"),
    QuestionKind.DATE: _l("Date"),
}
KIND_HINT = {
    QuestionKind.SHORT_TEXT: _l("One line, at most 200 characters: a municipality, an invoice reference."),
    QuestionKind.LONG_TEXT: _l("Several lines, at most 2,000 characters: a question to the panel in advance."),
    QuestionKind.ONE_CHOICE: _l("The person chooses one of your answers."),
    QuestionKind.CHOICES: _l("The person ticks any number of your answers."),
    QuestionKind.YES_NO: _l("May we share your contact with the other participants?"),
    QuestionKind.NUMBER: _l("A whole number or a decimal."),
    QuestionKind.DATE: _l("A day, chosen from a calendar."),
}


def _one_line(_form, field):
    if field.data and ("\n" in field.data or "\r" in field.data):
        raise ValidationError(_l("Write it on one line."))


def _choice_lines(_form, field):
    lines = [line for line in (field.data or "").splitlines() if line.strip()]
    if len(lines) > CHOICES_MAX:
        raise ValidationError(_l("At most %(num)d choices.", num=CHOICES_MAX))
    if any(len(line.strip()) > CHOICE_MAX for line in lines):
        raise ValidationError(_l("Each choice at most %(max)d characters.", max=CHOICE_MAX))


class QuestionForm(Form):
    """A question: new (with its kind and choices, one per line) or edited (choices one by one)."""

    kind = RadioField(_l("How it is answered"), choices=[(kind.value, label) for kind, label in KIND.items()],
                      validators=[InputRequired(_l("Choose how the question is answered."))])
    label_sv = TextAreaField(_l("The question in Swedish"), filters=[strip],
                             validators=[Optional(), at_most(LABEL_MAX), _one_line])
    label_en = TextAreaField(_l("The question in English"), filters=[strip],
                             validators=[Optional(), at_most(LABEL_MAX), _one_line])
    help_sv = TextAreaField(_l("Help text in Swedish (optional)"), filters=[strip],
                            validators=[Optional(), at_most(HELP_MAX)])
    help_en = TextAreaField(_l("Help text in English (optional)"), filters=[strip],
                            validators=[Optional(), at_most(HELP_MAX)])
    required = RadioField(_l("Must it be answered?"), choices=[("no", _l("Optional")), ("yes", _l("Required"))],
                          default="no", validators=[InputRequired(_l("Choose whether it must be answered."))])
    audience = RadioField(_l("Who is asked"), choices=[], default="everyone",
                          validators=[InputRequired(_l("Choose who is asked."))])
    special = BooleanField(_l("Special-category data: the answer may reveal health, religion, political "
                              "opinions, trade union membership, ethnic origin or sex life"))
    new_choices_sv = TextAreaField(_l("Choices in Swedish, one per line"), filters=[strip],
                                   validators=[Optional(), _choice_lines])
    new_choices_en = TextAreaField(_l("Choices in English, one per line, in the same order (optional)"),
                                   filters=[strip], validators=[Optional(), _choice_lines])
    to_speakers = BooleanField(_l("A question to the speakers: each answer joins the question queue of the event "
                                  "day as a question sent in advance"))
    speakers_item = SelectField(_l("To the speakers of"), choices=[("", _l("Any item"))], default="",
                                validate_choice=False)
    action = HiddenField()

    def offer(self, modes, items=()) -> None:
        self.audience.choices = [("everyone", labels.AUDIENCE_LONG["everyone"])] + (
            [(mode.value, labels.AUDIENCE_LONG[mode.value]) for mode in modes] if len(modes) > 1 else [])
        self.speakers_item.choices = [("", _l("Any item"))] + [(str(item.id), item.title) for item in items]

    def validate_speakers_item(self, field):
        if (field.data or "") not in {value for value, _label in self.speakers_item.choices}:
            raise ValidationError(_l("Choose an item of the programme."))

    def validate_to_speakers(self, field):
        if field.data and (self.special.data or (self.kind.data or "") not in (QuestionKind.SHORT_TEXT,
                                                                                QuestionKind.LONG_TEXT)):
            raise ValidationError(_l("A question to the speakers is answered in words (short or long text) and is "
                                     "not special category."))

    def validate_label_sv(self, field):
        if not (field.data or "").strip() and not (self.label_en.data or "").strip():
            raise ValidationError(_l("Write the question in Swedish, in English or in both."))

    def validate_special(self, field):
        if field.data and self.required.data == "yes":
            raise ValidationError(_l("A special-category question cannot be required: people answer it only if "
                                     "they consent. Make it optional."))


def choice_edits(form: QuestionForm, existing: tuple[services.Choice, ...], formdata) -> list[services.ChoiceEdit]:
    """The choices as the organiser left them: each existing one's texts (``choice_<id>_sv``, ``_en``, and
    ``choice_<id>_remove``), then the new lines (Swedish and English paired by line)."""
    edits = []
    for choice in existing:
        if choice.removed:
            continue
        prefix = f"choice_{choice.id}"
        edits.append(services.ChoiceEdit(choice.id, (formdata.get(f"{prefix}_sv") or "").strip(),
                                         (formdata.get(f"{prefix}_en") or "").strip(),
                                         removed=bool(formdata.get(f"{prefix}_remove"))))
    sv = [line.strip() for line in (form.new_choices_sv.data or "").splitlines() if line.strip()]
    en = [line.strip() for line in (form.new_choices_en.data or "").splitlines() if line.strip()]
    for index in range(max(len(sv), len(en))):
        edits.append(services.ChoiceEdit(None, sv[index] if index < len(sv) else "",
                                         en[index] if index < len(en) else ""))
    return edits


def question_data(form: QuestionForm, kind: str, choices: list[services.ChoiceEdit]) -> services.QuestionData:
    return services.QuestionData(
        kind=kind, label_sv=form.label_sv.data or "", label_en=form.label_en.data or "",
        help_sv=form.help_sv.data or "", help_en=form.help_en.data or "", required=form.required.data == "yes",
        audience=form.audience.data, special=bool(form.special.data), choices=choices,
        to_speakers=bool(form.to_speakers.data),
        speakers_item_id=int(form.speakers_item.data) if (form.speakers_item.data or "").isdigit() else None)
