"""`talentmatch serve`: the web app behind a production WSGI server (waitress)."""

from __future__ import annotations

import click


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
@click.pass_obj
def serve_command(cli, host: str, port: int, threads: int) -> None:
    """Serve the web app."""
    import waitress

    from web import create_app

    app = create_app(settings=cli.settings)
    click.echo(f"talentmatch on http://{host}:{port}")
    waitress.serve(app, host=host, port=port, threads=threads)
