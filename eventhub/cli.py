"""``flask`` commands."""
import time
from datetime import date

import click
from flask.cli import with_appcontext

from eventhub import keyring
from eventhub.demo import loader


@click.command("load-demo")
@click.option("--if-empty", is_flag=True, help="Only load when the database has no events yet.")
@with_appcontext
def load_demo_command(if_empty: bool) -> None:
    """Load the demo events from the seed articles (safe to run again)."""
    if if_empty and not loader.database_is_empty():
        click.echo("The database already has events; demo not loaded.")
        return
    report = loader.load_demo(date.today())
    for slug in report.created:
        click.echo(f"created {slug}")
    for slug in report.skipped:
        click.echo(f"already there: {slug}")


@click.group("outbox")
def outbox_group() -> None:
    """The email outbox."""


@outbox_group.command("deliver")
@click.option("--loop", is_flag=True, help="Keep delivering every --interval seconds (for a service).")
@click.option("--interval", default=10.0, show_default=True)
@with_appcontext
def deliver_command(loop: bool, interval: float) -> None:
    """Send the emails that are due; failures are retried later with backoff."""
    from flask import current_app

    from eventhub.mail import services as mail
    from eventhub.mail.transports import transport_from_config
    from eventhub.types import utcnow

    transport = transport_from_config(current_app.config, current_app.instance_path)
    while True:
        report = mail.deliver_due(transport, utcnow())
        if report.sent or report.failed or not loop:
            click.echo(f"sent {report.sent}, failed {report.failed}, waiting {mail.pending_count()}")
        if not loop:
            return
        time.sleep(interval)


@click.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.password_option(help="At least 10 characters.")
@with_appcontext
def create_admin_command(email: str, name: str, password: str) -> None:
    """Create an administrator account (the first account of a new installation)."""
    from eventhub.accounts import services as accounts
    from eventhub.types import utcnow

    try:
        user, _ = accounts.create_user(email, name, "admin", utcnow(), password=password)
    except accounts.EmailTaken:
        raise click.ClickException("There is already an account with that address.") from None
    except accounts.WeakPassword:
        raise click.ClickException("The password needs at least 10 characters.") from None
    click.echo(f"created administrator {user.email}")


@click.group("reminders")
def reminders_group() -> None:
    """Reminder emails."""


@reminders_group.command("send")
@click.option("--hours", default=24.0, show_default=True, help="How long before the start to remind.")
@with_appcontext
def send_reminders_command(hours: float) -> None:
    """Email digital participants their join link before the start (each once; run every few minutes)."""
    from datetime import timedelta

    from eventhub.checkin.reminders import send_join_reminders
    from eventhub.types import utcnow

    sent = send_join_reminders(utcnow(), keyring.current(), timedelta(hours=hours))
    click.echo(f"queued {sent} join reminders")


def register(app) -> None:
    app.cli.add_command(reminders_group)
    app.cli.add_command(create_admin_command)
    app.cli.add_command(load_demo_command)
    app.cli.add_command(outbox_group)
