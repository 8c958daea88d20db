"""``infoops users``: people who may sign in to the review app."""

from __future__ import annotations

import os

import click

from infoops.cli.options import db_option

PASSWORD_ENV = "INFOOPS_PASSWORD"


@click.group("users")
def command() -> None:
    """Add and list the users of the review app (``infoops serve``)."""


@command.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(["analyst", "reviewer", "admin"]),
              help="analyst: review and decide; reviewer: also approve takedowns and decide "
                   "appeals; admin: also manage users.")
@db_option
def add(name: str, role: str, db: str) -> None:
    """Add user NAME (password from a prompt, or from $INFOOPS_PASSWORD)."""
    from infoops.review.access import open_with_retry
    from infoops.review.users import add_user

    password = os.environ.get(PASSWORD_ENV) or click.prompt(
        f"Password for {name}", hide_input=True, confirmation_prompt=True)
    with open_with_retry(db) as store:
        user = add_user(store.con, name, role, password, actor="cli")
    click.echo(f"added {user.username} ({user.role}) to {db}")


@command.command("list")
@db_option
def list_users(db: str) -> None:
    """List the users, their roles and whether they are active."""
    from infoops.review.access import open_with_retry
    from infoops.review.users import list_users as users

    with open_with_retry(db) as store:
        for u in users(store.con):
            click.echo(f"{u['username']}\t{u['role']}\t{'active' if u['active'] else 'inactive'}")
