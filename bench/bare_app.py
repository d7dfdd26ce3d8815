"""The ceiling for bench/event_page.py: the smallest Flask route, served the same way."""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "ok"
