"""Step 1, reading an export (a folder or a .zip) with limits: only dossier.json and
attachments/<name>; no absolute paths, no `..`, no symlinks, no encrypted members, no
more files or bytes than :class:`Limits` allows (a zip's own size headers are not
trusted: every member is read through `read_limited`)."""
from __future__ import annotations

import io
import os
import re
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ...documents.uploads import UploadRejected, read_limited
from .common import ATTACHMENTS, ATTACHMENT_NAME, DOSSIER_JSON, Limits, refuse, shown


# --- reading ------------------------------------------------------------------------------------

@dataclass
class Export:
    """What an export holds, read with limits: the bytes of dossier.json and of every
    file under attachments/ (by its name in the export, "attachments/x.pdf")."""

    dossier_json: bytes
    files: dict[str, bytes]
    source: str  # "folder", "zip" or "upload"


def _read(stream: BinaryIO, limit: int, where: str) -> bytes:
    try:
        return read_limited(stream, limit)
    except UploadRejected:
        raise refuse(where, "too_large", limit=limit) from None


class _Budget:
    def __init__(self, limits: Limits):
        self.limits = limits
        self.files = 0
        self.total = 0

    def one_more(self, where: str) -> None:
        self.files += 1
        if self.files > self.limits.max_files:
            raise refuse("", "too_many_files", limit=self.limits.max_files)

    def room(self, name: str) -> int:
        own = self.limits.max_json_bytes if name == DOSSIER_JSON else self.limits.max_file_bytes
        left = self.limits.max_total_bytes - self.total
        return max(0, min(own, left))

    def take(self, name: str, data: bytes) -> None:
        self.total += len(data)


def _check_name(name: str) -> None:
    """Only dossier.json and attachments/<safe name>; anything else is refused by name."""
    if "\x00" in name or "\\" in name or name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        raise refuse(shown(name), "unsafe_path")
    parts = name.split("/")
    if any(p in ("", ".", "..") for p in parts[:-1]) or parts[-1] in (".", ".."):
        raise refuse(shown(name), "unsafe_path")
    if name == DOSSIER_JSON:
        return
    if len(parts) == 2 and parts[0] == ATTACHMENTS and ATTACHMENT_NAME.match(parts[1]) and parts[1].strip("."):
        return
    raise refuse(shown(name), "unexpected_file")


def read_zip(source: str | os.PathLike | bytes | BinaryIO, limits: Limits | None = None, *, origin: str = "zip") -> Export:
    """Read a .zip export (a path, bytes or a binary file object) with limits."""
    limits = limits or Limits.from_config()
    if isinstance(source, (bytes, bytearray)):
        source = io.BytesIO(source)
    try:
        zf = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise refuse("", "not_a_zip") from None
    budget = _Budget(limits)
    found: dict[str, bytes] = {}
    dossier_json = None
    with zf:
        infos = zf.infolist()
        if len(infos) > limits.max_files + 2:  # the two folder entries a zip tool may add
            raise refuse("", "too_many_files", limit=limits.max_files)
        declared = 0
        for info in infos:
            name = info.filename
            mode = (info.external_attr >> 16) & 0xFFFF
            if stat.S_ISLNK(mode):
                raise refuse(shown(name), "symlink")
            if info.flag_bits & 0x1:
                raise refuse(shown(name), "encrypted")
            if info.is_dir():
                if name.rstrip("/") != ATTACHMENTS:
                    _check_name(name.rstrip("/") or "/")
                    raise refuse(shown(name), "unexpected_file")
                continue
            _check_name(name)
            if name in found or (name == DOSSIER_JSON and dossier_json is not None):
                raise refuse(shown(name), "duplicate_file")
            budget.one_more(name)
            declared += info.file_size
            if declared > limits.max_total_bytes:
                raise refuse("", "too_large", limit=limits.max_total_bytes)
            limit = budget.room(name)
            if info.file_size > limit:
                raise refuse(shown(name), "too_large", limit=limit)
            try:
                with zf.open(info) as member:
                    data = _read(member, limit, shown(name))
            except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError, RuntimeError):
                raise refuse(shown(name), "bad_zip") from None
            budget.take(name, data)
            if name == DOSSIER_JSON:
                dossier_json = data
            else:
                found[name] = data
    if dossier_json is None:
        raise refuse(DOSSIER_JSON, "missing_dossier_json")
    return Export(dossier_json, found, origin)


def read_folder(path: str | os.PathLike, limits: Limits | None = None) -> Export:
    """Read an export folder with limits: dossier.json and attachments/<name>, regular
    files only (no symlinks anywhere, no subfolders in attachments/)."""
    limits = limits or Limits.from_config()
    root = Path(path)
    budget = _Budget(limits)
    files: dict[str, bytes] = {}
    dossier_json = None

    def read_file(full: Path, name: str) -> bytes:
        budget.one_more(name)
        limit = budget.room(name)
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
        try:
            fd = os.open(full, flags)
        except OSError:
            raise refuse(shown(name), "symlink" if full.is_symlink() else "not_found") from None
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                raise refuse(shown(name), "unexpected_file")
            data = _read(fh, limit, shown(name))
        budget.take(name, data)
        return data

    with os.scandir(root) as top:
        entries = sorted(top, key=lambda e: e.name)
    for entry in entries:
        if entry.is_symlink():
            raise refuse(shown(entry.name), "symlink")
        if entry.name == DOSSIER_JSON and entry.is_file(follow_symlinks=False):
            dossier_json = read_file(Path(entry.path), DOSSIER_JSON)
        elif entry.name == ATTACHMENTS and entry.is_dir(follow_symlinks=False):
            with os.scandir(entry.path) as inner:
                for f in sorted(inner, key=lambda e: e.name):
                    name = f"{ATTACHMENTS}/{f.name}"
                    if f.is_symlink():
                        raise refuse(shown(name), "symlink")
                    if not f.is_file(follow_symlinks=False):
                        raise refuse(shown(name), "unexpected_file")
                    _check_name(name)
                    files[name] = read_file(Path(f.path), name)
        else:
            raise refuse(shown(entry.name), "unexpected_file")
    if dossier_json is None:
        raise refuse(DOSSIER_JSON, "missing_dossier_json")
    return Export(dossier_json, files, "folder")


def read_path(path: str | os.PathLike, limits: Limits | None = None) -> Export:
    p = Path(path)
    if p.is_symlink():
        raise refuse(shown(str(path)), "symlink")
    if p.is_dir():
        return read_folder(p, limits)
    if p.is_file():
        limits = limits or Limits.from_config()
        if p.stat().st_size > limits.max_total_bytes:
            raise refuse("", "too_large", limit=limits.max_total_bytes)
        return read_zip(p, limits)
    raise refuse(shown(str(path)), "not_found")
