"""The agenda builder (organisers): programme items, speakers, discussion groups, warnings."""
from flask import Blueprint

bp = Blueprint("agenda", __name__, url_prefix="/manage/events/<slug>/programme")
