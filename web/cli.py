"""`talentmatch serve`: the web app behind a production WSGI server (waitress).

One waitress process runs Python on one core at a time, so `--processes N` forks N
waitress processes that accept connections from one shared listening socket. The worker
table is loaded once before forking, so the processes start warm and share its memory.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import time

import click

log = logging.getLogger(__name__)
RESTART_DELAY_SECONDS = 1.0


@click.command("serve")
@click.option("--host", help="Listen address [TALENTMATCH_HOST, default 127.0.0.1].")
@click.option("--port", type=int, help="Listen port [TALENTMATCH_PORT, default 8000].")
@click.option("--threads", default=8, show_default=True, type=int, help="threads per process")
@click.option(
    "--processes",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="waitress processes sharing the listening socket (POSIX fork)",
)
@click.pass_obj
def serve_command(cli, host: str | None, port: int | None, threads: int, processes: int) -> None:
    """Serve the web app.

    Links in the emails it sends lead to the address it listens on, unless
    TALENTMATCH_BASE_URL is set.
    """
    import waitress

    from web import create_app

    settings = cli.settings.served_at(
        host or cli.settings.http_host, port or cli.settings.http_port
    )
    host, port = settings.http_host, settings.http_port
    app = create_app(settings=settings)
    click.echo(f"links in emails start with {settings.base_url}")
    if processes == 1:
        click.echo(f"talentmatch on http://{host}:{port}")
        waitress.serve(app, host=host, port=port, threads=threads)
        return
    listener = socket.create_server((host, port), backlog=1024)
    started = time.perf_counter()
    warm_caches(settings)
    click.echo(f"caches warmed in {time.perf_counter() - started:.1f} s")
    click.echo(f"talentmatch on http://{host}:{port} ({processes} processes)")
    supervise(lambda: waitress.serve(app, sockets=[listener], threads=threads), processes)


def warm_caches(settings) -> None:
    """Load the worker table and open jobs, so that forked processes inherit them."""
    from matcher.ranking.index import open_jobs, worker_index
    from matcher.store import open_database

    db = open_database(settings.db_path)
    try:
        open_jobs(db, worker_index(db))
    finally:
        db.close()


def supervise(serve, processes: int) -> None:
    """Fork `processes` children running `serve`, restart any that dies, stop all on a signal."""
    children: set[int] = set()
    stopping = False

    def stop(signum, frame) -> None:
        nonlocal stopping
        stopping = True
        for pid in children:
            _signal_child(pid, signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for _ in range(processes):
        children.add(_fork(serve))
    while children:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            break
        children.discard(pid)
        if not stopping:
            log.error("serving process %d ended (status %d); starting another", pid, status)
            time.sleep(RESTART_DELAY_SECONDS)  # a process that fails at once must not spin
            children.add(_fork(serve))


def _fork(serve) -> int:
    pid = os.fork()
    if pid == 0:  # the child serves until it is told to stop
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        code = 0
        try:
            serve()
        except BaseException:
            log.exception("serving process failed")
            code = 1
        finally:
            os._exit(code)
    return pid


def _signal_child(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass
