"""Signed checkpoints of the access log, kept outside the database (issue 13, finding 3).

The access log's HMAC chain shows an entry that was changed, or removed from the
middle; it cannot show that the newest entries were cut off, or that the whole table
was swapped for an older copy, because whoever holds the database holds its end. So
the end is anchored elsewhere, as Certificate Transparency anchors a log with signed
tree heads (RFC 6962, section 3.5): a checkpoint says "the log had COUNT entries and
its newest entry's hash was HEAD", signed with HMAC-SHA256 under a key that is not in
the database (AUDIT_CHECKPOINT_KEY), and is appended to a file the database cannot
reach (AUDIT_CHECKPOINT_PATH).

One checkpoint is one line of JSON, written with a single ``write`` on a descriptor
opened with O_APPEND: several workers append to the same file without overwriting or
interleaving each other's lines (POSIX appends at the end atomically per write on a
local file system). Lines may arrive out of order between workers; a reader takes the
checkpoint with the highest count as the newest.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
from dataclasses import dataclass

VERSION = 1
_TAIL_BYTES = 16 * 1024


@dataclass(frozen=True)
class Checkpoint:
    count: int
    head_id: int | None
    head: str
    at: str
    line: int = 0


def _mac(key: bytes, count: int, head_id: int | None, head: str, at: str) -> str:
    payload = json.dumps({"v": VERSION, "count": count, "head_id": head_id, "head": head, "at": at}, sort_keys=True)
    return hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()


def line_for(key: bytes, count: int, head_id: int | None, head: str, at: str) -> str:
    """One signed checkpoint as a line of JSON (without the newline)."""
    return json.dumps({"v": VERSION, "count": count, "head_id": head_id, "head": head, "at": at,
                       "mac": _mac(key, count, head_id, head, at)}, sort_keys=True)


def append(path: str, line: str) -> None:
    """Append one line with one write on an O_APPEND descriptor (safe between processes)."""
    data = (line + "\n").encode()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        written = os.write(fd, data)
        if written != len(data):  # a full disk: say so, never leave half a line unnoticed
            raise OSError(f"checkpoint only partly written ({written} of {len(data)} bytes)")
        os.fsync(fd)
    finally:
        os.close(fd)


def parse(key: bytes, text: str, line: int = 0) -> Checkpoint | None:
    """The checkpoint on this line, or None when it is not one or its signature fails."""
    try:
        data = json.loads(text)
        cp = Checkpoint(int(data["count"]), data["head_id"], str(data["head"]), str(data["at"]), line)
        mac = str(data["mac"])
    except (ValueError, KeyError, TypeError):
        return None
    if data.get("v") != VERSION or not hmac.compare_digest(mac, _mac(key, cp.count, cp.head_id, cp.head, cp.at)):
        return None
    return cp


def read_all(path: str, key: bytes) -> tuple[list[Checkpoint], list[int]]:
    """Every valid checkpoint in the file, and the numbers of the lines that are not
    (a bad signature, a torn or foreign line)."""
    good: list[Checkpoint] = []
    bad: list[int] = []
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            for number, text in enumerate(fh, start=1):
                if not text.strip():
                    continue
                cp = parse(key, text, number)
                if cp is None:
                    bad.append(number)
                else:
                    good.append(cp)
    except FileNotFoundError:
        pass
    return good, bad


def newest_recent(path: str, key: bytes) -> Checkpoint | None:
    """The highest valid checkpoint among the last lines of the file (cheap: the end
    only), for deciding whether a new one is due."""
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - _TAIL_BYTES))
            tail = fh.read().decode("utf-8", errors="replace")
    except FileNotFoundError:
        return None
    found = [cp for cp in (parse(key, text) for text in tail.splitlines()[-50:]) if cp is not None]
    return max(found, key=lambda cp: cp.count, default=None)
