"""The organiser's forms for the documentation page: the summary, and each photo with its description."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import StringField, TextAreaField
from wtforms.validators import ValidationError

from eventhub.documentation.models import ALT_MAX, CAPTION_MAX, SUMMARY_MAX
from eventhub.fields import Form, at_most, strip

ALT_REQUIRED = {
    "sv": _l("Describe the photo in Swedish for those who cannot see it."),
    "en": _l("Describe the photo in English for those who cannot see it."),
}


class SummaryForm(Form):
    summary = TextAreaField(
        _l("Summary"), filters=[strip], validators=[at_most(SUMMARY_MAX)],
        description=_l("What happened at the event and what came out of it, for those who were there and those "
                       "who were not. Markdown: a blank line starts a new paragraph, lines starting with a dash "
                       "make a list, ### starts a subheading, [text](https://…) makes a link."))


class PhotoDetailsForm(Form):
    """A photo's texts. The alternative text in the event's language is required (``require``)."""

    alt_sv = StringField(_l("Alternative text in Swedish"), filters=[strip], validators=[at_most(ALT_MAX)])
    alt_en = StringField(_l("Alternative text in English"), filters=[strip], validators=[at_most(ALT_MAX)])
    caption = StringField(_l("Caption (optional)"), filters=[strip], validators=[at_most(CAPTION_MAX)],
                          description=_l("Shown under the photo, in the event's language: who or what it shows "
                                         "and where."))

    def require(self, language: str) -> PhotoDetailsForm:
        self.required_alt = "alt_en" if language == "en" else "alt_sv"
        return self

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        field = self[getattr(self, "required_alt", "alt_sv")]
        if not field.data:
            field.errors = [*field.errors, ALT_REQUIRED["en" if field.name.endswith("en") else "sv"]]
            valid = False
        return valid

    def fill_from(self, photo) -> None:
        self.alt_sv.data, self.alt_en.data, self.caption.data = photo.alt_sv, photo.alt_en, photo.caption


class PhotoUploadForm(PhotoDetailsForm):
    photo = FileField(_l("Photo"))

    def validate_photo(self, field):
        if not field.data or not getattr(field.data, "filename", None):
            raise ValidationError(_l("Choose a photo to upload."))
