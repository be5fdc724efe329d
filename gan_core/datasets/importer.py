"""Bring your own data: pictures (folders, zips, single files) and videos, into one stored dataset each.

    from gan_core.datasets.importer import import_images, import_videos
    ds = import_videos(["ep1.mp4", "ep2.mkv"], "simpsons", fps=2, resolution=64, progress=print)

Both stream every picture straight into a `DatasetWriter` (memory stays bounded however many frames or
files), record in the manifest where each image came from (`sources`, with how many were kept) and
every file or frame that was left out, with the reason (`skipped`). They fail with a `UsageError` (one
line on the command line) and leave nothing behind when nothing usable comes out; a cancelled import
(`cancel` set, Ctrl-C, a Streamlit rerun) leaves no half-made dataset either.

Zip archives are read member by member into memory, never extracted: a member named with an absolute
path or `..` is not even read, only listed as skipped, so nothing is ever written outside the dataset.

`progress` is a callable given an `ImportStatus` a few times a second (the app draws a progress bar from
it); `None` draws a progress line with rate and ETA on the terminal.
"""

import os
import re
import stat
import threading
import time
import unicodedata
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from gan_core.core.errors import UsageError
from gan_core.core.paths import check_name
from gan_core.core.progress import Progress, duration
from gan_core.datasets.build import BUILD_RESOLUTIONS
from gan_core.datasets.frames import FITS, square
from gan_core.datasets.imageio import MAX_FILE_BYTES, Unusable, open_image
from gan_core.datasets.store import Dataset, DatasetWriter, exists
from gan_core.datasets.video import DuplicateFilter, VideoDamaged, probe, sample_frames

RESOLUTIONS = BUILD_RESOLUTIONS
REPORT_EVERY = 0.25  # seconds between progress reports
JUNK_NAMES = (".DS_Store", "Thumbs.db", "desktop.ini")


class ImportCancelled(UsageError):
    """The user stopped the import; nothing was stored."""


@dataclass
class ImportStatus:
    """Where an import stands, for a progress bar."""

    unit: str  # "frames" (of the videos, in the chosen time window) or "files"
    done: int
    total: int | None
    kept: int
    skipped: int
    rate: float  # units per second so far
    eta: float | None  # seconds left, when the total is known
    current: str  # the file being read
    finished: bool = False

    @property
    def fraction(self) -> float:
        return min(self.done / self.total, 1.0) if self.total else 0.0

    def text(self) -> str:
        """One line for people: '312/1,500 frames · 180 frames/s · 60 kept · about 7 s left · ep1.mp4'."""
        done = f"{self.done:,}/{self.total:,}" if self.total else f"{self.done:,}"
        bits = [f"{done} {self.unit}", f"{self.rate:,.0f} {self.unit}/s", f"{self.kept:,} kept"]
        if self.skipped:
            bits.append(f"{self.skipped:,} skipped")
        if self.eta is not None and not self.finished:
            bits.append(f"about {duration(self.eta)} left")
        if self.current:
            bits.append(self.current)
        return " · ".join(bits)


class _Tracker:
    """Counts work, checks for cancellation, and reports to `progress` at most every REPORT_EVERY s."""

    def __init__(self, unit: str, total: int | None, progress, cancel):
        self.status = ImportStatus(unit, 0, total, 0, 0, 0.0, None, "")
        self.t0 = self._last = time.perf_counter()
        self.cancel = cancel
        self._bar = None
        if progress is None:
            self._bar = bar = Progress(total, what=unit)
            self._callback = lambda s: _draw_terminal(bar, s)
        else:
            self._callback = progress

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None and self._bar is not None and self._bar._tty:
            self._bar.stream.write("\n")  # end the progress line, so the error starts on its own
        return False

    def cancelled(self) -> bool:
        c = self.cancel
        if c is None:
            return False
        return c.is_set() if isinstance(c, threading.Event) else bool(c())

    def tick(self, n: int = 1) -> None:
        self.status.done += n
        self._maybe_report()

    def kept(self) -> None:
        self.status.kept += 1

    def skipped(self) -> None:
        self.status.skipped += 1

    def current(self, name: str) -> None:
        self.status.current = name
        self._maybe_report(force=True)

    def check(self) -> None:
        """Raise `ImportCancelled` if the user asked to stop (checked for every frame or file, and last of all
        just before the dataset is published)."""
        if self.cancelled():
            raise ImportCancelled("import cancelled; nothing was stored")

    def _maybe_report(self, force: bool = False) -> None:
        self.check()
        now = time.perf_counter()
        if force or now - self._last >= REPORT_EVERY:
            self._last = now
            self.report()

    def report(self, finished: bool = False) -> None:
        s = self.status
        elapsed = max(time.perf_counter() - self.t0, 1e-9)
        s.rate = s.done / elapsed
        s.total = max(s.total, s.done) if s.total else s.total
        s.eta = (s.total - s.done) / s.rate if s.total and s.rate > 0 else None
        s.finished = finished
        self._callback(s)


def _draw_terminal(bar: Progress, status: ImportStatus) -> None:
    bar.total = status.total
    bar.what = f"{status.unit} ({status.kept:,} kept)"
    bar.update(status.done - bar.done)
    if status.finished:
        bar.close()


def suggest_name(text: str) -> str:
    """A valid dataset name from a file name: 'Duck Doodles (1).zip' -> 'duck-doodles-1'."""
    stem = Path(text).stem if "." in Path(text).name else Path(text).name
    stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    name = re.sub(r"[^a-z0-9._-]+", "-", stem.lower()).strip("-._")
    name = re.sub(r"-{2,}", "-", name.replace("..", "."))[:64].rstrip("-._")
    return name or "my-dataset"


def _check_options(name: str, resolution: int, fit: str, replace: bool) -> None:
    check_name(name, "dataset name")
    if resolution not in RESOLUTIONS:
        raise UsageError(f"resolution {resolution} is not supported; choose one of {', '.join(map(str, RESOLUTIONS))}")
    if fit not in FITS:
        raise UsageError(f"--fit must be one of: {', '.join(FITS)} (not {fit!r})")
    if exists(name) and not replace:
        raise UsageError(f"dataset {name!r} already exists; pass --replace to overwrite it")


# -- pictures ------------------------------------------------------------------------------------------
@dataclass
class _Entry:
    """One file found in a folder or an archive: `name` for people, `read()` for its bytes or path."""

    name: str
    source: int  # index into the sources list
    read: Callable[[], Path | bytes] | None  # None: skipped before reading, see `reason`
    reason: str = ""


def _unsafe_member(name: str) -> bool:
    """An archive member that would land outside the folder it is extracted into."""
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):  # /abs, \\share, C:\...
        return True
    return ".." in PurePosixPath(name.replace("\\", "/")).parts


def _junk(name: str) -> bool:
    parts = PurePosixPath(name.replace("\\", "/")).parts
    return "__MACOSX" in parts or (bool(parts) and (parts[-1] in JUNK_NAMES or parts[-1].startswith("._")))


def _zip_entries(path: Path, index: int, label: str) -> tuple[zipfile.ZipFile, list[_Entry]]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise UsageError(f"{label} is not a readable zip archive ({exc})") from None
    entries = []
    for info in archive.infolist():
        if info.is_dir():
            continue
        name = f"{label}/{info.filename}"
        if _unsafe_member(info.filename):
            entries.append(_Entry(name, index, None, "unsafe path in archive (absolute or '..'): not read"))
        elif stat.S_ISLNK(info.external_attr >> 16):
            entries.append(_Entry(name, index, None, "symbolic link in archive: not followed"))
        elif info.flag_bits & 0x1:
            entries.append(_Entry(name, index, None, "encrypted archive member"))
        elif _junk(info.filename):
            entries.append(_Entry(name, index, None, "system file (macOS or Windows metadata), not a picture"))
        elif info.file_size > MAX_FILE_BYTES:
            entries.append(_Entry(name, index, None, f"file too large (over {MAX_FILE_BYTES // 2**20} MB)"))
        else:
            entries.append(_Entry(name, index, _member_reader(archive, info)))
    return archive, entries


def _member_reader(archive: zipfile.ZipFile, info: zipfile.ZipInfo):
    def read() -> bytes:
        try:
            with archive.open(info) as f:
                data = f.read(MAX_FILE_BYTES + 1)  # the header's size may lie: never read more than this
        except (zipfile.BadZipFile, OSError, NotImplementedError, RuntimeError, EOFError, ValueError) as exc:
            raise Unusable(f"damaged archive member ({str(exc)[:80]})") from None
        if len(data) > MAX_FILE_BYTES:
            raise Unusable(f"file too large (over {MAX_FILE_BYTES // 2**20} MB)")
        return data

    return read


def _folder_entries(root: Path, index: int, label: str) -> list[_Entry]:
    entries = []
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs.sort()
        for file in sorted(files):
            path = Path(folder, file)
            rel = path.relative_to(root).as_posix()
            name = f"{label}/{rel}"
            if _junk(rel):
                entries.append(_Entry(name, index, None, "system file (macOS or Windows metadata), not a picture"))
            else:
                entries.append(_Entry(name, index, lambda p=path: p))
    return entries


def import_images(paths: Path | str | Iterable[Path | str], name: str, *, resolution: int = 64, fit: str = "crop",
                  replace: bool = False, progress: Callable[[ImportStatus], None] | None = None,
                  cancel: threading.Event | Callable[[], bool] | None = None,
                  labels: list[str] | None = None) -> Dataset:
    """Pictures from folders (searched recursively), zip archives and single files into dataset `name`.

    `labels`: how each path is named in the manifest (the app passes uploaded files' own names).
    """
    paths = [Path(paths)] if isinstance(paths, str | Path) else [Path(p) for p in paths]
    if not paths:
        raise UsageError("no folder, zip or picture given")
    labels = labels or [p.name or str(p) for p in paths]
    _check_options(name, resolution, fit, replace)
    archives, entries, sources = [], [], []
    loose: dict | None = None  # single pictures given one by one are counted as one source
    try:
        for path, label in zip(paths, labels, strict=True):
            if path.is_dir():
                found, kind = _folder_entries(path, len(sources), label), "folder"
            elif path.is_file() and path.suffix.lower() == ".zip" and not zipfile.is_zipfile(path):
                raise UsageError(f"{label} is not a readable zip archive")
            elif path.is_file() and zipfile.is_zipfile(path):
                archive, found = _zip_entries(path, len(sources), label)
                archives.append(archive)
                kind = "zip"
            elif path.is_file():
                if loose is None:
                    loose = {"name": label, "kind": "pictures", "files": 0, "kept": 0}
                    sources.append(loose)
                loose["files"] += 1
                entries.append(_Entry(label, sources.index(loose), lambda p=path: p))
                continue
            elif path.suffix.lower() == ".zip" or not path.exists():
                raise UsageError(f"no such folder, zip or picture: {path}")
            else:
                raise UsageError(f"{path} is not a folder, a zip or a picture")
            if not found:
                raise UsageError(f"{label} is empty: no files to import")
            entries += found
            sources.append({"name": label, "kind": kind, "files": len(found), "kept": 0})
        if loose is not None and loose["files"] > 1:
            loose["name"] = f"{loose['files']} pictures"
        return _store_pictures(entries, sources, name, resolution, fit, replace, progress, cancel)
    finally:
        for archive in archives:
            archive.close()


def _store_pictures(entries: list[_Entry], sources: list[dict], name: str, resolution: int, fit: str,
                    replace: bool, progress, cancel) -> Dataset:
    skipped = []
    how_made = {"command": "import-images", "resolution": resolution, "fit": fit}
    source = sources[0]["name"] if len(sources) == 1 else f"{sources[0]['name']} and {len(sources) - 1} more"
    with _Tracker("files", len(entries), progress, cancel) as tracker, \
            DatasetWriter(name, resolution, 3, replace=replace, kind="images", source=source,
                          how_made=how_made) as writer:
        for entry in entries:
            tracker.current(entry.name)
            try:
                if entry.read is None:
                    raise Unusable(entry.reason)
                image = square(open_image(entry.read(), min_side=2 * resolution), resolution, fit)
            except Unusable as exc:
                skipped.append({"name": entry.name, "reason": str(exc)})
                tracker.skipped()
            else:
                writer.add(image)
                sources[entry.source]["kept"] += 1
                tracker.kept()
            tracker.tick()
        tracker.report(finished=True)
        if writer.count == 0:
            first = f" (first: {skipped[0]['name']}: {skipped[0]['reason']})" if skipped else ""
            raise UsageError(f"no usable pictures: all {len(entries)} files were skipped{first}")
        tracker.check()
        return writer.commit(sources=sources, skipped=skipped)


# -- videos --------------------------------------------------------------------------------------------
def import_videos(paths: Path | str | Iterable[Path | str], name: str, *, fps: float | None = None,
                  every: int | None = None, start: float = 0.0, end: float | None = None,
                  skip_duplicates: bool = False, resolution: int = 64, fit: str = "crop", replace: bool = False,
                  progress: Callable[[ImportStatus], None] | None = None,
                  cancel: threading.Event | Callable[[], bool] | None = None,
                  labels: list[str] | None = None) -> Dataset:
    """Frames of one or more videos into dataset `name`: `fps` frames per second, or every `every`-th frame.

    `start`/`end` (seconds) trim each video (skip the intro and the credits of every episode).
    """
    paths = [Path(paths)] if isinstance(paths, str | Path) else [Path(p) for p in paths]
    if not paths:
        raise UsageError("no video given")
    labels = labels or [p.name for p in paths]
    if fps is None and every is None:
        fps = 1.0
    if fps is not None and every is not None:
        raise UsageError("give either --fps or --every, not both")
    if fps is not None and not fps > 0:
        raise UsageError(f"--fps must be more than 0 (not {fps})")
    if every is not None and every < 1:
        raise UsageError(f"--every must be at least 1 (not {every})")
    if start < 0:
        raise UsageError(f"--start must be 0 or more seconds (not {start})")
    if end is not None and end <= start:
        raise UsageError(f"--end ({end} s) must come after --start ({start} s)")
    _check_options(name, resolution, fit, replace)
    infos = [probe(p) for p in paths]  # every file is checked before any work starts
    for info, label in zip(infos, labels, strict=True):
        if info.duration is not None and start >= info.duration:
            raise UsageError(f"{label} is only {info.duration:.1f} s long: nothing after --start {start} s")
    totals = [info.frames_between(start, end) for info in infos]
    total = sum(totals) if all(t is not None for t in totals) else None

    dupes = DuplicateFilter() if skip_duplicates else None
    skipped, sources = [], []
    how_made = {"command": "import-video", "fps": fps, "every": every, "start": start, "end": end,
                "skip_duplicates": skip_duplicates, "resolution": resolution, "fit": fit}
    source = labels[0] if len(labels) == 1 else f"{labels[0]} and {len(labels) - 1} more"
    with _Tracker("frames", total, progress, cancel) as tracker, \
            DatasetWriter(name, resolution, 3, replace=replace, kind="video", source=source,
                          how_made=how_made) as writer:
        for path, label, info in zip(paths, labels, infos, strict=True):
            tracker.current(label)
            before, counted = writer.count, tracker.status.done
            try:
                for t, frame in sample_frames(path, fps=fps, every=every, start=start, end=end,
                                              min_side=2 * resolution, on_decoded=tracker.tick):
                    image = square(frame, resolution, fit)
                    if dupes is not None and dupes.is_duplicate(image):
                        skipped.append({"name": f"{label} at {t:.2f} s", "reason": "near-duplicate of the last "
                                        "kept frame (nothing moved)"})
                        tracker.skipped()
                        continue
                    writer.add(image)
                    tracker.kept()
            except VideoDamaged as exc:
                skipped.append({"name": f"{label} (the rest)", "reason": str(exc)})
            kept, frames = writer.count - before, tracker.status.done - counted
            if frames == 0:
                window = f" between {start} s and {end} s" if start or end is not None else ""
                skipped.append({"name": label, "reason": f"no frames{window}"})
            sources.append({"name": label, "kept": kept, "frames": frames, "duration": info.duration,
                            "fps": info.fps, "width": info.width, "height": info.height, "codec": info.codec})
        tracker.report(finished=True)
        if writer.count == 0:
            raise UsageError(f"no frames to import from {source}" + (
                "" if tracker.status.done else " (the video holds no frames in the chosen time window)"))
        tracker.check()
        return writer.commit(sources=sources, skipped=skipped)
