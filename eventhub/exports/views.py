"""Exports for organisers: CSV (and later PDF and calendars)."""
from flask import Blueprint

bp = Blueprint("exports", __name__)
