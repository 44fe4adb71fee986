"""A local SMTP server (aiosmtpd) that saves each message it receives as a `.eml` file.

`make run` starts it so the demo sends real emails without a mail provider; the tests use
the same handler behind their own fault-injecting servers.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from pathlib import Path

from aiosmtpd.controller import Controller


class SaveToFolder:
    """aiosmtpd handler: write every accepted message to `folder` as one `.eml` file."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server, session, envelope) -> str:
        self.save(envelope.original_content or envelope.content)
        return "250 Message accepted for delivery"

    def save(self, content: bytes) -> Path:
        """Write `content` atomically (temporary name, then rename) and return its path."""
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
        path = self.folder / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
        partial = path.with_suffix(".part")
        partial.write_bytes(content)
        os.replace(partial, path)
        return path


def start_mailcatcher(folder: Path, host: str, port: int) -> Controller:
    """Start the catching server in a background thread; call `.stop()` on the result."""
    controller = Controller(SaveToFolder(folder), hostname=host, port=port)
    controller.start()
    return controller
