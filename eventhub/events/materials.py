"""Post-event material: upload by organisers, download by the public after the event."""
from flask import Blueprint

bp = Blueprint("materials", __name__)
