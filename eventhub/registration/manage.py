"""Attendee management and statistics (organisers)."""
from flask import Blueprint

bp = Blueprint("attendees", __name__, url_prefix="/manage/events/<slug>")
