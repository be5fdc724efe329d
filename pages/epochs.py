"""Epochs: scrub through a run's sample grids, play them like a film, follow one face from noise to face.

A slider over every epoch that has a grid (flagged epochs marked ⚠), step buttons, play/pause with a
speed; the grid enlarged with nearest-neighbour (crisp on a projector) beside real training images; one
cell across all epochs as a strip; fresh samples from any saved generator; two runs side by side on one
slider; a GIF/MP4 timelapse to download; the whole run as an archive to move it to another machine
(`ui/transfer.py`). Grids are read one at a time (cached by path and mtime), never
all at once; new epochs of a training run appear by themselves. Nothing here changes a run.
"""

import ui.preload  # noqa: F401  (first of all: ui/preload.py says why)

# isort: split
import tempfile
from pathlib import Path

import numpy as np
import streamlit as st

from gan_core import models
from gan_core.core.errors import UsageError
from gan_core.core.media import GUTTER, cell, grid
from gan_core.core.progress import duration
from gan_core.core.runs import Run
from gan_core.datasets.store import open_dataset
from gan_core.export import timelapse
from gan_core.export.animation import read_png
from gan_core.metrics.health import FLAGS
from ui.common import (
    dataset_montage,
    display_png,
    enlarged_png,
    grid_image,
    md_escape,
    png,
    run_views,
    skipped_lines_notice,
    stop_without_runs,
    upscale,
)
from ui.page import setup
from ui.transfer import run_download_button

LIVE_REFRESH_S = 2
GRID_PX = 560
STRIP_MAX = 40
STRIP_CELL_PX = 96
SPEEDS = [0.5, 1, 2, 4]  # epochs per second while playing
RUN_KEY, PLAY_KEY, SPEED_KEY, SAMPLE_KEY = "epochs_run", "epochs_playing", "epochs_speed", "epochs_sample"

setup("Epochs")
st.title("Epochs", anchor=False)
views = run_views()
if not views:
    stop_without_runs("there are no epochs to scrub through")


# -- helpers ------------------------------------------------------------------------------------------------
def epoch_key(run_name: str) -> str:
    return f"epochs_epoch__{run_name}"


def epoch_rows(run: Run) -> dict[int, dict]:
    """epochs.jsonl by epoch, with `elapsed`: training seconds up to the end of that epoch."""
    rows, total = {}, 0.0
    for row in run.epochs():
        total += float(row.get("seconds") or 0)
        rows[int(row.get("epoch", 0))] = {**row, "elapsed": total}
    return rows


def epoch_label(epoch: int, rows: dict[int, dict]) -> str:
    return f"{epoch} ⚠" if rows.get(epoch, {}).get("flags") else str(epoch)


@st.cache_data(show_spinner=False, max_entries=256)
def _cached_grid(path: str, mtime_ns: int) -> np.ndarray:
    return read_png(Path(path))


def _raw_grid(path: str, mtime_ns: int) -> np.ndarray | None:
    """A sample grid as RGB; None if it is gone or damaged (the caller says so, the page goes on)."""
    try:
        return _cached_grid(path, mtime_ns)
    except (UsageError, OSError):
        return None


def show_grid(run: Run, epoch: int, rows: dict[int, dict], px: int = GRID_PX, caption_prefix: str = "") -> None:
    image = grid_image(run.sample_file(epoch), px)
    if image is None:
        st.warning(f"The grid of epoch {epoch} cannot be read: it is gone or damaged. Other epochs still show.")
        return
    row = rows.get(epoch)
    when = "before training" if epoch == 0 else (f"after {duration(row['elapsed'])} of training" if row else "")
    st.image(image, caption=f"{caption_prefix}Epoch {epoch} · {when}".rstrip(" ·"), width="content",
             output_format="PNG")


def show_flags(epoch: int, rows: dict[int, dict]) -> None:
    for code in rows.get(epoch, {}).get("flags") or []:
        flag = FLAGS.get(code)
        title = flag.title if flag else code
        st.warning(f"**Epoch {epoch}: {title}.** {flag.meaning if flag else ''}", icon=":material/warning:")


def nearest(epochs: list[int], epoch: int | None) -> int:
    if epoch is None or not epochs:
        return epochs[-1]
    return min(epochs, key=lambda e: (abs(e - epoch), -e))


# -- which run --------------------------------------------------------------------------------------------
names = [v.name for v in views]
if RUN_KEY not in st.session_state or st.session_state[RUN_KEY] not in names:
    wanted = st.query_params.get("run")
    with_grids = [v.name for v in views if v.sample_epochs]
    st.session_state[RUN_KEY] = wanted if wanted in names else (with_grids or names)[0]
run_name = st.selectbox("Run", names, key=RUN_KEY, help="Newest first. A run that is still training grows here "
                                                         "by itself: new epochs join the slider as they finish.")
view = next(v for v in views if v.name == run_name)
run = view.run
cfg = view.config
side, res = int(cfg.get("grid_side") or 0), int(cfg.get("resolution") or 0)
about, download = st.columns([3, 1], vertical_alignment="center")
about.caption(f"Dataset **{md_escape(view.dataset)}** · {res} px · state **{view.state}** · "
              f"epoch {view.epoch} of {view.epochs}")
run_download_button(run, view.state, download)

wanted_other = st.query_params.get("compare")  # a link from the Train page's "train both families"
tab_play, tab_follow, tab_new, tab_compare, tab_export = st.tabs(
    ["Player", "Follow one sample", "New samples", "Compare runs", "Timelapse export"],
    default="Compare runs" if wanted_other else None)


# -- the player ---------------------------------------------------------------------------------------------
def step(delta: int, epochs: list[int], key: str) -> None:
    i = epochs.index(st.session_state[key]) if st.session_state.get(key) in epochs else len(epochs) - 1
    st.session_state[key] = epochs[min(max(i + delta, 0), len(epochs) - 1)]
    st.session_state[PLAY_KEY] = False


def toggle_play() -> None:
    st.session_state[PLAY_KEY] = not st.session_state.get(PLAY_KEY, False)


playing = st.session_state.get(PLAY_KEY, False)
speed = st.session_state.get(SPEED_KEY, 1)
tick = 1 / speed if playing else LIVE_REFRESH_S


@st.fragment(run_every=tick)
def player() -> None:
    epochs = run.sample_epochs()
    if not epochs:
        st.info("This run has no sample grid yet; the first appears when training starts (epoch 0) and after "
                "every epoch. This panel refreshes by itself.", icon=":material/hourglass_empty:")
        return
    rows = epoch_rows(run)
    skipped_lines_notice(run.name, run.epochs().skipped)
    key = epoch_key(run.name)
    if st.session_state.get(key) not in epochs:
        st.session_state[key] = epochs[-1]
    if st.session_state.get(PLAY_KEY):
        i = epochs.index(st.session_state[key])
        if i + 1 < len(epochs):
            st.session_state[key] = epochs[i + 1]
        elif not view.active:  # the end of a finished run: stop there
            st.session_state[PLAY_KEY] = False
            st.rerun()
    c_prev, c_play, c_next, c_speed = st.columns([1, 1.3, 1, 3], vertical_alignment="bottom")
    c_prev.button("Step back", icon=":material/skip_previous:", on_click=step, args=(-1, epochs, key),
                  use_container_width=True, key="epochs_prev")
    is_playing = st.session_state.get(PLAY_KEY, False)
    if c_play.button("Pause" if is_playing else "Play", icon=":material/pause:" if is_playing else
                     ":material/play_arrow:", type="primary", on_click=toggle_play, use_container_width=True,
                     key="epochs_play"):
        st.rerun()  # the whole page, so the refresh interval follows the new state
    c_next.button("Step forward", icon=":material/skip_next:", on_click=step, args=(1, epochs, key),
                  use_container_width=True, key="epochs_next")
    if c_speed.select_slider("Speed (epochs per second)", SPEEDS, value=speed, key="epochs_speed_widget") != speed:
        st.session_state[SPEED_KEY] = st.session_state["epochs_speed_widget"]
        st.rerun()
    epoch = st.select_slider("Epoch", epochs, key=key, format_func=lambda e: epoch_label(e, rows),
                             help="Every epoch with a sample grid; ⚠ marks an epoch the health checks flagged. "
                                  "The grid shows the same noise every epoch, so each cell is one face growing up.")
    show_flags(epoch, rows)
    left, right = st.columns([3, 2])
    with left:
        st.markdown(f"#### Generated · epoch {epoch}")
        show_grid(run, epoch, rows)
    with right:
        n = side * side or 16
        st.markdown(f"#### Real · {n} training images")
        try:
            montage = dataset_montage(open_dataset(view.dataset), n, 400)
        except UsageError:  # deleted, or damaged (the notice at the top says which)
            montage = None
        if montage is None:
            st.caption(f"The dataset {md_escape(view.dataset)} is not in the dataset store any more, or is damaged.")
        else:
            st.image(montage, caption=f"{view.dataset}: real images", width="content", output_format="PNG")


with tab_play:
    player()


# -- follow one sample ------------------------------------------------------------------------------------------
@st.cache_data(show_spinner=False, max_entries=64)
def strip_cells(paths: tuple[tuple[int, str, int], ...], index: int, side: int,
                res: int) -> tuple[list[bytes], list[str]]:
    """One cell of each readable grid, and its caption (a damaged grid is left out)."""
    cells, captions = [], []
    for epoch, path, mtime_ns in paths:
        image = _raw_grid(path, mtime_ns)
        if image is not None:
            cells.append(display_png(cell(image, index, side, res), STRIP_CELL_PX))
            captions.append(f"epoch {epoch}")
    return cells, captions


def outlined(image: np.ndarray, index: int, side: int, res: int, px: int = 240) -> np.ndarray:
    """The grid enlarged to about `px`, with a bright frame around cell `index` (which face is followed)."""
    factor = max(1, -(-px // max(image.shape[:2])))
    big = upscale(image, px).copy()
    r, c = divmod(index, side)
    y0, x0 = (GUTTER + r * (res + GUTTER)) * factor, (GUTTER + c * (res + GUTTER)) * factor
    y1, x1 = y0 + res * factor, x0 + res * factor
    t = max(2, factor)
    colour = np.array([255, 64, 64], np.uint8)
    big[max(y0 - t, 0):y0, max(x0 - t, 0):x1 + t] = colour
    big[y1:y1 + t, max(x0 - t, 0):x1 + t] = colour
    big[max(y0 - t, 0):y1 + t, max(x0 - t, 0):x0] = colour
    big[max(y0 - t, 0):y1 + t, x1:x1 + t] = colour
    return big


def subsample(epochs: list[int], limit: int = STRIP_MAX) -> list[int]:
    if len(epochs) <= limit:
        return epochs
    picks = np.unique(np.round(np.linspace(0, len(epochs) - 1, limit)).astype(int))
    return [epochs[i] for i in picks]


with tab_follow:
    epochs_all = run.sample_epochs()
    if not (side and res and epochs_all):
        st.info("This run has no sample grid yet.", icon=":material/hourglass_empty:")
    else:
        a, b = st.columns([1, 3])
        index = a.number_input("Sample (cell) number", 0, side * side - 1, 0, key=SAMPLE_KEY,
                               help=f"0 is the top left cell, counting along rows; the grid is {side} x {side}.")
        row_i, col_i = divmod(int(index), side)
        with a:
            latest = _raw_grid(str(run.sample_file(epochs_all[-1])), run.sample_file(epochs_all[-1]).stat().st_mtime_ns)
            if latest is None:
                st.warning(f"The grid of epoch {epochs_all[-1]} is damaged.", icon=":material/broken_image:")
            else:
                st.image(png(outlined(latest, int(index), side, res)), width="content", output_format="PNG",
                         caption=f"Cell {index} at epoch {epochs_all[-1]}")
        b.markdown(f"Cell **{index}**: row {row_i + 1}, column {col_i + 1}. The same noise vector at every epoch, "
                   "so this is one sample's life: from noise to a face.")
        shown = subsample(epochs_all)
        if len(shown) < len(epochs_all):
            st.caption(f"{len(shown)} of {len(epochs_all)} epochs, evenly spaced.")
        paths = tuple((e, str(run.sample_file(e)), run.sample_file(e).stat().st_mtime_ns) for e in shown
                      if run.sample_file(e).exists())
        cells, captions = strip_cells(paths, int(index), side, res)
        if cells:
            st.image(cells, caption=captions, width=STRIP_CELL_PX, output_format="PNG")


# -- new samples --------------------------------------------------------------------------------------------------
with tab_new:
    saved = run.weight_epochs()
    if not saved:
        st.info("This run has no saved generator yet, so there is nothing to draw new samples from.",
                icon=":material/hourglass_empty:")
    else:
        current = st.session_state.get(epoch_key(run.name))
        a, b, c = st.columns([2, 1, 1], vertical_alignment="bottom")
        g_epoch = a.select_slider("Generator of epoch", saved, value=nearest(saved, current), key="epochs_new_epoch",
                                  help="Epochs whose generator weights were saved (see --save-every).")
        seed = b.number_input("Seed", 0, 2**31 - 1, 1, key="epochs_new_seed")
        if c.button("New samples", icon=":material/casino:", key="epochs_new_go", use_container_width=True):
            from gan_core.models.saved import generate, load_generator, sample_z

            with st.spinner("Drawing..."):
                try:
                    generator, used = load_generator(run, g_epoch)
                    z = sample_z(max(side, 4) ** 2, int(cfg.get("latent_dim") or 100), int(seed))
                    st.session_state["epochs_new_image"] = (run.name, used, int(seed),
                                                            enlarged_png(grid(generate(generator, z), side or None),
                                                                         GRID_PX))
                except UsageError as exc:
                    st.error(str(exc))
        made = st.session_state.get("epochs_new_image")
        if made and made[0] == run.name:
            st.image(made[3], caption=f"Epoch {made[1]} · seed {made[2]} · fresh noise, not the fixed grid",
                     width="content", output_format="PNG")


# -- compare two runs -----------------------------------------------------------------------------------------------
with tab_compare:
    others = [v.name for v in views if v.name != run.name and v.sample_epochs]
    if wanted_other and wanted_other not in others and wanted_other != run.name:
        st.info(f"{wanted_other} has no sample grid yet (queued, or starting): it appears here once its first "
                f"epoch is saved.", icon=":material/schedule:")
    if wanted_other in others and "epochs_other" not in st.session_state:
        st.session_state["epochs_other"] = wanted_other
    if not others:
        st.info("Train a second run (for example the same data at a lower learning rate) to compare it here.",
                icon=":material/compare:")
    else:
        other_name = st.selectbox("Compare with", others, key="epochs_other")
        other = Run(other_name)
        shared = sorted(set(run.sample_epochs()) & set(other.sample_epochs()))
        if not shared:
            st.warning("These two runs have no epoch with a sample grid in common.")
        else:
            rows_a, rows_b = epoch_rows(run), epoch_rows(other)
            if st.session_state.get("epochs_shared") not in shared:
                st.session_state["epochs_shared"] = shared[-1]
            e = st.select_slider("Epoch (both runs)", shared, key="epochs_shared",
                                 format_func=lambda x: epoch_label(x, {**rows_a, **rows_b}))
            left, right = st.columns(2)
            for col, r, rows in ((left, run, rows_a), (right, other, rows_b)):
                with col:
                    c = r.config()
                    st.markdown(f"#### {md_escape(r.name)}")
                    st.caption(f"{models.of_run(c).title} · {md_escape(c.get('dataset', '?'))} · "
                               f"lr G {c.get('lr_g', '?')} · "
                               f"lr D {c.get('lr_d', '?')} · batch {c.get('batch_size', '?')}")
                    show_flags(e, rows)
                    show_grid(r, e, rows, px=480)


# -- timelapse export ------------------------------------------------------------------------------------------------
with tab_export:
    have = run.sample_epochs()
    if len(have) < 2:
        st.info("A timelapse needs at least two epochs with sample grids.", icon=":material/hourglass_empty:")
    else:
        lo, hi = st.select_slider("Epochs", have, value=(have[0], have[-1]), key="epochs_export_range")
        a, b, c, d = st.columns(4)
        fps = a.slider("Frames per second", 1, 30, 8, key="epochs_export_fps")
        size = b.select_slider("Size (pixels)", [128, 256, 384, 512, 768, 1024], value=512, key="epochs_export_size")
        hold = c.number_input("Hold last frame (s)", 0.0, 10.0, 2.0, 0.5, key="epochs_export_hold")
        one = d.checkbox("Only the followed sample", key="epochs_export_one",
                         help="Uses the cell number from 'Follow one sample'.")
        sample = int(st.session_state.get(SAMPLE_KEY, 0)) if one else None
        if st.button("Make timelapse (GIF and MP4)", icon=":material/movie:", type="primary", key="epochs_export_go"):
            bar = st.progress(0.0, text="Encoding...")
            films = {}
            with tempfile.TemporaryDirectory() as tmp:
                for k, ext in enumerate(("gif", "mp4")):
                    def progress(done, total, k=k, ext=ext):
                        bar.progress(min((k + done / total) / 2, 1.0), text=f"Encoding {ext.upper()}: frame "
                                                                            f"{done} of {total}")
                    out = Path(tmp) / f"{run.name}.{ext}"
                    try:
                        timelapse.export(run, out, lo, hi, fps, size, hold, sample, progress)
                    except UsageError as exc:
                        st.error(str(exc))
                        break
                    films[ext] = out.read_bytes()
            bar.progress(1.0, text="Done")
            suffix = f"-sample{sample}" if sample is not None else ""
            st.session_state["epochs_films"] = (run.name, f"{run.name}-e{lo}-{hi}{suffix}", films)
        made = st.session_state.get("epochs_films")
        if made and made[0] == run.name and made[2]:
            stem, films = made[1], made[2]
            a, b = st.columns(2)
            if "gif" in films:
                a.download_button(f"Download GIF ({len(films['gif']) // 1024} KB)", films["gif"], f"{stem}.gif",
                                  "image/gif", icon=":material/download:", on_click="ignore", key="epochs_dl_gif")
                a.image(films["gif"], caption="GIF preview")
            if "mp4" in films:
                b.download_button(f"Download MP4 ({len(films['mp4']) // 1024} KB)", films["mp4"], f"{stem}.mp4",
                                  "video/mp4", icon=":material/download:", on_click="ignore", key="epochs_dl_mp4")
                b.video(films["mp4"], format="video/mp4")
