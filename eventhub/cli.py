"""Every ``flask`` command, registered in one place (create_app calls ``register``).

Commands are thin, like views: they read their options, hand the work to a service with the
app's keyring and print what it did. Services commit; commands never do.
"""
from __future__ import annotations

import logging
import time
from datetime import UTC, date, datetime

import click
from flask import current_app
from flask.cli import with_appcontext

from eventhub import caching, keyring
from eventhub.accounts import services as accounts
from eventhub.demo import loader
from eventhub.evaluation import followups
from eventhub.extensions import db
from eventhub.mail import services as mail
from eventhub.mail.transports import Undeliverable, transport_from_config
from eventhub.privacy import retention
from eventhub.reminders import services as reminders
from eventhub.types import utcnow

log = logging.getLogger(__name__)


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


@click.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.password_option(help="At least 10 characters.")
@with_appcontext
def create_admin_command(email: str, name: str, password: str) -> None:
    """Create an administrator account (the first account of a new installation)."""
    try:
        user, _ = accounts.create_user(email, name, "admin", utcnow(), password=password)
    except accounts.EmailTaken:
        raise click.ClickException("There is already an account with that address.") from None
    except accounts.WeakPassword:
        raise click.ClickException("The password needs at least 10 characters.") from None
    click.echo(f"created administrator {user.email}")


@click.command("clear-cache")
@with_appcontext
def clear_cache_command() -> None:
    """Forget the public pages' kept parts (all of this installation's, in Redis too); after restoring
    a database in place, whose events' versions went back (docs/operations.md)."""
    caching.clear()
    click.echo("the kept parts of the public pages are forgotten")


@click.group("outbox")
def outbox_group() -> None:
    """The email outbox."""


@outbox_group.command("deliver")
@click.option("--loop", is_flag=True, help="Keep delivering every --interval seconds (for a service).")
@click.option("--interval", default=10.0, show_default=True)
@with_appcontext
def deliver_command(loop: bool, interval: float) -> None:
    """Send the emails that are due; failures are retried later with backoff."""
    transport = transport_from_config(current_app.config, current_app.instance_path)
    while True:
        try:
            report = mail.deliver_due(transport, utcnow())
        except Exception:
            if not loop:
                raise
            # A bad message is marked failed by deliver_due; this is the database away or the
            # like: the service keeps running and tries again.
            log.exception("outbox delivery run failed; trying again in %s s", interval)
            db.session.rollback()
        else:
            if report.sent or report.failed or not loop:
                click.echo(f"sent {report.sent}, failed {report.failed}, waiting {mail.pending_count()}")
        if not loop:
            return
        time.sleep(interval)


@outbox_group.command("retry-failed")
@click.option("--reason", type=click.Choice(Undeliverable.REASONS), help="Only those that failed for this reason.")
@with_appcontext
def retry_failed_command(reason: str | None) -> None:
    """Send the emails marked failed again (after fixing what made the server refuse them)."""
    click.echo(f"queued again {mail.retry_failed(utcnow(), reason)}")


@click.group("follow-ups")
def follow_ups_group() -> None:
    """The follow-up emails after events."""


@follow_ups_group.command("send")
@with_appcontext
def send_follow_ups_command() -> None:
    """Send the follow-ups scheduled for now or earlier (each person once; run every few minutes)."""
    report = followups.send_due(utcnow(), keyring.current())
    for item in report:
        click.echo(f"{item.slug}: queued {item.recipients} follow-up emails")
    click.echo(f"{sum(item.recipients for item in report)} follow-up emails queued for {len(report)} events")


def _moment(text: str | None) -> datetime:
    if not text:
        return utcnow()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter("use ISO 8601, e.g. 2027-01-31T03:00 or 2027-01-31T03:00+01:00",
                                 param_hint="--now") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@click.group("reminders")
def reminders_group() -> None:
    """Reminder emails."""


@reminders_group.command("send")
@click.option("--now", "now_text", metavar="WHEN",
              help="Act as if it were this moment (ISO 8601; UTC unless an offset is given). For tests.")
@click.option("--hours", type=float, hidden=True,
              help="No longer used: each event's reminders have their own times (kept so old timers still run).")
@with_appcontext
def send_reminders_command(now_text: str | None, hours: float | None) -> None:
    """Email the reminders that are due: everyone with a place, by how they take part, and the waitlist's
    note (each person each reminder once; run every few minutes)."""
    if hours is not None:
        click.echo("--hours is no longer used: each event's reminders have their own times.", err=True)
    report = reminders.send_due(_moment(now_text), keyring.current())
    parts = ", ".join(f"{kind.replace('_', ' ')} {count}" for kind, count in sorted(report.by_kind.items()))
    click.echo(f"queued {report.sent} reminders" + (f" ({parts})" if parts else ""))


@click.group("privacy")
def privacy_group() -> None:
    """Personal data: retention."""


@privacy_group.command("purge")
@click.option("--now", "now_text", metavar="WHEN",
              help="Act as if it were this moment (ISO 8601; UTC unless an offset is given). For tests.")
@click.option("--dry-run", is_flag=True, help="Only report what would be purged; change nothing.")
@with_appcontext
def purge_command(now_text: str | None, dry_run: bool) -> None:
    """Delete special-category answers and anonymise registrations (and imported attendance reports, evaluation
    answers), and delete the photos of events that keep them for a time, whose time is up (safe to run nightly)."""
    now = _moment(now_text)
    report = retention.purge(now, keyring.current(), dry_run=dry_run)
    prefix = "would purge" if dry_run else "purged"
    for item in report.events:
        rows = f", {item.attendance_rows} rows of attendance reports anonymised" if item.attendance_rows else ""
        rows += f", evaluation answers of {item.evaluation_answers} people made anonymous figures" \
            if item.evaluation_answers else ""
        rows += f", {item.photos_deleted} photos deleted" if item.photos_deleted else ""
        click.echo(f"{prefix} {item.slug}: special-category answers of {item.special_deleted} registrations, "
                   f"{item.anonymised} registrations anonymised{rows}")
    events = len(report.events)
    click.echo(f"{'dry run: ' if dry_run else ''}{report.special_deleted} special-category deletions, "
               f"{report.anonymised} anonymisations in {events} event{'' if events == 1 else 's'}")


def register(app) -> None:
    for command in (load_demo_command, create_admin_command, clear_cache_command, outbox_group, reminders_group,
                    follow_ups_group,
                    privacy_group):
        app.cli.add_command(command)
