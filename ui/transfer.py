"""The pages' side of moving runs and datasets between machines (`gan_core.transfer`): download and import.

A download button makes its archive only when clicked (Streamlit calls the function on its own thread), in a
temporary file that is read and deleted at once; nothing is kept in memory between clicks. Streamlit holds a
download in memory while the browser fetches it, so items larger than `DOWNLOAD_LIMIT_MB` show the command
line instead. Importing is a state change: the Datasets page draws the uploader only behind the facilitator lock.
"""

import tempfile
import zipfile
from pathlib import Path

import streamlit as st

from gan_core.core.errors import UsageError
from gan_core.core.paths import check_name
from gan_core.core.runs import Run
from gan_core.transfer import default_file_name, export_dataset, export_run, import_archive
from gan_core.transfer.archive import read_manifest
from ui.common import md_escape

DOWNLOAD_LIMIT_MB = 1024
ACTIVE = ("running", "queued")


def _size_mb(paths: list[Path]) -> float:
    return sum(p.stat().st_size for p in paths if p.is_file()) / 2**20


def _made_on_click(kind: str, name: str):
    """The archive's bytes, made when the button is clicked (an error becomes a short text file, not a crash)."""
    def make() -> bytes:
        with tempfile.TemporaryDirectory(prefix="gan-download-") as tmp:
            out = Path(tmp) / default_file_name(kind, name)
            try:
                (export_run if kind == "run" else export_dataset)(name, out)
            except (UsageError, OSError) as exc:
                return f"The archive could not be made: {exc}\n".encode()
            return out.read_bytes()
    return make


def run_download_button(run: Run, state: str, container=st) -> None:
    """'Download this run (34 MB)', with its training state so it resumes elsewhere; not while it trains."""
    from gan_core.transfer.export import run_members

    try:
        size = _size_mb([run.path / m for m in run_members(run)])
    except UsageError:
        size = None
    if state in ACTIVE:
        container.button("Download this run", icon=":material/download:", disabled=True, key="download-run",
                         help="A run can be downloaded once it has stopped or finished.")
    elif size is None or size > DOWNLOAD_LIMIT_MB:
        container.caption(f"Too large to download here: `python -m gan_core.transfer export-run {run.name}`")
    else:
        label = f"Download this run ({size:,.0f} MB)" if size >= 1 else "Download this run"
        container.download_button(
            label, _made_on_click("run", run.name), default_file_name("run", run.name), "application/zip",
            icon=":material/download:", on_click="ignore", key="download-run",
            help="Everything to open it on another machine and to resume training there: settings, logs, every "
            "grid, the saved generators and the training state (`python -m gan_core.transfer import FILE`, or the "
            "Datasets page's archive import).")


def dataset_download_button(ds, container=st) -> None:
    size = _size_mb(ds.shard_files())
    if size > DOWNLOAD_LIMIT_MB:
        container.caption(f"Too large to download here: `python -m gan_core.transfer export-dataset {ds.name}`")
        return
    container.download_button(
        "Download", _made_on_click("dataset", ds.name), default_file_name("dataset", ds.name), "application/zip",
        icon=":material/download:", on_click="ignore", key=f"download-{ds.name}", width="stretch",
        help=f"{ds.name} as one archive ({size:,.1f} MB), to import on another machine.")


def import_control(flash) -> None:
    """One uploader for a run or a dataset archive: what is in it, under which name, and the import."""
    st.markdown("A **run** (to scrub, explore and resume here) or a **dataset**, as downloaded from this app "
                "or made with `python -m gan_core.transfer export-run|export-dataset`.")
    generation = st.session_state.get("archive-upload-gen", 0)
    upload = st.file_uploader("A run or dataset archive (.zip)", type=["zip"], key=f"archive-upload-{generation}")
    if upload is None:
        return
    try:
        with zipfile.ZipFile(upload) as z:
            manifest = read_manifest(z, upload.name)
    except zipfile.BadZipFile:
        st.error(f"{upload.name} is not a readable zip archive.", icon=":material/error:")
        return
    except UsageError as exc:
        st.error(str(exc), icon=":material/error:")
        return
    kind = manifest.kind
    st.markdown(f"A **{kind}**, *{md_escape(manifest.name)}*: {len(manifest.members):,} files, "
                f"{manifest.total_bytes / 2**20:,.1f} MB, made by GAN Explorer {md_escape(manifest.code_version)} "
                f"on {md_escape(manifest.created.replace('T', ' ')[:16])} UTC"
                + ("" if kind != "run" or manifest.with_state is not False else " (without its training state: it "
                   "can be viewed, not resumed)") + ".")
    name = st.text_input(f"Name of the {kind} here", value=manifest.name, key=f"archive-name-{generation}",
                         help="Letters, digits, '.', '_' or '-'; it becomes a folder name.")
    try:
        check_name(name, f"{kind} name")
    except UsageError as exc:
        st.error(str(exc), icon=":material/error:")
        return
    replace = False
    if Run(name).exists() if kind == "run" else _dataset_exists(name):
        st.warning(f"A {kind} called **{md_escape(name)}** already exists.", icon=":material/warning:")
        replace = st.checkbox(f"Replace {name} with the one in the archive", key=f"archive-replace-{name}")
        if not replace:
            return
    if not st.button(f"Import the {kind}", type="primary", icon=":material/unarchive:", key="archive-go"):
        return
    bar = st.progress(0.0, text="Checking the archive…")

    def progress(done: int, total: int) -> None:
        half = "Checking" if done * 2 <= total else "Writing"
        bar.progress(min(done / max(total, 1), 1.0), text=f"{half}: {done / 2**20:,.0f} of {total / 2**20:,.0f} MB")

    with tempfile.TemporaryDirectory(prefix="gan-upload-") as tmp:
        path = Path(tmp) / "archive.zip"  # never the user's own file name as a path
        upload.seek(0)
        with open(path, "wb") as f:
            while chunk := upload.read(2**20):
                f.write(chunk)
        try:
            kind, name = import_archive(path, name=name, replace=replace, progress=progress)
        except UsageError as exc:
            bar.empty()
            st.error(str(exc).replace("archive.zip", upload.name), icon=":material/error:")
            return
    where = "the Epochs page and every other page" if kind == "run" else "the list above"
    flash("success", f"Imported the {kind} {name} from {upload.name}: it is on {where}.")
    st.session_state["archive-upload-gen"] = generation + 1  # empty the uploader
    st.rerun()


def _dataset_exists(name: str) -> bool:
    from gan_core.datasets.store import exists

    return exists(name)
