"""Importing an archive: every member checked before anything is written, then published in one rename.

Order of work, so that a refused or failed import leaves nothing behind:
1. the zip, its manifest (kind, format version) and every member's name and header (`archive.py`); the members
   must be exactly those the manifest lists, with the declared sizes; the total must fit the limit and the disk;
2. the destination: a run or dataset of that name is refused unless `replace`, and never replaced while it is
   in use (a run training or queued; a dataset such a run trains on); a folder there that is not one is refused;
3. every member read once, counting at most its declared size, and hashed: all must match the manifest;
4. only then the members are written into a hidden folder beside the destination (hashed again on the way),
   the result checked as the app will read it, and renamed into place.

An imported run never looks live: a `running` or `queued` state becomes `stopped`, and the old machine's `pid`
and `host` are cleared (`status.json` keeps where it came from under `imported`). With `name=` it arrives under
a new name (`config.json`'s `run`, a dataset manifest's `name`).
"""

import hashlib
import shutil
import uuid
import zipfile
from collections.abc import Callable
from pathlib import Path

from gan_core.core.atomic import damage, read_json, write_json
from gan_core.core.errors import UsageError
from gan_core.core.paths import check_name, checkpoints_dir, datasets_dir
from gan_core.core.runs import Run, now
from gan_core.core.schemas import STATES
from gan_core.transfer.archive import (
    CHUNK,
    MANIFEST_NAME,
    MAX_MEMBERS,
    MAX_TOTAL_BYTES,
    Manifest,
    check_member_info,
    open_zip,
    read_manifest,
    required,
)

Progress = Callable[[int, int], None]  # (bytes done, bytes in all): verified, then written
DISK_MARGIN = 64 * 2**20  # leave this much free after an import


class _Damaged(Exception):
    """A member's bytes differ from the manifest (raised inside the read loop, turned into one line)."""


def import_archive(path: Path, *, name: str | None = None, replace: bool = False,
                   progress: Progress | None = None) -> tuple[str, str]:
    """Import a run or dataset archive; returns `(kind, name)`. Raises `UsageError` (one line) on any problem."""
    path = Path(path)
    label = path.name
    with open_zip(path, label) as archive:
        manifest = read_manifest(archive, label)
        infos = _check_members(archive, manifest, label)
        kind = manifest.kind
        target = check_name(name if name is not None else manifest.name, f"{kind} name")
        final = (checkpoints_dir() if kind == "run" else datasets_dir()) / target
        _check_destination(kind, target, final, replace)
        _check_space(final.parent, manifest.total_bytes)
        total = 2 * manifest.total_bytes
        counter = _Counter(total, progress)
        for member in manifest.members:  # 3. everything verified before a single byte is written
            _copy(archive, infos[member.name], member, None, counter, label)
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = final.with_name(f".import-{target}-{uuid.uuid4().hex[:8]}")
        try:
            tmp.mkdir()
            for member in manifest.members:  # 4. written into the hidden folder, hashed again on the way
                dest = tmp / member.name
                dest.parent.mkdir(parents=True, exist_ok=True)
                with open(dest, "wb") as out:
                    _copy(archive, infos[member.name], member, out, counter, label)
            if kind == "run":
                _settle_run(tmp, target, manifest, label)
            else:
                _settle_dataset(tmp, target, label)
            _publish(kind, target, tmp, final, replace)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    if progress is not None:
        progress(total, total)
    return kind, target


def _check_members(archive: zipfile.ZipFile, manifest: Manifest, label: str) -> dict[str, zipfile.ZipInfo]:
    """Exactly the manifest's members, each named and sized as declared; every header checked."""
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS + 1:
        raise UsageError(f"{label} holds {len(infos):,} members, more than the {MAX_MEMBERS:,} an archive may hold")
    by_name: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        check_member_info(info, manifest.kind, label)
        if info.filename in by_name:
            raise UsageError(f"{label}: member {info.filename!r} appears twice; nothing was imported")
        by_name[info.filename] = info
    by_name.pop(MANIFEST_NAME)
    declared = [m.name for m in manifest.members]
    if len(set(declared)) != len(declared):
        raise UsageError(f"{label}: {MANIFEST_NAME} lists a member twice; nothing was imported")
    if extra := sorted(set(by_name) - set(declared)):
        raise UsageError(f"{label}: member {extra[0]!r} is not in {MANIFEST_NAME}; nothing was imported")
    if missing := [n for n in declared if n not in by_name]:
        raise UsageError(f"{label}: member {missing[0]!r} is missing (the archive is incomplete); nothing was imported")
    for must in required(manifest.kind):
        if must not in by_name:
            raise UsageError(f"{label}: a {manifest.kind} archive needs {must}; nothing was imported")
    for member in manifest.members:
        if by_name[member.name].file_size != member.size:
            raise UsageError(f"{label}: member {member.name!r} is {by_name[member.name].file_size:,} bytes, "
                             f"{MANIFEST_NAME} says {member.size:,}; nothing was imported")
    if manifest.total_bytes > MAX_TOTAL_BYTES:
        raise UsageError(f"{label} would unpack to {manifest.total_bytes / 2**30:,.1f} GB, more than the "
                         f"{MAX_TOTAL_BYTES // 2**30} GB limit; nothing was imported")
    return by_name


def _check_destination(kind: str, target: str, final: Path, replace: bool) -> None:
    if kind == "run":
        present = (final / "config.json").is_file() or (final / "status.json").is_file()
    else:
        present = (final / "manifest.json").is_file()
    if (final.exists() or final.is_symlink()) and not (final.is_dir() and not final.is_symlink() and present):
        raise UsageError(f"{final} exists and is not a {kind}; move it away or import with --name")
    if not present:
        return
    if not replace:
        raise UsageError(f"{kind} {target!r} already exists; pass --replace to overwrite it, or --name to import "
                         "it under another name")
    if kind == "run":
        _refuse_busy_run(target)
    else:
        _refuse_busy_dataset(target)


def _refuse_busy_run(target: str) -> None:
    from gan_core.core import runlock

    state = Run(target).status().get("state")
    if state in ("running", "queued") or runlock.holder(target) is not None:  # holder: another process's lock
        raise UsageError(f"run {target!r} is {state if state in ('running', 'queued') else 'starting'}; "
                         "stop it before replacing it")


def _refuse_busy_dataset(target: str) -> None:
    from gan_core.core.in_use import runs_using

    if busy := [r.name for r in runs_using(target)]:
        raise UsageError(f"dataset {target!r} is in use by {', '.join(busy)} (queued or training); "
                         "it cannot be replaced until that ends")


def _check_space(folder: Path, needed: int) -> None:
    probe = folder
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    try:
        free = shutil.disk_usage(probe).free
    except OSError:
        return
    if needed + DISK_MARGIN > free:
        raise UsageError(f"not enough free space in {folder}: the archive unpacks to {needed / 2**20:,.0f} MB, "
                         f"{free / 2**20:,.0f} MB are free; nothing was imported")


class _Counter:
    def __init__(self, total: int, progress: Progress | None):
        self.total, self.progress, self.done = total, progress, 0

    def add(self, n: int) -> None:
        self.done += n
        if self.progress is not None:
            self.progress(self.done, self.total)


def _copy(archive: zipfile.ZipFile, info: zipfile.ZipInfo, member, out, counter: _Counter, label: str) -> None:
    """Read one member (into `out`, if given), never more than its declared size, and check size and hash."""
    digest, size = hashlib.sha256(), 0
    try:
        with archive.open(info) as f:
            while chunk := f.read(min(CHUNK, member.size + 1 - size)):
                size += len(chunk)
                if size > member.size:
                    raise _Damaged(f"holds more than its declared {member.size:,} bytes")
                digest.update(chunk)
                if out is not None:
                    out.write(chunk)
                counter.add(len(chunk))
    except _Damaged as exc:
        raise UsageError(f"{label}: member {member.name!r} {exc}; nothing was imported") from None
    except (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError, RuntimeError) as exc:
        raise UsageError(f"{label}: member {member.name!r} is damaged ({str(exc)[:80]}); nothing was imported") \
            from None
    if size != member.size or digest.hexdigest() != member.sha256:
        raise UsageError(f"{label}: member {member.name!r} does not match its sha256 in {MANIFEST_NAME} "
                         "(damaged or changed); nothing was imported")


def _settle_run(folder: Path, target: str, manifest: Manifest, label: str) -> None:
    """Check the run reads as the app will read it, give it its name, and make it a stopped run of this machine."""
    for file in ("config.json", "status.json"):
        if wrong := damage(folder / file):
            raise UsageError(f"{label}: {wrong}; nothing was imported")
    status = read_json(folder / "status.json", {})
    if status.get("state") not in STATES:
        raise UsageError(f"{label}: status.json has no valid state ({status.get('state')!r}); nothing was imported")
    if (folder / "state" / "latest.json").exists():
        latest = read_json(folder / "state" / "latest.json", {})
        file = latest.get("file")
        if not isinstance(file, str) or "/" in file or not (folder / "state" / file).is_file():
            raise UsageError(f"{label}: state/latest.json names a state file the archive lacks; nothing was imported")
    config = read_json(folder / "config.json", {})
    if config.get("run") != target:
        write_json(folder / "config.json", {**config, "run": target})
    if status["state"] in ("running", "queued"):
        status.update(state="stopped", error=None, eta_seconds=None)
    host = status.pop("host", None)
    status.pop("pid", None)
    status["imported"] = {"at": now(), "from_host": host, "code_version": manifest.code_version,
                          "with_state": (folder / "state" / "latest.json").exists()}
    write_json(folder / "status.json", status)


def _settle_dataset(folder: Path, target: str, label: str) -> None:
    from gan_core.datasets.store import MANIFEST, Dataset

    if problem := Dataset(folder).problem():
        raise UsageError(f"{label}: the dataset in it is damaged ({problem}); nothing was imported")
    manifest = read_json(folder / MANIFEST, {})
    if manifest.get("name") != target:
        write_json(folder / MANIFEST, {**manifest, "name": target})


def _publish(kind: str, target: str, tmp: Path, final: Path, replace: bool) -> None:
    """Rename the checked folder into place; a replaced one is moved aside first and deleted after."""
    from gan_core.core import runlock

    if kind == "run" and runlock.acquire(target, wait=1.0) is None:  # no trainer may start on it meanwhile
        raise UsageError(f"run {target!r} is training or starting; nothing was imported")
    try:
        _check_destination(kind, target, final, replace)  # again: something may have arrived meanwhile
        old = None
        if final.exists():
            old = final.with_name(f".trash-{target}-{uuid.uuid4().hex[:8]}")
            final.rename(old)
        try:
            tmp.rename(final)
        except OSError:
            if old is not None:
                old.rename(final)
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if kind == "run":
            runlock.release(target)
