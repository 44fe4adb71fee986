"""`talentmatch users ...` and `talentmatch tokens ...`: employer accounts and API tokens."""

from __future__ import annotations

import sys

import click


@click.group("users")
def users_group() -> None:
    """Employer user accounts."""


def _read_password() -> str:
    """The password from standard input when piped, else from a hidden, confirmed prompt."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@users_group.command("create")
@click.option("--employer", required=True, help="The employer's name (created if new).")
@click.option("--email", required=True, help="The user's sign-in address.")
@click.pass_obj
def create_user_command(cli, employer: str, email: str) -> None:
    """Create an employer user; the password is read from standard input or a prompt."""
    from matcher import accounts

    try:
        user = accounts.create_user(
            cli.db, email=email, password=_read_password(), employer_name=employer
        )
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"created user {user.email} for employer {user.employer_name}")


@users_group.command("create-demo")
@click.pass_obj
def create_demo_users_command(cli) -> None:
    """Create the demo accounts (idempotent) and print the few worth trying first."""
    from matcher import accounts
    from matcher.demo.accounts import suggested_demo_accounts

    suggestions = suggested_demo_accounts(cli.db)
    if not any(s.role == "employer" for s in suggestions):
        click.echo("no employers yet: run `talentmatch demo` first")
        return
    click.echo(f"Try these demo accounts (password for all: {accounts.DEMO_PASSWORD}):")
    for suggestion in suggestions:
        click.echo(f"  {suggestion.role:<9} {suggestion.email:<40} {suggestion.shows}")
    click.echo("Every account, one per employer: `talentmatch users list`")


@users_group.command("list")
@click.option("--role", type=click.Choice(["employer", "worker", "operator"]), default=None)
@click.pass_obj
def list_users_command(cli, role: str | None) -> None:
    """Every sign-in account: address, role, employer."""
    from matcher.demo.accounts import list_users

    users = [user for user in list_users(cli.db) if role in (None, user["role"])]
    for user in users:
        employer = user["employer"] or ""
        disabled = "  (disabled)" if user["disabled_at"] else ""
        click.echo(f"{user['email']:<45} {user['role']:<9} {employer}{disabled}")
    click.echo(f"{len(users)} account(s)")


@click.group("tokens")
def tokens_group() -> None:
    """API tokens."""


@tokens_group.command("create")
@click.option("--email", required=True, help="The user the token acts for.")
@click.pass_obj
def create_token_command(cli, email: str) -> None:
    """Print a new API token for the user (it is shown only once)."""
    from matcher import accounts

    user = accounts.find_user_by_email(cli.db, email)
    if user is None:
        raise click.ClickException(f"no user with the address {email}")
    click.echo(accounts.create_api_token(cli.db, user.id))


COMMANDS: list[click.Command] = [users_group, tokens_group]
