"""The cheapest committing request there could be, to show how far a check-in can get toward the
bare route (bench/bare_app.py): no session, no CSRF, no user, no ORM, one psycopg round trip that
updates a row and inserts another in one statement, then a commit. Not a benchmark by itself; see
docs/performance.md, "How close can a scan get to the bare route?", for the commands.

    FLOOR_DSN=postgresql://postgres@127.0.0.1:5432/test \\
        .venv/bin/gunicorn --workers 2 --bind 127.0.0.1:18081 --chdir bench floor_app:app

The tables: ``floor_reg`` (1,000 rows ``(id, n)``) and ``floor_log (id serial, reg_id int)``.
"""
import os
import random

import psycopg
from flask import Flask, jsonify

app = Flask(__name__)
_connection = None


def _conn() -> psycopg.Connection:
    global _connection  # one connection per worker process, as a pool would give
    if _connection is None:
        _connection = psycopg.connect(os.environ["FLOOR_DSN"])
    return _connection


@app.get("/")
def hello() -> str:
    return "ok"


@app.get("/scan")
def scan():
    connection = _conn()
    with connection.cursor() as cursor:
        # A random row of 1,000, so that parallel requests do not queue on one row lock.
        cursor.execute("WITH u AS (UPDATE floor_reg SET n = n + 1 WHERE id = %s RETURNING id) "
                       "INSERT INTO floor_log (reg_id) SELECT id FROM u RETURNING id", (random.randint(1, 1000),))
        row = cursor.fetchone()
    connection.commit()
    return jsonify(id=row[0])
