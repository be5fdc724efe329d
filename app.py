"""GAN Explorer's home page: what this is, which device trains, every run and every dataset at a glance.

It only reads run directories and the dataset store (no ML here; TensorFlow is loaded by ui.preload, once per
server, for every page); the runs panel
refreshes itself every couple of seconds while a run is queued or training (every ten seconds
otherwise), and the whole page redraws when a run or dataset appears or goes.
"""

import ui.preload  # noqa: F401  (first of all: ui/preload.py says why)

# isort: split
import streamlit as st

from gan_core.core.errors import UsageError
from gan_core.core.progress import duration
from gan_core.datasets.build import build
from gan_core.datasets.builtin import BUILTIN
from gan_core.datasets.store import Dataset
from gan_core.datasets.store import exists as dataset_exists
from gan_core.training import jobs
from ui import lock
from ui.common import (
    BUILD_DEMO_DATA,
    RunView,
    dataset_montage,
    datasets,
    demo_commands,
    device_info,
    grid_image,
    md_escape,
    run_views,
    state_badge,
)
from ui.page import setup
from ui.presets import QUICK_DEMO, cli_args, unique_run_name
from ui.progress import BarProgress

ACTIVE_REFRESH_S = 2  # while something trains
IDLE_REFRESH_S = 10  # otherwise, so a run started from a terminal still shows up
RUN_COLUMNS = 3
HERO_PX = 460  # the header picture: large, yet the runs still start on the first screen
DATASET_COLUMNS = 4

setup("Home")



def on_disk(views: list[RunView]) -> tuple:
    """What the page layout depends on: which runs and datasets exist, and whether anything trains."""
    return tuple(v.name for v in views), any(v.active for v in views), tuple(d.name for d in datasets())


runs_at_start = run_views()
layout_key = on_disk(runs_at_start)
refresh = ACTIVE_REFRESH_S if layout_key[1] else IDLE_REFRESH_S


# -- header: what this is, the device, one picture ----------------------------------------------------
def hero_source(views: list[RunView]) -> tuple[RunView | None, Dataset | None]:
    """The newest run that has a sample grid; else the cartoon-faces dataset if stored; else nothing."""
    for view in views:
        if view.latest_sample is not None:
            return view, None
    return None, next((d for d in datasets() if d.name == "cartoon-faces"), None)


@st.fragment(run_every=refresh)
def hero_picture() -> None:
    view, faces = hero_source(run_views())
    box = st.container(horizontal_alignment="right")  # line the picture up with the page's right edge
    if view is not None and (image := grid_image(view.latest_sample, max_px=HERO_PX)) is not None:
        box.image(image, width=HERO_PX, output_format="PNG", alt=f"Latest samples of {view.name}")
        box.markdown(f"**{md_escape(view.name)}** at epoch {view.sample_epochs[-1]} of {view.epochs}",
                     width=HERO_PX)
    elif faces is not None and (image := dataset_montage(faces, max_px=HERO_PX)) is not None:
        box.image(image, width=HERO_PX, output_format="PNG", alt="Real images from cartoon-faces")
        box.markdown("Real images from **cartoon-faces**, the built-in demo set", width=HERO_PX)


if any(hero_source(runs_at_start)):
    intro, picture = st.columns([3, 2], gap="large", vertical_alignment="center")
else:
    intro, picture = st.container(), None
with intro:
    st.title("GAN Explorer", anchor=False)
    st.markdown(
        "#### Watch a generative adversarial network learn to draw.\n"
        "Train a DCGAN on film frames, doodles or a built-in set, then scrub through the epochs and "
        "see pictures emerge from noise."
    )
    device = device_info()
    st.markdown(f"**{device.text}**")
    if device.kind == "CPU":
        st.warning(
            "No GPU found: training on the CPU is for small demos. "
            "A 32 px run takes minutes; larger pictures want a GPU.",
            icon=":material/speed:",
        )
if picture is not None:
    with picture:
        hero_picture()


# -- runs ---------------------------------------------------------------------------------------------
def run_card(view: RunView) -> None:
    with st.container(border=True, key=f"run-{view.name}"):
        st.subheader(md_escape(view.name), anchor=False)
        size = f" · {view.config['resolution']} px" if view.config.get("resolution") else ""
        st.markdown(f"{state_badge(view.state)} &nbsp; epoch **{view.epoch}** of **{view.epochs}**  \n"
                    f"{md_escape(view.dataset)}{size}")
        if view.state == "running":
            rate = view.status.get("images_per_sec")
            eta = view.status.get("eta_seconds")
            bits = [f"{rate:,.0f} images/s" if rate else "starting", f"about {duration(eta)} left" if eta else ""]
            st.progress(view.progress)
            st.markdown(" · ".join(b for b in bits if b))
        elif view.state == "failed" and view.status.get("error"):
            st.error(view.status["error"], icon=":material/error:")
        image = grid_image(view.latest_sample) if view.latest_sample else None
        if image is not None:
            st.image(image, width="stretch", output_format="PNG",
                     alt=f"Sample grid of {view.name}, epoch {view.sample_epochs[-1]}")
        else:
            st.markdown("No sample grid yet.")


def start_quick_demo() -> None:
    """Build cartoon-faces if needed, start the quick-demo run, and go and watch it."""
    if not dataset_exists("cartoon-faces"):
        bar = st.progress(0.0, text="Drawing 2,000 cartoon faces...")
        build("cartoon-faces", count=2000, resolution=32, progress=BarProgress(bar, 2000, "faces"))
    settings = {**QUICK_DEMO, "run": unique_run_name(QUICK_DEMO["run"])}
    try:
        jobs.start(cli_args(settings), settings["run"])
    except UsageError as exc:
        st.error(str(exc))
        return
    st.switch_page("pages/train.py")


@st.fragment(run_every=refresh)
def runs_panel(drawn_for: tuple) -> None:
    views = run_views()
    if on_disk(views) != drawn_for:
        # a run or dataset came or went, or training started or ended: redraw the whole page (header
        # picture, datasets) and pick the matching refresh rate
        st.rerun()
    if not views:
        st.info("No training runs yet. Start the quick demo: it draws 2,000 cartoon faces and trains a GAN on "
                "them (a few minutes on a CPU), and you can watch it learn on the Train page.", icon=":material/info:")
        if lock.can_change():
            if st.button("Start the quick demo", type="primary", icon=":material/play_arrow:"):
                start_quick_demo()
        else:
            lock.explain_locked("start training")
        st.markdown("Or from a terminal in the project folder:")
        st.code(demo_commands(), language="bash")
        return
    for start in range(0, len(views), RUN_COLUMNS):
        for column, view in zip(st.columns(RUN_COLUMNS, gap="medium"), views[start : start + RUN_COLUMNS],
                                strict=False):
            with column:
                run_card(view)


st.header("Runs", anchor=False, divider="gray")
runs_panel(layout_key)


# -- datasets -----------------------------------------------------------------------------------------
st.header("Datasets", anchor=False, divider="gray")
stored = datasets()
if not stored:
    st.info("No datasets yet. Build a built-in set or import a film or pictures on the Datasets page, or from "
            "a terminal:", icon=":material/info:")
    st.page_link("pages/datasets.py", label="Go to Datasets", icon=":material/photo_library:")
    st.code(BUILD_DEMO_DATA, language="bash")
    others = ", ".join(f"**{md_escape(name)}**" for name in BUILTIN if name != "cartoon-faces")
    st.markdown(f"Also built in, the same way: {others}.")
for start in range(0, len(stored), DATASET_COLUMNS):
    for column, ds in zip(st.columns(DATASET_COLUMNS, gap="medium"), stored[start : start + DATASET_COLUMNS],
                          strict=False):
        with column, st.container(border=True, key=f"dataset-{ds.name}"):
            st.subheader(md_escape(ds.name), anchor=False)
            montage = dataset_montage(ds)
            if montage is not None:
                st.image(montage, width="stretch", output_format="PNG", alt=f"Images from {ds.name}")
            colour = "RGB" if ds.channels == 3 else "grey"
            st.markdown(f"**{ds.count:,}** images · {ds.resolution} px · {colour}  \n"
                        f"from {md_escape(ds.manifest.get('source') or 'unknown source')}")
if len(stored) >= 2:
    st.page_link("pages/compare.py", label="Compare how visually complex they are, and what their GANs made of them",
                 icon=":material/compare:")
