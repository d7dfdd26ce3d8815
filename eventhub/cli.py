"""``flask`` commands."""
from datetime import date

import click
from flask.cli import with_appcontext

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


def register(app) -> None:
    app.cli.add_command(load_demo_command)
