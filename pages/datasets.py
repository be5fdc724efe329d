"""Datasets: every stored dataset as pictures, and the ways to add one (upload, a file on the server, built-in).

Reads the dataset store and calls `gan_core.datasets` (build, import, delete); no image work happens
here. Imports run in this script with a progress bar; "Stop the import" (or leaving the page) interrupts
them at the next progress update, and the dataset writer then throws the half-made dataset away.
Uploads are saved to a temporary folder that is deleted when the import ends, however it ends.
Every dataset downloads as an archive, and a run or dataset archive imports here (`ui/transfer.py`).
Building, importing and deleting sit behind the facilitator lock.
"""

import ui.preload  # noqa: F401  (first of all: ui/preload.py says why)

# isort: split
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import streamlit as st

from gan_core.core.errors import UsageError
from gan_core.core.media import grid
from gan_core.core.progress import duration
from gan_core.datasets.build import BUILD_RESOLUTIONS, build
from gan_core.datasets.builtin import BUILTIN
from gan_core.datasets.frames import FITS
from gan_core.datasets.importer import ImportCancelled, ImportStatus, import_images, import_videos, suggest_name
from gan_core.datasets.store import Dataset, delete_dataset
from gan_core.datasets.store import exists as dataset_exists
from gan_core.datasets.video import VIDEO_EXTENSIONS, probe
from gan_core.training.jobs import runs_using
from ui import lock
from ui.common import dataset_montage, datasets, enlarged_png, md_escape
from ui.page import setup
from ui.transfer import dataset_download_button, import_control

CARD_COLUMNS = 3
SAMPLE_COUNT, SAMPLE_SIDE = 40, 10  # the closer look: 10 x 4 real images, on one screen with the buttons
SHOW_SKIPPED = 200
PICTURE_TYPES = ["zip", "png", "jpg", "jpeg", "webp", "gif", "bmp", "tif", "tiff", "avif"]
VIDEO_TYPES = [e.lstrip(".") for e in VIDEO_EXTENSIONS if e != ".gif"]
FIT_LABELS = {"crop": "Crop the middle", "pad": "Pad the whole picture"}
FLASH_KEY, UPLOAD_GEN_KEY, SEED_KEY, TAB_KEY = "datasets_flash", "datasets_upload_gen", "datasets_seed", "datasets_tab"
CANCEL_KEY = "datasets_cancel"

setup("Datasets")


def flash(kind: str, text: str) -> None:
    """A message shown once, after the rerun that follows a change."""
    st.session_state[FLASH_KEY] = (kind, text)


def show_flash() -> None:
    kind, text = st.session_state.pop(FLASH_KEY, (None, None))
    if kind == "success":
        st.success(text, icon=":material/check_circle:")
        st.toast(text, icon=":material/check_circle:")
    elif kind:
        st.info(text, icon=":material/info:")


def colour(ds: Dataset) -> str:
    return "RGB" if ds.channels == 3 else "grey"


def how_made(ds: Dataset) -> str:
    """'2 frames per second, 90 s to 1260 s, near-duplicates left out, cropped' and the like."""
    how = ds.manifest.get("how_made") or {}
    bits = []
    if how.get("command") == "import-video":
        fps, every = how.get("fps"), how.get("every")
        bits.append(f"{fps:g} frame{'s' if fps != 1 else ''} per second" if fps else f"one frame in {every}")
        if how.get("start") or how.get("end") is not None:
            end = f"{how['end']:g} s" if how.get("end") is not None else "the end"
            bits.append(f"from {how.get('start') or 0:g} s to {end}")
        if how.get("skip_duplicates"):
            bits.append("near-duplicates left out")
    if how.get("fit"):
        bits.append("cropped to square" if how["fit"] == "crop" else "padded to square")
    if ds.manifest.get("kind") == "built-in":
        bits.append(f"built in, seed {how.get('seed', 0)}")
    return ", ".join(bits)


# -- a closer look ---------------------------------------------------------------------------------------
@st.cache_data(show_spinner=False, max_entries=16)
def _sample_grid(path: str, fingerprint: str, seed: int) -> bytes:
    """Up to SAMPLE_COUNT images in a random order (so even a small set reshuffles), in full rows."""
    ds = Dataset(Path(path))
    order = np.random.default_rng(seed).permutation(ds.count)[:SAMPLE_COUNT]
    rows = -(-len(order) // SAMPLE_SIDE)
    return enlarged_png(grid(ds.images(order), side=-(-len(order) // rows)), 1100)


def describe_source(source) -> str:
    if not isinstance(source, dict):
        return md_escape(source)
    text = f"**{md_escape(source.get('name'))}**"
    if "frames" in source:
        facts = [duration(source["duration"]) if source.get("duration") else None,
                 f"{source['width']}×{source['height']}" if source.get("width") else None]
        text += f": {source.get('kept', 0):,} of {source['frames']:,} frames kept" + "".join(
            f" · {f}" for f in facts if f)
    elif "files" in source:
        text += f": {source.get('kept', 0):,} of {source['files']:,} files kept"
    return text


def users_of(name: str) -> list[str]:
    """Runs queued or training on this dataset right now."""
    return [r.name for r in runs_using(name)]


@st.dialog("A closer look", width="large")
def closer_look(name: str) -> None:
    ds = next((d for d in datasets() if d.name == name), None)
    if ds is None:
        st.info(f"{md_escape(name)} is gone (deleted meanwhile).")
        return
    st.subheader(md_escape(ds.name), anchor=False)
    st.markdown(f"**{ds.count:,}** images · {ds.resolution} px · {colour(ds)}"
                + (f" · {how_made(ds)}" if how_made(ds) else ""))
    seed = st.session_state.get(SEED_KEY, 0)
    st.image(_sample_grid(str(ds.path), ds.fingerprint, seed), width="stretch", output_format="PNG",
             alt=f"A random sample of {ds.name}")
    if st.button("Shuffle", icon=":material/shuffle:", key="shuffle"):
        st.session_state[SEED_KEY] = seed + 1
        st.rerun(scope="fragment")
    sources = ds.manifest.get("sources") or [ds.manifest.get("source") or "unknown source"]
    st.markdown("From " + (describe_source(sources[0]) if len(sources) == 1 else
                           "\n" + "\n".join(f"- {describe_source(s)}" for s in sources)))
    skipped = ds.manifest.get("skipped") or []
    if skipped:
        with st.expander(f"{len(skipped):,} left out, and why", icon=":material/block:"):
            st.markdown("\n".join(f"- **{md_escape(s.get('name'))}**: {md_escape(s.get('reason'))}"
                                  for s in skipped[:SHOW_SKIPPED]))
            if len(skipped) > SHOW_SKIPPED:
                st.markdown(f"… and {len(skipped) - SHOW_SKIPPED:,} more: "
                            f"`python -m gan_core.datasets info {ds.name} --json` lists them all.")
    else:
        st.markdown("Nothing was left out.")
    if lock.can_change():
        delete_controls(ds)


def delete_controls(ds: Dataset) -> None:
    busy = users_of(ds.name)
    if busy:
        st.info(f"Training on it right now ({', '.join(busy)}): it can be deleted once that ends.",
                icon=":material/lock_clock:")
        return
    confirm_key = f"confirm-delete-{ds.name}"
    if not st.session_state.get(confirm_key):
        if st.button("Delete this dataset…", icon=":material/delete:", key="delete"):
            st.session_state[confirm_key] = True
            st.rerun(scope="fragment")
        return
    st.warning(f"Delete **{md_escape(ds.name)}** and its {ds.count:,} images? Runs trained on it keep their "
               "pictures, but cannot be resumed without it.", icon=":material/warning:")
    row = st.container(horizontal=True)
    if row.button(f"Yes, delete {ds.name}", type="primary", icon=":material/delete_forever:", key="delete-yes"):
        st.session_state.pop(confirm_key, None)
        try:
            delete_dataset(ds.name)
        except UsageError as exc:  # a run started on it since the page was drawn
            flash("error", str(exc))
        else:
            flash("success", f"Deleted {ds.name}.")
        st.rerun()
    if row.button("Keep it", key="delete-no"):
        st.session_state.pop(confirm_key, None)
        st.rerun(scope="fragment")


# -- the cards -------------------------------------------------------------------------------------------
def card(ds: Dataset) -> None:
    with st.container(border=True, key=f"dataset-{ds.name}"):
        st.subheader(md_escape(ds.name), anchor=False)
        montage = dataset_montage(ds)
        if montage is not None:
            st.image(montage, width="stretch", output_format="PNG", alt=f"Images from {ds.name}")
        skipped = len(ds.manifest.get("skipped") or [])
        st.markdown(f"**{ds.count:,}** images · {ds.resolution} px · {colour(ds)}"
                    + (f" · {skipped:,} left out" if skipped else "") + "  \n"
                    f"from {md_escape(ds.manifest.get('source') or 'unknown source')}")
        look, download = st.columns(2)
        if look.button("A closer look", icon=":material/zoom_in:", key=f"open-{ds.name}", width="stretch"):
            closer_look(ds.name)
        dataset_download_button(ds, download)


st.title("Datasets", anchor=False)
st.markdown("The pictures a GAN learns from. Import frames of a film, a folder or zip of pictures, or build "
            "one of the built-in sets; each becomes a set of small square images.")
show_flash()
stored = datasets()
if not stored:
    st.info("No datasets yet: add one below.", icon=":material/info:")
for start in range(0, len(stored), CARD_COLUMNS):
    for column, ds in zip(st.columns(CARD_COLUMNS, gap="medium"), stored[start : start + CARD_COLUMNS],
                          strict=False):
        with column:
            card(ds)


# -- adding a dataset ------------------------------------------------------------------------------------
class StreamlitProgress:
    """An `st.progress` bar fed by the importer (`ImportStatus`) or the builder (`update`/`close`)."""

    def __init__(self, total: int | None = None, what: str = "images"):
        self.bar = st.progress(0.0, text="Starting…")
        self.total, self.what, self.done = total, what, 0
        self._last = 0.0

    def __call__(self, status: ImportStatus) -> None:
        self.bar.progress(status.fraction, text=status.text())

    def update(self, n: int = 1) -> None:  # the built-in sets' progress protocol
        self.done += n
        now = time.monotonic()
        if now - self._last > 0.25 or self.done == self.total:
            self._last = now
            self.bar.progress(min(self.done / self.total, 1.0) if self.total else 0.0,
                              text=f"{self.done:,} of {self.total:,} {self.what}")

    def close(self) -> None:
        pass


def cancel_requested() -> None:
    """The Stop button's callback. Streamlit starts the next run at once and stops the importing one at its
    next progress update; the flag stops it sooner, at the next frame, and before it could publish."""
    st.session_state[CANCEL_KEY] = True
    flash("info", "Import stopped: nothing was stored.")


def common_options(prefix: str, suggested: str) -> dict | None:
    """Name, size and squaring; None while the name is not acceptable."""
    name = st.text_input("Name of the new dataset", value=suggested, key=f"{prefix}-name-{suggested}",
                         help="Letters, digits, '.', '_' or '-'; it becomes a folder name.")
    size, fit = st.columns(2)
    resolution = size.segmented_control("Size in pixels", BUILD_RESOLUTIONS, default=64, required=True,
                                        key=f"{prefix}-resolution", format_func=lambda r: f"{r} px")
    how = fit.segmented_control("Make it square by", FITS, default="crop", required=True, key=f"{prefix}-fit",
                                format_func=FIT_LABELS.get,
                                help="Crop keeps the middle square (good for film frames); pad keeps all of "
                                "the picture and fills the rest with its background colour (or black).")
    return named(prefix, name, resolution=resolution, fit=how)


def named(prefix: str, name: str, **options) -> dict | None:
    """Check the name; ask before replacing an existing dataset."""
    try:
        from gan_core.core.paths import check_name

        check_name(name, "dataset name")
    except UsageError as exc:
        st.error(str(exc), icon=":material/error:")
        return None
    replace = False
    if dataset_exists(name):
        if users_of(name):
            st.error(f"A dataset called **{md_escape(name)}** exists and is being trained on: pick another name.")
            return None
        st.warning(f"A dataset called **{md_escape(name)}** already exists.", icon=":material/warning:")
        replace = st.checkbox(f"Replace {name} with the new one", key=f"{prefix}-replace-{name}")
        if not replace:
            return None
    return {"name": name, "replace": replace, **options}


def video_options(prefix: str) -> dict:
    rate, start, end = st.columns(3)
    how = rate.radio("Keep", ["frames per second", "every Nth frame"], horizontal=True, key=f"{prefix}-how")
    if how == "frames per second":
        sampling = {"fps": rate.number_input("Frames per second", 0.05, 30.0, 1.0, 0.5, key=f"{prefix}-fps"),
                    "every": None}
    else:
        sampling = {"every": int(rate.number_input("Every Nth frame", 1, 10_000, 25, key=f"{prefix}-every")),
                    "fps": None}
    first = start.number_input("Start at (seconds)", 0.0, None, 0.0, 10.0, key=f"{prefix}-start",
                               help="Skip the intro of every video.")
    last = end.number_input("Stop at (seconds)", 0.0, None, None, 10.0, key=f"{prefix}-end",
                            placeholder="the end", help="Leave empty for the end; cut the credits of every video.")
    skip = st.toggle("Leave out near-duplicate frames (still scenes, title cards)", key=f"{prefix}-dupes")
    return {**sampling, "start": first, "end": last, "skip_duplicates": skip}


def run_import(kind: str, paths: list[Path], labels: list[str], options: dict) -> None:
    """Import with a progress bar and a Stop button; a flash message and a full rerun on success."""
    stop = st.empty()
    stop.button("Stop the import", icon=":material/stop:", key=f"stop-{kind}", on_click=cancel_requested)
    progress = StreamlitProgress()
    st.session_state[CANCEL_KEY] = False

    def stopped() -> bool:
        return bool(st.session_state.get(CANCEL_KEY))

    try:
        if kind == "video":
            ds = import_videos(paths, progress=progress, labels=labels, cancel=stopped, **options)
        else:
            ds = import_images(paths, progress=progress, labels=labels, cancel=stopped, **options)
    except ImportCancelled:
        stop.empty()
        progress.bar.empty()
        st.info("Import stopped: nothing was stored.", icon=":material/info:")
        return
    except UsageError as exc:
        stop.empty()
        progress.bar.empty()
        st.error(str(exc), icon=":material/error:")
        return
    skipped = len(ds.manifest.get("skipped") or [])
    flash("success", f"Imported {ds.name}: {ds.count:,} images in {duration(ds.manifest.get('seconds'))}"
          + (f" ({skipped:,} left out; see A closer look)." if skipped else "."))
    st.session_state[UPLOAD_GEN_KEY] = st.session_state.get(UPLOAD_GEN_KEY, 0) + 1  # empty the uploader
    st.rerun()


def size_text(mb: float) -> str:
    return f"{mb / 1024:g} GB" if mb >= 1024 else f"{mb:g} MB"


def upload_tab() -> None:
    limit_mb = st.get_option("server.maxUploadSize")
    st.markdown(f"Drop **videos**, a **zip** of pictures, or **several pictures** (PNG, JPEG, WebP, GIF, BMP). "
                f"Each file may be up to **{size_text(limit_mb)}**"
                + (" while the facilitator lock is on (a locked browser could otherwise fill the server's memory)"
                   if lock.enabled() else "")
                + "; the upload passes through the server's memory, so for a long film copy the file to the server "
                "and use the next tab.")
    uploads = st.file_uploader("Videos, a zip, or pictures", type=VIDEO_TYPES + PICTURE_TYPES,
                               accept_multiple_files=True, key=f"upload-{st.session_state.get(UPLOAD_GEN_KEY, 0)}")
    if not uploads:
        return
    videos = [u for u in uploads if Path(u.name).suffix.lower().lstrip(".") in VIDEO_TYPES]
    if videos and len(videos) < len(uploads):
        st.error("Upload either videos or pictures, not both at once.", icon=":material/error:")
        return
    kind = "video" if videos else "pictures"
    options = common_options("upload", suggest_name(uploads[0].name))
    extra = video_options("upload") if kind == "video" else {}
    noun = f"{len(uploads)} video{'s' if len(uploads) > 1 else ''}" if kind == "video" else (
        uploads[0].name if len(uploads) == 1 else f"{len(uploads)} files")
    if options is None:
        return
    if st.button(f"Import {noun}", type="primary", icon=":material/upload:", key="upload-go"):
        with tempfile.TemporaryDirectory(prefix="gan-upload-") as tmp:
            paths = []
            for i, upload in enumerate(uploads):
                path = Path(tmp) / f"{i:04d}{Path(upload.name).suffix.lower()}"  # never the user's own path
                upload.seek(0)
                with open(path, "wb") as f:
                    shutil.copyfileobj(upload, f, 2**20)
                paths.append(path)
            run_import(kind, paths, [u.name for u in uploads], {**options, **extra})


def server_tab() -> None:
    st.markdown("A video (or several, one per line), a folder of pictures or a zip **on the computer running "
                "this app**: no upload, no size limit. The import streams, so an hour-long film is fine.")
    text = st.text_area("Paths on the server", key="server-paths", height=100,
                        placeholder="/home/me/films/episode1.mkv")
    paths = [Path(line.strip()).expanduser() for line in text.splitlines() if line.strip()]
    if not paths:
        return
    missing = [p for p in paths if not p.exists()]
    if missing:
        st.error(f"Not found on the server: {', '.join(str(p) for p in missing)}", icon=":material/error:")
        return
    pictures = [p for p in paths if p.is_dir() or p.suffix.lower().lstrip(".") in PICTURE_TYPES]
    if pictures and len(pictures) < len(paths):
        st.error("Give either videos or pictures (folders, zips), not both at once.", icon=":material/error:")
        return
    kind = "pictures" if pictures else "video"
    if kind == "video":
        try:
            infos = [probe(p) for p in paths]
        except UsageError as exc:
            st.error(str(exc), icon=":material/error:")
            return
        st.markdown("\n".join(f"- **{md_escape(i.name)}**: {duration(i.duration)} · {i.width}×{i.height} · "
                              f"{i.fps or 0:.3g} frames/s · {i.codec}" for i in infos))
    options = common_options("server", suggest_name(paths[0].name))
    extra = video_options("server") if kind == "video" else {}
    if options is not None and st.button("Import", type="primary", icon=":material/input:", key="server-go"):
        run_import(kind, paths, [p.name for p in paths], {**options, **extra})


def builtin_tab() -> None:
    st.markdown("Made on the spot, no download: pick one, a number of images and a size.")
    kind = st.selectbox("Built-in set", list(BUILTIN), key="build-kind")
    spec = BUILTIN[kind]
    st.markdown(f"{spec.description}  \n*{'RGB' if spec.channels == 3 else 'grey'}, from {spec.source}*")
    count_col, size_col = st.columns(2)
    count = count_col.number_input("How many images", 1, spec.max_count or 200_000, spec.default_count, 100,
                                   key=f"build-count-{kind}")
    resolution = size_col.segmented_control("Size in pixels", BUILD_RESOLUTIONS, default=64, required=True,
                                            key="build-resolution", format_func=lambda r: f"{r} px")
    name = st.text_input("Name of the new dataset", value=kind, key=f"build-name-{kind}")
    options = named("build", name)
    if options is not None and st.button(f"Build {count:,} images", type="primary", icon=":material/build:",
                                         key="build-go"):
        progress = StreamlitProgress(int(count))
        try:
            ds = build(kind, count=int(count), resolution=int(resolution), name=options["name"],
                       replace=options["replace"], progress=progress)
        except UsageError as exc:
            progress.bar.empty()
            st.error(str(exc), icon=":material/error:")
            return
        flash("success", f"Built {ds.name}: {ds.count:,} images at {ds.resolution} px.")
        st.rerun()


st.header("Add a dataset", anchor=False, divider="gray")
if not lock.can_change():
    lock.explain_locked("build, import or delete datasets")
else:
    # the open tab is remembered (it stays open after an import reruns the page); only it is drawn
    tabs = {"Upload": upload_tab, "From the server": server_tab, "Built-in sets": builtin_tab}
    for tab, draw in zip(st.tabs(list(tabs), key=TAB_KEY, on_change="rerun"), tabs.values(), strict=True):
        if tab.open:
            with tab:
                draw()


st.header("Import a run or dataset archive", anchor=False, divider="gray")
if not lock.can_change():
    lock.explain_locked("import runs or datasets")
else:
    import_control(flash)
