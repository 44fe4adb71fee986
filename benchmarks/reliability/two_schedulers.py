"""(d) Schedulers started through other paths to one database: exactly one runs (and
one digest sender: `send-digests` through each path while the send lock is held).

Starts `talentmatch scheduler` on the database, then ROUNDS times tries a second one through
each of a symlink, a hard link in another folder, and a `./`-and-`..` detour to the same
file. A second scheduler that is still running after WAIT seconds counts as running twice.

    PYTHONPATH=$PWD .venv/bin/python benchmarks/reliability/two_schedulers.py
    PYTHONPATH=$PWD .venv/bin/python benchmarks/reliability/two_schedulers.py --rounds 1
"""

from __future__ import annotations

import argparse
import os
import subprocess
import time

from common import print_command, print_figure, workspace

from matcher.store import open_database


def other_paths(db_path) -> dict[str, str]:
    elsewhere = db_path.parent / "elsewhere"
    elsewhere.mkdir(exist_ok=True)
    symlink, hard_link = elsewhere / "symlink.db", elsewhere / "hard-link.db"
    if not symlink.exists():
        symlink.symlink_to(db_path)
        os.link(db_path, hard_link)
    return {
        "symlink": str(symlink),
        "hard link": str(hard_link),
        "./ and .. detour": f"{db_path.parent}/./elsewhere/../{db_path.name}",
    }


def wait_until_running(space, first: subprocess.Popen, timeout: float = 120) -> None:
    """Until the first scheduler holds its lock (a second one on the same path refuses)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and first.poll() is None:
        probe = subprocess.run(
            space.command("scheduler"), env=space.environment(), capture_output=True, text=True
        )
        if "already running" in probe.stderr:
            return
        time.sleep(1)
    raise SystemExit("the first scheduler did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--wait", type=float, default=20.0)
    options = parser.parse_args()
    outcomes: dict[str, list[str]] = {}
    with workspace() as space:
        open_database(space.db_path).close()
        first = space.start("scheduler")
        try:
            wait_until_running(space, first)
            for _ in range(options.rounds):
                for name, path in other_paths(space.db_path).items():
                    outcomes.setdefault(name, []).append(second_outcome(space, path, options.wait))
        finally:
            first.terminate()
            first.wait(30)
        senders = second_senders(space)
    for name, results in outcomes.items():
        print_figure(f"second scheduler via {name}", ", ".join(results))
    ran = sum(result == "ran" for results in outcomes.values() for result in results)
    print_figure("attempts where two schedulers ran", f"{ran} / {sum(map(len, outcomes.values()))}")
    for name, result in senders.items():
        print_figure(f"send-digests via {name}, send lock held", result)
    print_command()


def second_senders(space) -> dict[str, str]:
    """`send-digests` through each other path while this process holds the send lock."""
    from matcher.notifications.delivery import send_lock

    outcomes = {}
    with send_lock(space.db_path):
        for name, path in other_paths(space.db_path).items():
            result = subprocess.run(
                space.command("send-digests"),
                env=space.environment(TALENTMATCH_DB=path),
                capture_output=True,
                text=True,
            )
            busy = "another sender holds" in result.stderr
            outcomes[name] = "refused" if busy else f"sent (exit {result.returncode})"
    return outcomes


def second_outcome(space, path: str, wait: float) -> str:
    try:
        result = subprocess.run(
            space.command("scheduler"),
            env=space.environment(TALENTMATCH_DB=path),
            capture_output=True,
            text=True,
            timeout=wait,
        )
    except subprocess.TimeoutExpired:
        return "ran"
    return "refused" if "already running" in result.stderr else f"exited {result.returncode}"


if __name__ == "__main__":
    main()
