"""The systemd units in deploy/systemd/: well-formed, and every command they run is a real command.

A unit that names a ``flask`` command the app does not have, or an option the command does not
take, would fail only on the server, at night: here each ExecStart is parsed by the app's own
command line (click) or gunicorn's, and ``systemd-analyze verify`` checks the units as systemd
reads them.
"""
from __future__ import annotations

import configparser
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import click
import pytest
from gunicorn.config import Config as GunicornConfig
from gunicorn.util import load_class  # gunicorn's own loader of a worker class, as the arbiter uses it

from config import TestingConfig
from eventhub import create_app
from tests.conftest import require_or_skip

ROOT = Path(__file__).resolve().parents[2]
UNITS = ROOT / "deploy" / "systemd"
ENVIRONMENT_EXAMPLE = ROOT / "deploy" / "eventhub.env.example"
INSTALLED_AT = "/srv/eventhub"  # where the units expect the checkout (WorkingDirectory)
SERVICES = sorted(UNITS.glob("*.service"))
TIMERS = sorted(UNITS.glob("*.timer"))


def _unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None, delimiters=("=",))
    parser.optionxform = str  # systemd's keys are case-sensitive
    parser.read(path)
    return parser


def _command(service: Path) -> list[str]:
    """ExecStart as systemd hands it over: split like a shell, ``%%`` read as ``%``."""
    return [word.replace("%%", "%") for word in shlex.split(_unit(service)["Service"]["ExecStart"])]


def test_there_are_units_for_the_web_app_the_sender_and_each_scheduled_command():
    names = {path.name for path in SERVICES + TIMERS}
    assert {"eventhub-web.service", "eventhub-live.service", "eventhub-outbox.service", "eventhub-reminders.service",
            "eventhub-reminders.timer", "eventhub-privacy.service", "eventhub-privacy.timer"} <= names


@pytest.mark.parametrize("service", SERVICES, ids=lambda path: path.name)
def test_a_service_runs_in_the_checkout_with_the_environment_file(service):
    section = _unit(service)["Service"]
    assert section["WorkingDirectory"] == INSTALLED_AT
    assert section["EnvironmentFile"] == "/etc/eventhub/eventhub.env"
    assert section["User"] == "eventhub"  # never root
    assert _command(service)[0].startswith(f"{INSTALLED_AT}/.venv/bin/")


@pytest.mark.parametrize("service", [s for s in SERVICES if _command(s)[0].endswith("/flask")],
                         ids=lambda path: path.name)
def test_a_flask_service_runs_a_command_the_app_has_with_options_it_takes(service):
    words = _command(service)[1:]
    assert words[:2] == ["--app", "wsgi.py"]
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI="sqlite://")
    command: click.Command = app.cli
    context = None
    path = words[2:]
    while isinstance(command, click.Group):
        name, path = path[0], path[1:]
        sub = command.get_command(click.Context(command), name)
        assert sub is not None, f"{service.name}: there is no flask command {name!r}"
        command, context = sub, name
    # Parsing the arguments (without running the command) refuses an unknown option or a bad value.
    command.make_context(context, list(path))


@pytest.mark.parametrize(("unit", "worker_class"), [("eventhub-web.service", "gthread"),
                                                    ("eventhub-live.service", "gevent")])
def test_a_web_service_gives_gunicorn_arguments_it_takes_and_the_app_module(unit, worker_class):
    words = _command(UNITS / unit)
    assert words[0].endswith("/gunicorn")
    options = GunicornConfig().parser().parse_args(words[1:])
    assert options.args == ["wsgi:app"]
    assert options.worker_class == worker_class
    assert (ROOT / "wsgi.py").exists()
    # The access log is gunicorn.conf.py's (read from the working directory), with secrets redacted:
    # an option on the command line would win over it.
    assert (ROOT / "gunicorn.conf.py").exists()
    assert options.access_log_format is None and options.logger_class is None and options.config is None


def test_the_live_streams_server_can_load_its_worker_class():
    """gevent is installed (requirements.txt) and gunicorn finds the worker it names."""
    assert load_class("gevent", section="gunicorn.workers").__name__ == "GeventWorker"


@pytest.mark.parametrize("timer", TIMERS, ids=lambda path: path.name)
def test_a_timer_starts_a_oneshot_service_that_exists(timer):
    section = _unit(timer)["Timer"]
    assert section.get("OnCalendar")
    service = UNITS / section["Unit"]
    assert service.exists(), f"{timer.name} starts {section['Unit']}, which is not in deploy/systemd"
    assert _unit(service)["Service"]["Type"] == "oneshot"
    assert _unit(timer)["Install"]["WantedBy"] == "timers.target"


def test_every_oneshot_service_has_a_timer():
    started = {_unit(timer)["Timer"]["Unit"] for timer in TIMERS}
    oneshots = {s.name for s in SERVICES if _unit(s)["Service"].get("Type") == "oneshot"}
    assert oneshots <= started


def test_the_environment_example_sets_only_variables_the_app_reads():
    read = set(re.findall(r'os\.environ\.get\("([A-Z0-9_]+)"', (ROOT / "config.py").read_text()))
    names = [line.split("=", 1)[0] for line in ENVIRONMENT_EXAMPLE.read_text().splitlines()
             if line.strip() and not line.lstrip().startswith("#")]
    assert set(names) - read == set()
    assert {"EVENTHUB_ENV", "SECRET_KEY", "DATABASE_URL", "EVENTHUB_BASE_URL", "RATELIMIT_STORAGE_URI"} <= set(names)


def test_systemd_accepts_the_units(tmp_path):
    """``systemd-analyze verify`` with the checkout path put in, so that it also finds each program."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        require_or_skip("systemd-analyze is not installed (Debian package systemd)")
    for unit in SERVICES + TIMERS:
        (tmp_path / unit.name).write_text(unit.read_text().replace(INSTALLED_AT, str(ROOT)))
    result = subprocess.run([analyze, "verify", *sorted(str(p) for p in tmp_path.iterdir())],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr.strip() == "", result.stderr
