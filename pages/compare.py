"""Compare films: how visually complex each dataset is, and what its GANs became, side by side.

Why a flat cartoon trains into recognisable frames while a visually rich film stays abstract: established
measures of visual complexity on a sample of each dataset's frames (`gan_core.complexity`, cached per
dataset version), one composite score, charts of every measure, a montage per dataset, and beside each
dataset its runs' newest grids and sample diversity.
"""

import ui.preload  # noqa: F401  (first of all: ui/preload.py says why)

# isort: split
import json
import threading

import streamlit as st

from gan_core.complexity import EXPLANATION, MEASURES, cached, profile, ranked
from gan_core.complexity.profile import DEFAULT_SAMPLE, EVIDENCE
from gan_core.complexity.verdict import by_variety, faster
from gan_core.core.errors import UsageError
from ui import lock
from ui.common import dataset_montage, datasets, grid_image, md_escape, run_views
from ui.compare import colours, gan_results, measure_bars, outcome_figure, radar_figure, scored_points
from ui.page import setup

SAMPLE_SIZES = [250, 500, 1000, 2000, 5000]
MAX_COMPARED = 6
MAX_RUNS_SHOWN = 2
PICK_KEY, SAMPLE_KEY, SEED_KEY = "compare_datasets", "compare_sample", "compare_seed"
# a locked session measures without writing the shared cache file; it keeps its results in its session
MEASURED_KEY = "compare_measured"


def pick_datasets(available: list, views: list) -> tuple[list[str], int, int]:
    """The datasets to compare (at least two), frames measured per dataset, and the seed choosing them."""
    names = [d.name for d in available]
    if PICK_KEY not in st.session_state:  # a link may name the datasets; else the most recently trained, then any
        wanted = [n for n in st.query_params.get_all("dataset") if n in names]
        trained = [v.dataset for v in views if v.dataset in names]
        st.session_state[PICK_KEY] = (wanted if len(wanted) >= 2
                                      else list(dict.fromkeys([*wanted, *trained, *names]))[:2])
    st.session_state[PICK_KEY] = [n for n in st.session_state[PICK_KEY] if n in names]  # one may have been deleted
    c1, c2, c3 = st.columns([6, 2, 1], vertical_alignment="bottom")
    selected = c1.multiselect("Datasets to compare", names, key=PICK_KEY, max_selections=MAX_COMPARED,
                              placeholder="Pick two or more datasets",
                              help="A film imported on the Datasets page, the built-in sets, your own pictures.")
    sample = c2.select_slider("Frames measured per dataset", SAMPLE_SIZES, value=DEFAULT_SAMPLE, key=SAMPLE_KEY,
                              help="Chosen at random (all of them if a dataset has fewer). More frames: steadier "
                                   "numbers, slower the first time; results are kept until the dataset changes.")
    seed = int(c3.number_input("Seed", 0, 2**31 - 1, 0, key=SEED_KEY, help="Which frames are chosen."))
    if len(selected) < 2:
        st.info("Pick at least two datasets above to compare them.", icon=":material/arrow_upward:")
        st.stop()
    return selected, sample, seed


@st.cache_resource(show_spinner=False)
def measuring(name: str, sample: int, seed: int) -> threading.Lock:
    """One measurement at a time per dataset and settings: when a room opens Compare on a dataset not measured
    yet, one session measures and the others read its cached result (every session measuring for itself was
    43 % of the server's work with thirty on the pages; benchmarks/LOG.md "A room of thirty")."""
    return threading.Lock()


def measure(selected: list[str], sample: int, seed: int) -> dict:
    """Every dataset's ranked profile: cached ones at once, the rest measured here with a progress bar."""
    measured_here = st.session_state.setdefault(MEASURED_KEY, {})
    profiles = {name: cached(name, sample=sample, seed=seed) or measured_here.get((name, sample, seed))
                for name in selected}
    missing = [name for name, found in profiles.items() if found is None]
    if missing:
        bar = st.progress(0.0, text="Measuring…")
        for i, name in enumerate(missing):
            def show(fraction: float, text: str, i=i, name=name) -> None:
                bar.progress(min((i + fraction) / len(missing), 1.0),
                             text=f"Measuring **{md_escape(name)}** ({i + 1} of {len(missing)}): {text}")
            try:
                # the cache is a shared file in the dataset's folder: only an unlocked session writes it
                with measuring(name, sample, seed):
                    profiles[name] = cached(name, sample=sample, seed=seed) or profile(
                        name, sample=sample, seed=seed, progress=show, store=lock.can_change())
                measured_here[(name, sample, seed)] = profiles[name]
            except UsageError as exc:
                st.error(f"Could not measure {name}: {exc}", icon=":material/error:")
                st.stop()
        bar.empty()
    return ranked(profiles)


def side_by_side(results: dict, by_name: dict, gans: dict) -> None:
    """A card per dataset, the one that should learn fastest first: variety, score, frames, what its GANs made."""
    st.markdown("#### From quickest to learn to slowest")
    st.markdown(f"**{md_escape(faster(results))}**")
    st.caption(f"{EVIDENCE} {EXPLANATION}")
    sizes = sorted({r["resolution"] for r in results.values()})
    if len(sizes) > 1:
        st.warning(f"These datasets are stored at different sizes ({', '.join(f'{s} px' for s in sizes)}). Every "
                   "measure depends on the size of the frames, so compare sets stored at the same resolution "
                   "where you can.", icon=":material/warning:")
    for col, name in zip(st.columns(len(results)), results, strict=True):
        r, ds = results[name], by_name[name]
        with col.container(border=True):
            st.markdown(f"### {md_escape(name)}")
            place = list(results).index(name) + 1
            pace = ("should learn fastest" if place == 1 else "should learn slowest" if place == len(results)
                    else f"{place} of {len(results)} to learn")
            st.metric("Variety between frames", f"{r['intrinsic_dimension']:.0f} ways", pace, delta_color="off",
                      delta_arrow="off", help=MEASURES["intrinsic_dimension"].what + " The fewer, the sooner a GAN "
                      "learns the set (docs/complexity.md, Learnability).")
            label = ("most complex" if r["rank"] == 1 else "simplest" if r["rank"] == len(results)
                     else f"rank {r['rank']} of {len(results)}")
            st.metric("Complexity", f"{r['complexity']:.0f} / 100", label, delta_color="off", delta_arrow="off")
            montage = dataset_montage(ds, 16, 400)
            if montage is not None:
                st.image(montage, width="stretch", output_format="PNG", alt=f"Frames of {name}")
            kind = {"video": "video frames", "built-in": "built-in pictures"}.get(r["kind"], "pictures")
            st.caption(f"{r['count']:,} {kind} at {r['resolution']} px · {r['sample_size']:,} measured")
            gan_cards(name, gans[name])
    st.caption("Under each run: what it reached at its newest scored epoch, measured against its own dataset's "
               "real frames. Pass as real: the share of its samples whose nearest neighbour is a real frame, "
               "about 50% when they mingle with the data; it reads the same on every dataset, so it compares "
               "films. KID: 0 = indistinguishable, lower is better, but scaled by each dataset's own variety, so "
               "compare it between runs of one dataset; precision: the share of its samples that look real; "
               "coverage: the share of real frames it has learnt to draw something like.")


def gan_cards(name: str, runs: list) -> None:
    st.markdown("**Its GANs**")
    if not runs:
        st.caption("No run trained on it yet.")
        st.page_link("pages/train.py", label="Train one", icon=":material/model_training:",
                     query_params={"dataset": name})
    for gan in runs[:MAX_RUNS_SHOWN]:
        image = grid_image(gan.view.latest_sample, 360)
        if image is not None:
            st.image(image, width="stretch", output_format="PNG", alt=f"Samples of run {gan.view.name}")
        st.markdown(f"Run **{md_escape(gan.view.name)}**, epoch {gan.view.sample_epochs[-1]}: {gan.summary}")
        st.page_link("pages/epochs.py", label="Watch it learn", icon=":material/slow_motion_video:",
                     query_params={"run": gan.view.name})
    if len(runs) > MAX_RUNS_SHOWN:
        st.caption(f"and {len(runs) - MAX_RUNS_SHOWN} more run(s) on this dataset")


def charts(results: dict, gans: dict, palette: dict) -> None:
    """The measures as pictures: a radar, complexity against the GANs' diversity, and bars per measure."""
    st.divider()
    left, right = st.columns([2, 3])
    with left:
        st.markdown("#### Every measure at once")
        st.caption("Each axis is scaled to the largest value among these datasets: the bigger the shape, the more "
                   "complex. Hover for the values.")
        st.plotly_chart(radar_figure(results, palette), key="compare_radar", width="stretch")
    with right:
        st.markdown("#### Variety between frames and what the GAN made of it")
        if any(g.diversity is not None for runs in gans.values() for g in runs):
            st.caption("Each dot is a run, placed at its dataset's variety between frames and the diversity of its "
                       "newest scored samples (compared with the real frames' own); bigger dots: more frames to "
                       "learn from.")
            st.plotly_chart(outcome_figure(results, scored_points(gans), palette), key="compare_outcome",
                            width="stretch")
        else:
            st.info("None of these datasets has a scored run yet. Train on them (same settings for a fair race) "
                    "and their sample diversity appears here.", icon=":material/info:")
    st.markdown("#### Each measure")
    st.plotly_chart(measure_bars(results, palette), key="compare_bars", width="stretch")


def definitions(results: dict, sample: int, seed: int) -> None:
    with st.expander("What each measure means, and how it was measured"):
        st.markdown("\n".join(f"- **{m.label}** ({m.unit}){'' if m.in_composite else ', not in the score'}: "
                              f"{m.what}" for m in MEASURES.values()))
        st.markdown(
            f"Measured on {sample:,} frames chosen at random per dataset (seed {seed}; all of them when a dataset "
            "has fewer), at the size they are stored. SI and TI are ITU-T P.910's, on brightness: the median frame "
            "(P.910's maximum over frames is in the JSON); TI compares each chosen frame with the next kept frame "
            "of the same video, so for a film imported at 2 frames per second it is the change over half a "
            "second. Intrinsic dimensionality is found on the chosen frames shrunk to at most 32 x 32 pixels. "
            "Colourfulness follows Hasler and Süsstrunk (2003). Terminal: "
            f"`python -m gan_core.complexity {' '.join(results)} --sample {sample} --json`")
        st.download_button("Download the measures (JSON)", json.dumps(results, indent=2, sort_keys=True),
                           file_name="complexity.json", mime="application/json", icon=":material/download:",
                           on_click="ignore")


# -- the page ------------------------------------------------------------------------------------------
setup("Compare films")
st.title("Compare films", anchor=False)
st.caption("Why does a flat-coloured cartoon train into recognisable frames while a visually rich film stays "
           "abstract? Measure how complex each dataset's frames are, and see what its GANs made of them.")
available = datasets()
if len(available) < 2:
    st.info("Comparing needs at least two datasets. Import a film or a folder of pictures on the Datasets "
            "page, or build the built-in sets from a terminal in the project folder:", icon=":material/info:")
    st.page_link("pages/datasets.py", label="Go to the Datasets page", icon=":material/photo_library:")
    st.code("python -m gan_core.datasets build cartoon-faces --count 2000 --resolution 32\n"
            "python -m gan_core.datasets build photo-patches --count 2000 --resolution 32", language="bash")
    st.stop()
views = run_views()
selected, sample, seed = pick_datasets(available, views)
measured = measure(selected, sample, seed)
results = {n: measured[n] for n in by_variety(measured)}  # the one that should learn fastest first
gans = {name: gan_results(views, name) for name in selected}
side_by_side(results, {d.name: d for d in available}, gans)
charts(results, gans, colours(selected))
definitions(results, sample, seed)
