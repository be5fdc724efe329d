"""Writing a run or a dataset into one archive (`archive.py` says what is in it).

The zip is written to a hidden temporary file beside `out` and renamed into place when complete, so a
half-written archive never looks like a finished one. A run that is queued or training is refused: its
files change while they are read. Only what opens the run elsewhere and resumes it travels: TensorBoard logs,
`train.log` and stop requests stay behind, and of the training state only the file `state/latest.json` names.
"""

import hashlib
import os
import zipfile
from collections.abc import Callable
from pathlib import Path

from gan_core.core.errors import UsageError
from gan_core.core.runs import Run, now
from gan_core.transfer.archive import CHUNK, MANIFEST_NAME, Manifest, Member, compression_for, layout, manifest_json

Progress = Callable[[int, int], None]  # (bytes done, bytes in all)


def run_members(run: Run, *, state: bool = True) -> list[str]:
    """The files of a run that travel, as archive names (relative POSIX paths), in a stable order."""
    names = [n for n in ("config.json", "status.json", "metrics.jsonl", "epochs.jsonl", "favourites.json")
             if _regular(run.path / n)]
    for folder in ("samples", "weights"):
        if (run.path / folder).is_dir():
            names += sorted(f"{folder}/{p.name}" for p in (run.path / folder).iterdir() if _regular(p))
    if state and _regular(run.state_dir / "latest.json"):
        from gan_core.core.atomic import read_json

        latest = read_json(run.state_dir / "latest.json", {})
        file = latest.get("file")
        if not isinstance(file, str) or "/" in file or not _regular(run.state_dir / file):
            raise UsageError(f"run {run.name!r}: state/latest.json is damaged or names a missing state file; "
                             "export it with --no-state (it can then be viewed, not resumed)")
        names += ["state/latest.json", f"state/{file}"]
    return [n for n in names if layout("run").fullmatch(n)]


def _regular(path: Path) -> bool:
    return path.is_file() and not path.is_symlink()


def export_run(name: str, out: Path, *, state: bool = True, progress: Progress | None = None) -> Path:
    """Write run `name` into the archive `out` (with its training state for resume unless `state=False`)."""
    from gan_core.core import runlock

    run = Run(name).require()
    status = run.status()
    if status.get("state") in ("running", "queued") or runlock.is_held(run.name):
        raise UsageError(f"run {run.name!r} is {status.get('state') or 'starting'}; stop it (or let it finish) "
                         "before exporting it")
    return _write(run.path, run_members(run, state=state), out, kind="run", name=run.name, with_state=state,
                  progress=progress)


def export_dataset(name: str, out: Path, *, progress: Progress | None = None) -> Path:
    """Write dataset `name` (its manifest and shards) into the archive `out`."""
    from gan_core.datasets.store import MANIFEST, open_dataset

    ds = open_dataset(name)
    members = [MANIFEST, *(p.name for p in ds.shard_files())]
    return _write(ds.path, members, out, kind="dataset", name=ds.name, with_state=None, progress=progress)


def _write(folder: Path, names: list[str], out: Path, *, kind: str, name: str, with_state: bool | None,
           progress: Progress | None) -> Path:
    out = Path(out)
    if out.is_dir():
        out = out / default_file_name(kind, name)
    out.parent.mkdir(parents=True, exist_ok=True)
    total = sum((folder / n).stat().st_size for n in names)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    done, members = 0, []
    try:
        with zipfile.ZipFile(tmp, "w", allowZip64=True) as archive:
            for member in names:
                info = zipfile.ZipInfo(member, date_time=_date_time(folder / member))
                info.compress_type = compression_for(member)
                info.external_attr = 0o100644 << 16  # a regular file, readable by all
                digest, size = hashlib.sha256(), 0
                with open(folder / member, "rb") as src, archive.open(info, "w", force_zip64=True) as dst:
                    while chunk := src.read(CHUNK):
                        digest.update(chunk)
                        dst.write(chunk)
                        size += len(chunk)
                        done += len(chunk)
                        if progress is not None:
                            progress(done, total)
                members.append(Member(member, size, digest.hexdigest()))
            manifest = Manifest(kind=kind, name=name, code_version=_code_version(), created=now(),
                                members=tuple(members), with_state=with_state)
            archive.writestr(zipfile.ZipInfo(MANIFEST_NAME, date_time=_date_time(None)), manifest_json(manifest),
                             compress_type=zipfile.ZIP_DEFLATED)
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if progress is not None:
        progress(total, total)
    return out


def default_file_name(kind: str, name: str) -> str:
    """'faces-demo.run.zip', 'cartoon-faces.dataset.zip'."""
    return f"{name}.{kind}.zip"


def _date_time(path: Path | None) -> tuple:
    import time

    seconds = path.stat().st_mtime if path is not None else time.time()
    return time.gmtime(max(seconds, 315532800))[:6]  # zip cannot hold dates before 1980


def _code_version() -> str:
    from gan_core import __version__

    return __version__
