"""Training curves: read how a run trained, where it went wrong, and compare runs.

G and D losses per step (smoothed, raw faint behind), D(x) and D(G(z)), the per-epoch sample scores
(diversity, precision, recall, density, coverage) and KID, the distance to the real pictures; epoch
boundaries, flags as markers and as banners in plain words; several runs overlaid by epoch or by images
seen; the sample grid of a clicked epoch beside the plot; CSV.
It only reads run directories (`ui.curves`), except "Score an epoch now", which loads that epoch's
generator. The chart refreshes itself while a selected run trains.
"""


import ui.preload  # noqa: F401  (first of all: ui/preload.py says why)

# isort: split
import pandas as pd
import streamlit as st

from gan_core.core.errors import UsageError
from gan_core.core.runs import Run
from gan_core.metrics.health import FLAGS
from ui.common import grid_image, md_escape, run_views, skipped_lines_notice, stop_without_runs
from ui.curves import DISTANCE_HELP, X_MODES, CurveData, epochs_csv, load_curves, shared_curves_figure, steps_csv
from ui.page import setup

LIVE_REFRESH_S = 3
GRID_PX = 560
MAX_GRIDS = 4
RUNS_KEY, EPOCH_KEY, CHART_KEY, CLICK_KEY = "curves_runs", "curves_epoch", "curves_chart", "curves_last_click"

setup("Training curves")
st.title("Training curves", anchor=False)
views = run_views()
if not views:
    stop_without_runs("there are no curves to show")


# -- which runs, and how to draw them ---------------------------------------------------------------------
names = [v.name for v in views]
if RUNS_KEY not in st.session_state:
    wanted = [n for n in st.query_params.get_all("run") if n in names]
    st.session_state[RUNS_KEY] = wanted or names[:1]
st.session_state[RUNS_KEY] = [n for n in st.session_state[RUNS_KEY] if n in names]  # a run may have gone
selected = st.multiselect("Runs", names, key=RUNS_KEY, placeholder="Pick one or more runs",
                          help="Pick several to overlay their curves, e.g. the same data at two learning rates.")
if not selected:
    st.info("Pick a run above to see its curves.", icon=":material/arrow_upward:")
    st.stop()

c1, c2, c3, c4 = st.columns([3, 4, 2, 2], vertical_alignment="bottom")
x_mode = c1.radio("Align by", list(X_MODES), format_func=lambda m: X_MODES[m].capitalize(), horizontal=True,
                  key="curves_x", help="Images seen = steps x batch size: fair between runs with other "
                                       "batch sizes or dataset sizes.")
smoothing = c2.slider("Smoothing (moving average, logged points)", 1, 50, 5, key="curves_smoothing",
                      help="Each logged point already averages a few training steps; the raw values stay "
                           "faint behind the smoothed lines.")
log_y = c3.toggle("Log scale", key="curves_log", help="For losses that span orders of magnitude.")
show_scores = c4.toggle("Sample scores", value=True, key="curves_scores",
                        help="Diversity, precision, recall, density and coverage per scored epoch, and KID, the "
                             "distance to the real pictures. " + DISTANCE_HELP)


# -- banners: what went wrong, in plain words ----------------------------------------------------------------
def _epochs_text(epochs: list[int]) -> str:
    spans, start = [], None
    for k, e in enumerate(epochs):
        start = e if start is None else start
        if k + 1 == len(epochs) or epochs[k + 1] != e + 1:
            spans.append(f"{start}" if start == e else f"{start}–{e}")
            start = None
    return ", ".join(spans)


def _retrain_command(data: CurveData) -> str:
    c = data.config
    lr = {k: min(float(c.get(k) or 2e-4) / 2, 1e-4) for k in ("lr_g", "lr_d")}
    bits = ["python -m gan_core.train", f"--dataset {c.get('dataset', 'DATASET')}", f"--run {data.name}-calmer",
            f"--epochs {c.get('epochs', 30)}"]
    if c.get("resolution"):
        bits.append(f"--resolution {c['resolution']}")
    bits += [f"--lr-g {lr['lr_g']:g}", f"--lr-d {lr['lr_d']:g}"]
    return " ".join(bits)


def banners(data: CurveData) -> None:
    """Each flag of a run as a banner (what happened, what it means, what to try), then one command to retry."""
    skipped_lines_notice(data.name, data.skipped)
    status = data.status
    if status.get("state") == "failed" and status.get("error") and "diverged" not in status["error"]:
        st.error(f"**{md_escape(data.name)}** failed: {status['error']}", icon=":material/error:")
    if not data.marks:
        return
    starts = [m.epoch for m in data.marks if m.code != "diverging"] + [s["start_epoch"] for s in data.stretches]
    first_bad = min(starts or [m.epoch for m in data.marks])
    good = [e for e in data.weight_epochs if 0 < e < first_bad]
    with st.container(key=f"flags-{data.name}"):
        for code in FLAGS:
            marks = [m for m in data.marks if m.code == code]
            if not marks:
                continue
            flag = FLAGS[code]
            where = _epochs_text(sorted({m.epoch for m in marks}))
            text = (f"**{flag.title}** in **{md_escape(data.name)}** at epoch{'s' if len(marks) > 1 else ''} "
                    f"{where}: {marks[0].message.rstrip('.')}.  \n{flag.meaning}  \n"
                    f"**What to try:** {flag.what_to_try}")
            show = st.error if code == "diverging" else st.warning
            with st.container(key=f"flag-{code}-{data.name}"):
                show(text, icon=":material/warning:" if code == "mode_collapse" else ":material/trending_up:")
        saved = f"The last generator saved before the trouble is from **epoch {good[-1]}**. " if good else ""
        st.markdown(f"{saved}To train **{md_escape(data.name)}** again, calmer:")
        st.code(_retrain_command(data), language="bash")


runs = [load_curves(name) for name in selected]
for data in runs:
    banners(data)
quiet = [d.name for d in runs if not d.marks and d.epochs]
if quiet:
    st.caption("No warning signs in " + ", ".join(f"**{md_escape(n)}**" for n in quiet)
               + ": the discriminator does not win outright and the samples keep their variety.")


# -- the chart and the samples beside it ------------------------------------------------------------------------
def _clicked_epoch(runs: list[CurveData]) -> tuple[int, int] | None:
    """(epoch, run index) of a newly clicked point, if any."""
    event = st.session_state.get(CHART_KEY)
    points = (event or {}).get("selection", {}).get("points") or []
    if not points:
        return None
    point = points[0]
    custom = point.get("customdata")
    if not custom:
        return None
    click = (int(custom[0]), int(custom[1]) if len(custom) > 1 else 0)
    if st.session_state.get(CLICK_KEY) == click:
        return None
    st.session_state[CLICK_KEY] = click
    return click


def _nearest(epochs: list[int], epoch: int) -> int | None:
    before = [e for e in epochs if e <= epoch]
    return before[-1] if before else (epochs[0] if epochs else None)


def _epoch_label(e: int, flagged: dict) -> str:
    return f"{e} ⚠ {flagged[e]}" if e in flagged else str(e)


active = any(v.active for v in views if v.name in selected)


@st.fragment(run_every=LIVE_REFRESH_S if active else None)
def chart_and_samples(selected: list[str]) -> None:
    runs = [load_curves(name) for name in selected]
    epochs = sorted({e for d in runs for e in d.sample_epochs})
    if not any(d.has_rows for d in runs):
        st.info("No training steps logged yet; the curves appear after the first few steps.",
                icon=":material/hourglass_top:")
        return
    click = _clicked_epoch(runs)
    if click and epochs:
        st.session_state[EPOCH_KEY] = _nearest(epochs, click[0])
    if epochs and st.session_state.get(EPOCH_KEY) not in epochs:
        st.session_state[EPOCH_KEY] = epochs[-1]
    flagged = {}
    for d in runs:
        for m in d.marks:
            flagged.setdefault(m.epoch, FLAGS[m.code].title.lower())
    left, right = st.columns([5, 2], gap="medium")
    with right:
        st.subheader("Samples", anchor=False)
        epoch = None
        if epochs:
            epoch = st.select_slider("Epoch", epochs, key=EPOCH_KEY,
                                     format_func=lambda e: _epoch_label(e, flagged),
                                     help="Or click a point on the curves. ⚠ marks a flagged epoch.")
            for data in runs[:MAX_GRIDS]:
                shown = _nearest(data.sample_epochs, epoch)
                if shown is None:
                    continue
                image = grid_image(Run(data.name).sample_file(shown), GRID_PX)
                if image is not None:
                    warn = " ".join(f"⚠ {FLAGS[m.code].title}" for m in data.marks if m.epoch == shown)
                    st.image(image, width="stretch", output_format="PNG",
                             caption=f"{data.name} · epoch {shown} {warn}".strip(),
                             alt=f"Samples of {data.name} at epoch {shown}")
            st.caption("Click a point on the curves, or move the slider, to see that epoch's samples.")
        else:
            st.caption("No sample grids yet.")
    with left:
        fig = shared_curves_figure(runs, x_mode=x_mode, smoothing=smoothing, log_y=log_y, show_scores=show_scores,
                                   selected_epoch=epoch)
        st.plotly_chart(fig, key=CHART_KEY, on_select="rerun", selection_mode="points", width="stretch",
                        config={"displaylogo": False, "scrollZoom": False})


chart_and_samples(selected)
with st.expander("What the curves mean"):
    for family in {d.family.name: d.family for d in runs}.values():  # each family's series, in its own terms
        st.markdown(f"**{family.title}**\n\n" + "\n".join(f"- **{md_escape(s.label)}**: {s.meaning}"
                                                           for s in family.series))


# -- downloads, the epoch table, and scoring on demand ----------------------------------------------------
d1, d2, _ = st.columns([2, 2, 3])
stem = "-".join(selected)[:80]
# the CSVs are written when clicked, not on every visit and live refresh
d1.download_button("Download steps (CSV)", lambda: steps_csv(runs, smoothing), file_name=f"curves-{stem}-steps.csv",
                   mime="text/csv", icon=":material/download:", on_click="ignore")
d2.download_button("Download epochs (CSV)", lambda: epochs_csv(runs), file_name=f"curves-{stem}-epochs.csv",
                   mime="text/csv", icon=":material/download:", on_click="ignore")

with st.expander("Epoch table: losses, sample scores and flags"):
    table = [{"run": d.name, "epoch": r["epoch"],
              **{k: None if r.get(k) is None else float(r[k])  # a loss written as a huge int is still a number
                 for k in (*d.family.keys(), "diversity", "precision", "recall", "density", "coverage", "kid",
                           "near_duplicates")},
              "flags": ", ".join(FLAGS[c].title for c in r.get("flags") or [] if c in FLAGS)}
             for d in runs for r in d.epochs]
    if table:
        st.dataframe(pd.DataFrame(table), hide_index=True, width="stretch")
    st.markdown(
        "**diversity**: how varied the samples are, next to the real images (1 = as varied; mean MS-SSIM "
        "over random pairs, Odena et al. 2017). **precision**: share of samples that fall among real images; "
        "**recall**: share of real images the samples cover (Kynkäänniemi et al. 2019). **density**: how "
        "many real images' neighbourhoods hold each sample (about 1 = like real images); **coverage**: share "
        "of real images with a sample nearby (Naeem et al. 2020; an odd real image cannot throw these two). "
        "**kid**: " + DISTANCE_HELP + " **near-twins**: share of samples with a near-identical twin. Scored "
        "on 256 samples at every saved epoch; see docs/benchmarks.md."
    )


@st.cache_data(show_spinner=False, max_entries=64)
def _score(run: str, epoch: int, mtime_ns: int) -> dict:
    from gan_core.metrics.evaluation import evaluate_run

    return evaluate_run(run, epoch, count=256, seed=0)


with st.expander("Score an epoch now"):
    st.markdown("Diversity, precision, recall, density, coverage and KID of any epoch whose generator was saved, "
                "and whether it "
                "looks collapsed (256 samples; takes a few seconds).")
    s1, s2, s3 = st.columns([3, 2, 2], vertical_alignment="bottom")
    run_name = s1.selectbox("Run", selected, key="curves_score_run")
    saved = next(d for d in runs if d.name == run_name).weight_epochs
    if not saved:
        st.caption("This run has no saved generator yet.")
    else:
        score_epoch = s2.selectbox("Epoch", saved[::-1], key="curves_score_epoch")
        if s3.button("Score", icon=":material/analytics:", key="curves_score_button"):
            try:
                path = Run(run_name).generator_file(score_epoch)
                with st.spinner(f"Scoring {run_name} at epoch {score_epoch}..."):
                    result = _score(run_name, score_epoch, path.stat().st_mtime_ns)
            except (UsageError, OSError) as exc:
                st.error(str(exc))
            else:
                m = st.columns(4)
                m[0].metric("Diversity", f"{result['diversity']:.2f}", help="1 = as varied as the real images")
                m[1].metric("Precision", f"{result['precision']:.2f}")
                m[2].metric("Recall", f"{result['recall']:.2f}")
                m[3].metric("Near-twins", f"{result['near_duplicates']:.0%}")
                n = st.columns(4)
                n[0].metric("KID", f"{result['kid']:.3f}", help=DISTANCE_HELP)
                n[1].metric("Density", f"{result['density']:.2f}", help="about 1 = like real images")
                n[2].metric("Coverage", f"{result['coverage']:.2f}")
                if result["mode_collapse"]:
                    st.warning(f"**Mode collapse** at epoch {score_epoch}: {result['collapse_reason']}.  \n"
                               f"**What to try:** {FLAGS['mode_collapse'].what_to_try}", icon=":material/warning:")
                elif result.get("warmup") and result.get("collapse_reason"):
                    st.info(f"Epoch {score_epoch} is in the warm-up: {result['collapse_reason']}, as every "
                            "generator's first epochs do. Not called a collapse.")
                else:
                    st.success(f"No sign of mode collapse at epoch {score_epoch}.", icon=":material/check_circle:")
                if result["diverging"]:
                    st.error(f"**Diverging** by epoch {score_epoch}: {result['divergence']}.",
                             icon=":material/trending_up:")
