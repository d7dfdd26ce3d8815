from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import RadioField, StringField, URLField
from wtforms.validators import DataRequired, InputRequired, ValidationError

from eventhub import labels
from eventhub.fields import Form, at_most, strip
from eventhub.materials.models import MaterialKind
from eventhub.text import web_url

KIND_CHOICES = [(kind.value, labels.MATERIAL_KIND[kind.value]) for kind in MaterialKind]


def _web_url(_form, field):
    try:
        field.data = web_url(field.data)
    except ValueError:
        raise ValidationError(_l("Enter a web address starting with https:// or http://.")) from None


class UploadForm(Form):
    title = StringField(_l("Title"), filters=[strip], validators=[
        DataRequired(_l("Give the material a title.")), at_most(200)])
    kind = RadioField(_l("Kind"), choices=KIND_CHOICES, default=MaterialKind.SLIDES.value,
                      validators=[InputRequired(_l("Choose what kind of material it is."))])
    file = FileField(_l("File"))

    def validate_file(self, field):
        if not field.data or not getattr(field.data, "filename", None):
            raise ValidationError(_l("Choose a file to upload."))


class LinkForm(Form):
    link_title = StringField(_l("Title"), filters=[strip], validators=[
        DataRequired(_l("Give the material a title.")), at_most(200)])
    link_kind = RadioField(_l("Kind"), choices=KIND_CHOICES, default=MaterialKind.DOCUMENT.value,
                           validators=[InputRequired(_l("Choose what kind of material it is."))])
    url = URLField(_l("Web address"), filters=[strip], validators=[
        DataRequired(_l("Enter a web address starting with https:// or http://.")), at_most(500), _web_url])
