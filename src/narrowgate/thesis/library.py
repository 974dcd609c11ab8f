"""The user's thesis library: validated thesis files kept by id, one file per version.

Where: ``$NARROWGATE_HOME/theses/<id>/v<N>-<sha256 first 12>.yaml`` (the same home as the
store, so one folder holds a user's data, history and theses). Why files, not store rows:
a thesis is a document the user may read or copy; files need no lock to read, and adding
one is atomic (written to a temporary name, then hard-linked to its final name, which
fails rather than overwrites if another process took that version number first).

Versions: adding a file whose bytes differ from every stored version of its id keeps it
as version N+1; adding the same bytes again changes nothing. ``id`` names the newest
version, ``id@N`` a given one. Ids of bundled theses are refused (they would be shadowed).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from narrowgate.errors import NarrowgateError

LIBRARY_FOLDER = "theses"
_VERSION_FILE = re.compile(r"^v(\d+)-([0-9a-f]{12})\.yaml$")
_REF = re.compile(r"^([a-z0-9]+(?:-[a-z0-9]+)*)(?:@(\d+))?$")


@dataclass(frozen=True)
class LibraryEntry:
    """One stored version of a user's thesis (``added_at`` in UTC)."""

    thesis_id: str
    version: int
    sha256: str
    path: Path
    added_at: datetime


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes: the version a library entry or recorded run names."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def library_dir() -> Path:
    """``$NARROWGATE_HOME/theses`` (it may not exist yet)."""
    from narrowgate.data.store import narrowgate_home

    return narrowgate_home() / LIBRARY_FOLDER


def entries(thesis_id: str | None = None) -> list[LibraryEntry]:
    """Stored versions (all ids, or one), by id then version."""
    root = library_dir()
    folders = [root / thesis_id] if thesis_id else sorted(root.glob("*"))
    found = []
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            match = _VERSION_FILE.match(path.name)
            if match is None:
                continue  # a temporary file of an add in progress, or a stray file
            found.append(LibraryEntry(folder.name, int(match.group(1)), file_sha256(path),
                                      path, datetime.fromtimestamp(path.stat().st_mtime,
                                                                   UTC)))
    return sorted(found, key=lambda e: (e.thesis_id, e.version))


def library_ref_id(ref: str) -> str | None:
    """The thesis id a reference names (``id`` or ``id@N``), or None when ``ref`` is a
    file or not shaped like an id."""
    match = _REF.match(ref)
    if match is None or Path(ref).is_file():
        return None
    return match.group(1)


def library_path(ref: str) -> Path | None:
    """The file of a library reference (``id`` = newest version, ``id@N``), or None when
    ``ref`` is not an id the library holds. An unknown version of a stored id is an error."""
    match = _REF.match(ref)
    if match is None:
        return None
    thesis_id, version = match.group(1), match.group(2)
    stored = entries(thesis_id)
    if not stored:
        return None
    if version is None:
        return stored[-1].path
    for entry in stored:
        if entry.version == int(version):
            return entry.path
    raise NarrowgateError(
        f"thesis library has no version {version} of '{thesis_id}'",
        "versions: " + ", ".join(f"{thesis_id}@{e.version}" for e in stored))


def add(path: Path) -> tuple[LibraryEntry, bool]:
    """Validate a thesis file and keep it; returns the entry and whether it is new.

    Raises ThesisError (one line per problem) for an invalid file, NarrowgateError for a
    bundled id or a library folder that cannot be written.
    """
    from narrowgate.thesis.loader import bundled_theses, load_thesis

    thesis = load_thesis(path)
    if thesis.id in bundled_theses():
        raise NarrowgateError(f"{path}: id '{thesis.id}' is a bundled thesis",
                              "give your thesis its own id (the `id:` field) and add it again")
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    stored = entries(thesis.id)
    for entry in stored:
        if entry.sha256 == digest:
            return entry, False
    folder = library_dir() / thesis.id
    try:
        folder.mkdir(parents=True, exist_ok=True)
        return _link_new_version(folder, data, digest, stored[-1].version + 1 if stored else 1,
                                 thesis.id), True
    except OSError as exc:
        raise NarrowgateError(f"cannot write the thesis library {folder}: "
                              f"{exc.strerror or exc}",
                              "set NARROWGATE_HOME to a folder you can write") from None


def _link_new_version(folder: Path, data: bytes, digest: str, version: int,
                      thesis_id: str) -> LibraryEntry:
    """Write the bytes under a temporary name, then link them to the first free version
    number: a reader never sees a partial file, two adders never share a number."""
    fd, tmp_name = tempfile.mkstemp(prefix=".add-", suffix=".tmp", dir=folder)
    tmp = Path(tmp_name)
    try:
        with contextlib.suppress(OSError):
            tmp.chmod(0o644)  # a document the user may read and copy, not a secret
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        while True:
            final = folder / f"v{version}-{digest[:12]}.yaml"
            try:
                os.link(tmp, final)
            except FileExistsError:
                version += 1
                continue
            return LibraryEntry(thesis_id, version, digest, final, datetime.now(UTC))
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def remove(ref: str) -> list[LibraryEntry]:
    """Delete ``id`` (every version) or ``id@N`` (one); returns what was removed.

    Recorded runs of the thesis stay in history (they carry their own scorecards).
    """
    match = _REF.match(ref)
    stored = entries(match.group(1)) if match else []
    if not stored:
        held = sorted({e.thesis_id for e in entries()})
        raise NarrowgateError(f"no thesis '{ref}' in the library {library_dir()}",
                              "library ids: " + (", ".join(held) or "none (add one with "
                                                 "`narrowgate thesis add FILE`)"))
    assert match is not None
    version = match.group(2)
    gone = [e for e in stored if version is None or e.version == int(version)]
    if not gone:
        raise NarrowgateError(f"thesis library has no version {version} of "
                              f"'{match.group(1)}'",
                              "versions: " + ", ".join(f"{e.thesis_id}@{e.version}"
                                                       for e in stored))
    try:
        for entry in gone:
            entry.path.unlink()
        if len(gone) == len(stored):
            with contextlib.suppress(OSError):
                gone[0].path.parent.rmdir()
    except OSError as exc:
        raise NarrowgateError(f"cannot remove {ref} from the thesis library: "
                              f"{exc.strerror or exc}",
                              "check the permissions of " + str(library_dir())) from None
    return gone
