"""Emailing attendees (organisers): compose, preview, send through the outbox, progress."""
from flask import Blueprint

bp = Blueprint("mailings", __name__, url_prefix="/manage/events/<slug>/email")
