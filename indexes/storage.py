"""Crash-safe saving of index directories, and manifest/checksum handling shared by all indexes.

A save writes a complete sibling temp directory (files fsynced), then swaps it in
with renames: the previous version stays intact until the swap, so a crash or a
full disk never leaves a half-written index where the API will load it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .errors import IndexCorruptError

MANIFEST = "manifest.json"


def utc_now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fsync_path(path: Path) -> None:
    """fsync a file or a directory (a directory fsync makes renames inside it durable)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def checksum_tree(directory: Path) -> dict[str, str]:
    """sha256 of every file under `directory` except the manifest, keyed by relative POSIX path."""
    return {
        path.relative_to(directory).as_posix(): sha256_file(path)
        for path in sorted(directory.rglob("*"))
        if path.is_file() and path.name != MANIFEST
    }


def write_json(path: Path, data: Any) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=1)


def read_json(path: Path) -> Any:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def write_manifest(directory: Path, manifest: dict[str, Any]) -> dict[str, Any]:
    """Add checksums of all other files and write manifest.json; call it last."""
    manifest = {**manifest, "files": checksum_tree(directory)}
    write_json(directory / MANIFEST, manifest)
    return manifest


def read_manifest(directory: Path, fmt: str, supported_versions: tuple[int, ...]) -> dict[str, Any]:
    """Read and sanity-check a manifest (format name and version), without verifying checksums."""
    path = Path(directory) / MANIFEST
    if not path.is_file():
        raise IndexCorruptError(f"{directory}: no {MANIFEST}; not a saved index (or an interrupted save)")
    try:
        manifest = read_json(path)
    except (OSError, ValueError) as exc:
        raise IndexCorruptError(f"{path}: unreadable manifest ({exc})") from exc
    if not isinstance(manifest, dict):
        raise IndexCorruptError(f"{path}: the manifest is not a JSON object")
    if manifest.get("format") != fmt:
        raise IndexCorruptError(f"{directory}: format {manifest.get('format')!r}, expected {fmt!r}")
    if manifest.get("format_version") not in supported_versions:
        raise IndexCorruptError(
            f"{directory}: format version {manifest.get('format_version')!r} is not supported "
            f"(supported: {supported_versions}); rebuild with `matcher index build`"
        )
    return manifest


def verify_checksums(directory: Path, manifest: dict[str, Any]) -> None:
    expected = manifest.get("files") or {}
    if not expected:
        raise IndexCorruptError(f"{directory}: manifest lists no files")
    for name, digest in expected.items():
        path = Path(directory) / name
        if not path.is_file():
            raise IndexCorruptError(f"{directory}: missing file {name}")
        actual = sha256_file(path)
        if actual != digest:
            raise IndexCorruptError(
                f"{path}: checksum mismatch (expected sha256 {digest[:12]}…, got {actual[:12]}…); "
                "the index is damaged — rebuild with `matcher index build`"
            )


@contextmanager
def atomic_directory(target: Path | str) -> Iterator[Path]:
    """Yield an empty temp dir beside `target`; on normal exit it replaces `target` atomically-ish.

    Two renames are used (old -> backup, temp -> target); if the second fails the
    backup is renamed back. The backup is deleted only after the new version is in place.
    """
    target = Path(target).absolute()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    try:
        yield tmp
        for path in tmp.rglob("*"):
            _fsync_path(path)
        _fsync_path(tmp)
        backup = None
        if target.exists():
            backup = target.parent / f".{target.name}.old-{uuid.uuid4().hex[:8]}"
            os.rename(target, backup)
        try:
            os.rename(tmp, target)
        except BaseException:
            if backup is not None:
                os.rename(backup, target)
            raise
        _fsync_path(target.parent)
        if backup is not None:
            shutil.rmtree(backup, ignore_errors=True)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
