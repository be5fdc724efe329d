"""Helpers for the Streamlit pages: what is on disk (runs, datasets, the device) in a form ready to draw.

Everything is read from the run directories and the dataset store, never from a training process, and
the expensive bits (decoding and upscaling images, asking `nvidia-smi`) are cached.
"""

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import streamlit as st
from PIL import Image

from gan_core.core.errors import UsageError
from gan_core.core.hardware import cpu_cores, cpu_model, nvidia_gpu_names
from gan_core.core.media import grid, png_bytes
from gan_core.core.runs import Run, list_runs
from gan_core.datasets.store import Dataset, list_datasets
from gan_core.datasets.store import exists as dataset_exists
from gan_core.export.animation import read_png

ACTIVE_STATES = ("queued", "running")
STATE_COLOURS = {"queued": "gray", "running": "blue", "finished": "green", "failed": "red", "stopped": "orange"}
STATE_ICONS = {
    "queued": ":material/schedule:",
    "running": ":material/play_circle:",
    "finished": ":material/check_circle:",
    "failed": ":material/error:",
    "stopped": ":material/stop_circle:",
}
DISPLAY_PX = 560  # small grids are enlarged to at least this many pixels before the browser sees them
WIDEST_PX = 1460  # Streamlit shrinks (and re-encodes) a wider picture on every script run: `png` does it once

BUILD_DEMO_DATA = "python -m gan_core.datasets build cartoon-faces --count 2000 --resolution 32"
TRAIN_DEMO = ("python -m gan_core.train --dataset cartoon-faces --run faces-demo --epochs 30 --resolution 32 "
              "--batch-size 32")


# -- the device ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DeviceInfo:
    kind: str  # "GPU" or "CPU"
    name: str  # e.g. "NVIDIA A100-SXM4-40GB" or "Intel(R) Xeon(R) Processor, 2 cores"
    count: int = 1

    @property
    def text(self) -> str:
        many = f"{self.count} × " if self.count > 1 else ""
        return f"{self.kind}: {many}{self.name}"


@st.cache_data(show_spinner=False, ttl=3600)
def device_info() -> DeviceInfo:
    gpus = nvidia_gpu_names()
    if gpus:
        return DeviceInfo("GPU", gpus[0], len(gpus))
    return DeviceInfo("CPU", f"{cpu_model()}, {cpu_cores()} cores")


# -- runs --------------------------------------------------------------------------------------------
@dataclass
class RunView:
    """One run as the pages show it: its config and status, read once."""

    run: Run
    config: dict
    status: dict
    sample_epochs: list[int] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.run.name

    @property
    def state(self) -> str:
        return self.status.get("state") or "unknown"

    @property
    def epoch(self) -> int:
        return int(self.status.get("epoch") or 0)

    @property
    def epochs(self) -> int:
        return int(self.status.get("epochs") or self.config.get("epochs") or 0)

    @property
    def dataset(self) -> str:
        return self.config.get("dataset", "?")

    @property
    def active(self) -> bool:
        return self.state in ACTIVE_STATES

    @property
    def latest_sample(self) -> Path | None:
        return self.run.sample_file(self.sample_epochs[-1]) if self.sample_epochs else None

    @property
    def progress(self) -> float:
        """Fraction of all training steps done (steps, not epochs: it moves within an epoch too)."""
        total = int(self.status.get("steps_per_epoch") or self.config.get("steps_per_epoch") or 0) * self.epochs
        if total:
            return min(max(int(self.status.get("step") or 0) / total, 0.0), 1.0)
        return min(self.epoch / self.epochs, 1.0) if self.epochs else 0.0


def demo_commands() -> str:
    """The terminal commands that start the quick demo (building its data first if it is missing)."""
    return "\n".join([*([] if dataset_exists("cartoon-faces") else [BUILD_DEMO_DATA]), TRAIN_DEMO])


def stop_without_runs(so: str) -> None:
    """A page that needs a run when there is none: say what is missing, point to Train, stop the script."""
    st.info(f"No training runs yet, so {so}. Start one on the Train page, or from a terminal in the project "
            "folder:", icon=":material/info:")
    st.page_link("pages/train.py", label="Go to the Train page", icon=":material/model_training:")
    st.code(demo_commands(), language="bash")
    st.stop()


def _newest_first_key(view: RunView) -> tuple:
    try:
        mtime = view.run.config_file.stat().st_mtime
    except OSError:
        mtime = 0.0
    return (view.config.get("created") or "", mtime, view.name)


def run_views() -> list[RunView]:
    """Every run, newest first (by creation time)."""
    views = [RunView(r, r.config(), r.status(), r.sample_epochs()) for r in list_runs()]
    return sorted(views, key=_newest_first_key, reverse=True)


def state_badge(state: str) -> str:
    """A coloured Markdown badge for a run state."""
    colour = STATE_COLOURS.get(state, "gray")
    icon = STATE_ICONS.get(state, ":material/help:")
    return f":{colour}-background[:{colour}[{icon} **{state}**]]"


def skipped_lines_notice(run_name: str, skipped: list[str]) -> None:
    """Log lines of the wrong shape (`gan_core.core.schemas`) are left out of charts and tables: say which."""
    if not skipped:
        return
    shown = "\n".join(f"- `{line[:160]}`" for line in skipped[:5])
    more = f"\n- … and {len(skipped) - 5} more" if len(skipped) > 5 else ""
    st.warning(f"**{md_escape(run_name)}**: {len(skipped)} damaged log line{'s' if len(skipped) > 1 else ''} "
               f"skipped (a hand edit or another tool?); the rest shows as usual, and training can resume.\n"
               f"{shown}{more}", icon=":material/report:")


def md_escape(text: str) -> str:
    """Run and dataset names may hold `_`, `.` and `-`; keep Markdown from reading them as markup."""
    return "".join("\\" + ch if ch in "\\`*_{}[]<>()#+-.!|~:$" else ch for ch in str(text))


# -- images ------------------------------------------------------------------------------------------
def upscale(image: np.ndarray, min_px: int = DISPLAY_PX) -> np.ndarray:
    """Enlarge by a whole factor with nearest-neighbour, so pixels stay square and sharp in the browser.

    The browser then only ever scales *down* (which stays crisp), never up (which blurs). Never past
    WIDEST_PX, though: `png` would then shrink it smoothly, blurring it and making a bigger file.
    """
    image = np.asarray(image)
    if image.ndim == 3 and image.shape[-1] == 1:
        image = image[..., 0]
    h, w = image.shape[:2]
    factor = max(1, min(-(-min_px // max(h, w)), WIDEST_PX // w))  # ceil, at most what fits WIDEST_PX
    if factor == 1:
        return image
    return np.asarray(Image.fromarray(image).resize((w * factor, h * factor), Image.Resampling.NEAREST))


def png(image: np.ndarray, max_px: int | None = None) -> bytes:
    """PNG bytes for `st.image(..., output_format="PNG")`, which passes them through untouched.

    Handed an array, Streamlit encodes a PNG on every script run (40-120 ms a page, with thirty people
    on the app that is most of the server's time: benchmarks/LOG.md "A room of thirty"), and one
    wider than an `st.image` width in pixels it also shrinks, every run. Encoded here, once per
    picture where the caller caches, with zlib's fastest level: these are served on a LAN, not stored.
    `max_px` (at most WIDEST_PX) shrinks a picture wider than that once, smoothly.
    """
    return png_bytes(image, compress_level=1, max_width=min(max_px or WIDEST_PX, WIDEST_PX))


def enlarged_png(image: np.ndarray, min_px: int = DISPLAY_PX, max_px: int | None = None) -> bytes:
    """`upscale`, then `png`: display bytes for a picture, for callers that cache what they make themselves."""
    return png(upscale(image, min_px), max_px)


@st.cache_data(show_spinner=False, max_entries=256)
def display_png(image: np.ndarray, min_px: int = DISPLAY_PX, max_px: int | None = None) -> bytes:
    """A picture a page computed, enlarged and encoded once for every session that shows the same pixels."""
    return enlarged_png(image, min_px, max_px)


@st.cache_data(show_spinner=False, max_entries=64)
def _grid_image(path: str, mtime_ns: int, min_px: int, max_px: int | None) -> bytes:
    return enlarged_png(read_png(Path(path)), min_px, max_px)


def grid_image(path: Path, min_px: int = DISPLAY_PX, max_px: int | None = None) -> bytes | None:
    """A sample grid as display PNG bytes (enlarged to at least `min_px`, at most `max_px` wide);
    None if it vanished (a run deleted meanwhile) or is damaged."""
    try:
        return _grid_image(str(path), path.stat().st_mtime_ns, min_px, max_px)
    except (OSError, UsageError):
        return None


@st.cache_data(show_spinner=False, max_entries=32)
def _montage(path: str, fingerprint: str, n: int, min_px: int, max_px: int | None) -> bytes:
    images = Dataset(Path(path)).sample(n, seed=0)
    return enlarged_png(grid(images, side=int(np.ceil(np.sqrt(len(images))))), min_px, max_px)


def dataset_montage(dataset: Dataset, n: int = 16, min_px: int = DISPLAY_PX, max_px: int | None = None) -> bytes | None:
    """`n` real images of a dataset as one enlarged grid (display PNG bytes); None if it cannot be read."""
    try:
        return _montage(str(dataset.path), dataset.fingerprint, n, min_px, max_px)
    except (OSError, KeyError, ValueError, TypeError, UsageError):
        return None


def datasets() -> list[Dataset]:
    """The stored datasets whose manifest makes sense (one copied in by hand and broken is left out)."""
    found = []
    for ds in list_datasets():
        try:
            _ = (ds.count, ds.resolution, ds.channels)
        except (KeyError, TypeError, ValueError):
            continue
        found.append(ds)
    return found
