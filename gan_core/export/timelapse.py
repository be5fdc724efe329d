"""A run's evolution as a film: one frame per epoch that has a sample grid, captioned with the epoch.

Frames come from `samples/epoch_NNNN.png` in a chosen range, the last one held for a moment; `sample`
follows one cell of the grid (one face from noise to face). `python -m gan_core.timelapse` and the
Epochs page both call `export`.
"""

from collections.abc import Callable
from pathlib import Path

from gan_core.core.atomic import check_writable
from gan_core.core.errors import UsageError
from gan_core.core.runs import Run
from gan_core.export import animation as media_export

DEFAULT_FPS = 8.0
DEFAULT_SIZE = 512
DEFAULT_HOLD = 1.0
MAX_SIZE = 2048


def pick_epochs(run: Run, start: int | None = None, end: int | None = None) -> list[int]:
    """The epochs with a sample grid in [start, end]; a clear error if the range is wrong or empty."""
    have = run.sample_epochs()
    if not have:
        raise UsageError(f"run {run.name!r} has no sample grids yet; wait for its first epoch")
    lo, hi = have[0] if start is None else start, have[-1] if end is None else end
    if lo < 0 or hi < 0:
        raise UsageError(f"epochs cannot be negative (got --from {lo} --to {hi})")
    if lo > hi:
        raise UsageError(f"--from {lo} is after --to {hi}")
    picked = [e for e in have if lo <= e <= hi]
    if not picked:
        raise UsageError(f"run {run.name!r} has no sample grids between epochs {lo} and {hi} "
                         f"(it has {have[0]}..{have[-1]})")
    return picked


def export(run: Run, out: Path, start: int | None = None, end: int | None = None, fps: float = DEFAULT_FPS,
           size: int = DEFAULT_SIZE, hold: float = DEFAULT_HOLD, sample: int | None = None,
           progress: Callable[[int, int], None] | None = None) -> dict:
    """Write the timelapse of `run` to `out`; returns what was written (frames, epochs, size)."""
    run.require()
    out = Path(out)
    if out.suffix.lower() not in media_export.FORMATS:
        raise UsageError(f"cannot write {out.name!r}: the output must end in .gif or .mp4")
    if not 16 <= size <= MAX_SIZE:
        raise UsageError(f"--size must be between 16 and {MAX_SIZE} pixels (got {size})")
    if not 0 < fps <= 60:
        raise UsageError(f"--fps must be above 0 and at most 60 (got {fps})")
    if not 0 <= hold <= 60:
        raise UsageError(f"--hold must be between 0 and 60 seconds (got {hold})")
    epochs = pick_epochs(run, start, end)
    cfg = run.config()
    side, resolution = cfg.get("grid_side"), cfg.get("resolution")
    if sample is not None:
        if not side or not resolution:
            raise UsageError(f"run {run.name!r} has no grid_side/resolution in its config; cannot cut a sample")
        if not 0 <= sample < side * side:
            raise UsageError(f"--sample must be between 0 and {side * side - 1} (the grid is {side}x{side})")
    if not out.parent.is_dir():
        raise UsageError(f"folder {str(out.parent)!r} does not exist")
    if out.is_dir():
        raise UsageError(f"--out {str(out)!r} is a folder; name a .gif or .mp4 file")
    check_writable(out.parent)
    frame_iter = media_export.frames(((e, run.sample_file(e)) for e in epochs), size, sample, side, resolution)
    n = media_export.write(out, frame_iter, len(epochs), fps, hold, progress)
    return {"out": str(out), "frames": n, "epochs": [epochs[0], epochs[-1]], "count": len(epochs)}
