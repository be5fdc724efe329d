"""Training curves as plotly figures, for the Training Curves page and the Train page's live panel.

    from ui.curves import load_curves, curves_figure, sparkline
    data = load_curves(run)                          # cached on the files' size and mtime
    st.plotly_chart(sparkline(data), key="spark")    # small live G/D losses with flag markers
    st.plotly_chart(curves_figure([data, other], x_mode="images", smoothing=8, log_y=True))

A run's curves come from its `metrics.jsonl` (a row per logged interval) and `epochs.jsonl` (a row per
epoch, with the sample scores and flags). Flags come from the epoch rows (mode collapse, diverging) and,
for runs that died before writing one (a NaN), from the loss log itself via `gan_core.metrics.health`.
Only numpy and plotly: no TensorFlow.
"""

import csv
import io
import math
from dataclasses import dataclass, field

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from gan_core import models
from gan_core.core.runs import Run
from gan_core.metrics.health import FLAGS, divergence_stretches
from gan_core.models import Family

X_MODES = {"epoch": "epochs", "images": "images seen"}
RUN_COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2"]
SERIES_STYLE = {  # key: colour with one run, dash with several (labels and meanings: the run's family)
    "g_loss": ("#1f77b4", "solid"),
    "d_loss": ("#ff7f0e", "dot"),
    "d_real": ("#2ca02c", "solid"),
    "d_fake": ("#d62728", "dot"),
}
OTHER_STYLES = [("#e377c2", "dashdot"), ("#7f7f7f", "longdash"), ("#bcbd22", "dash")]
SCORES = {  # key: label, colour with one run, dash with several
    "diversity": ("diversity", "#9467bd", "solid"),
    "precision": ("precision", "#17becf", "dash"),
    "recall": ("recall", "#8c564b", "dot"),
    "density": ("density", "#e377c2", "dashdot"),
    "coverage": ("coverage", "#bcbd22", "longdash"),
}
DISTANCE = {"kid": ("KID, distance to the real pictures", "#2f4f4f", "solid")}
KID_FLOOR = 1e-3  # drawn at least this high on the log axis (KID can dip just below 0 by chance)
DISTANCE_HELP = (
    "KID (kernel inception distance, Bińkowski et al. 2018): how far the samples are from the real pictures "
    "as sets, 0 = indistinguishable (slightly below 0 happens by chance). Measured in this app's own feature "
    "space (no Inception network here), so it compares epochs and runs scored here, not published FID or KID "
    "numbers.")
FLAG_STYLE = {"mode_collapse": ("diamond", "#9b30d9"), "diverging": ("x", "#c00000")}
FONT = 18  # projector-sized
MAX_POINTS = 4000  # per trace drawn; longer logs are thinned after smoothing
MAX_BOUNDARIES = 60


@dataclass
class FlagMark:
    code: str
    epoch: int
    step: int
    message: str


@dataclass
class CurveData:
    """One run's curves, ready to draw."""

    name: str
    config: dict
    status: dict
    rows: dict  # key -> np.ndarray over the metrics rows: step, epoch, g_loss, d_loss, d_real, d_fake
    epochs: list[dict]
    marks: list[FlagMark] = field(default_factory=list)
    stretches: list[dict] = field(default_factory=list)
    sample_epochs: list[int] = field(default_factory=list)
    weight_epochs: list[int] = field(default_factory=list)
    stamp: tuple = ()  # the log files' sizes and times it was read at: equal stamps, equal curves
    skipped: list[str] = field(default_factory=list)  # log lines of the wrong shape, named (`file:line: why`)

    @property
    def family(self) -> Family:
        return models.of_run(self.config)

    def series(self):
        """The family's series with their chart styles: (Series, colour, dash, subplot row)."""
        for k, s in enumerate(self.family.series):
            colour, dash = SERIES_STYLE.get(s.key) or OTHER_STYLES[k % len(OTHER_STYLES)]
            yield s, colour, dash, 1 if s.kind == "loss" else 2

    @property
    def batch_size(self) -> int:
        return int(self.config.get("batch_size") or 64)

    @property
    def steps_per_epoch(self) -> int:
        spe = self.config.get("steps_per_epoch") or self.status.get("steps_per_epoch")
        if spe:
            return int(spe)
        last = self.epochs[-1] if self.epochs else None
        return int(last["step"] / last["epoch"]) if last and last.get("epoch") else 1

    def x_of_steps(self, steps, x_mode: str) -> np.ndarray:
        steps = np.asarray(steps, np.float64)
        if x_mode == "images":
            return steps * self.batch_size
        return steps / self.steps_per_epoch

    def x_of_epoch(self, epoch: int, x_mode: str) -> float:
        return float(self.x_of_steps([epoch * self.steps_per_epoch], x_mode)[0])

    @property
    def flag_codes(self) -> set[str]:
        return {m.code for m in self.marks}

    @property
    def has_rows(self) -> bool:
        return len(self.rows.get("step", ())) > 0


def _stat(path) -> tuple:
    try:
        s = path.stat()
        return s.st_size, s.st_mtime_ns
    except OSError:
        return 0, 0


@st.cache_data(show_spinner=False, max_entries=32)
def _load(name: str, stamp: tuple) -> CurveData:
    run = Run(name)
    config, status = run.config(), run.status()
    metrics = run.metrics()
    keys = ("step", "epoch", *models.of_run(config).keys())
    rows = {k: np.array([_num(r.get(k)) for r in metrics], np.float64) for k in keys}
    epochs = run.epochs()
    data = CurveData(name, config, status, rows, list(epochs), sample_epochs=run.sample_epochs(),
                     weight_epochs=run.weight_epochs(), stamp=stamp, skipped=metrics.skipped + epochs.skipped)
    spe = data.steps_per_epoch
    best = None
    for row in data.epochs:
        for code in row.get("flags") or []:
            if code in FLAGS:
                message = _collapse_words(row, best) if code == "mode_collapse" else ""
                data.marks.append(FlagMark(code, int(row["epoch"]), int(row.get("step") or 0), message))
        if isinstance(row.get("diversity"), int | float):
            best = max(best or 0.0, row["diversity"])
    data.stretches = divergence_stretches(metrics, spe, data.family.divergence)
    for m in data.marks:  # the trainer's diverging flags, in the words of the stretch behind them
        if m.code == "diverging":
            stretch = next((s for s in data.stretches if s["epoch"] <= m.epoch <= (s["end_epoch"] or m.epoch)), None)
            m.message = stretch["message"] if stretch else "the discriminator's loss stayed near zero while the " \
                                                            "generator's climbed"
    flagged = {(m.code, m.epoch) for m in data.marks}
    for s in data.stretches:  # runs that never wrote an epoch row for it (NaN, or killed)
        if ("diverging", s["epoch"]) not in flagged:
            data.marks.append(FlagMark("diverging", int(s["epoch"] or 0), int(s["step"] or 0), s["message"]))
    data.marks.sort(key=lambda m: (m.step, m.code))
    return data


def _num(value) -> float:
    return float(value) if isinstance(value, int | float) else math.nan


def _collapse_words(row: dict, best: float | None) -> str:
    """Which collapse rule the epoch's scores meet, in words (the row keeps the scores, not the words)."""
    from gan_core.metrics.health import collapse_reason

    scores = {k: row.get(k) for k in ("diversity", "precision", "recall", "density", "coverage", "kid")}
    scores["near_duplicates"] = row.get("near_duplicates") or 0.0
    return collapse_reason(scores, best) or FLAGS["mode_collapse"].meaning


def load_curves(run: Run | str) -> CurveData:
    """A run's curves; re-read only when its log files changed."""
    run = run if isinstance(run, Run) else Run(run)
    stamp = (_stat(run.metrics_file), _stat(run.epochs_file), _stat(run.status_file), _stat(run.config_file))
    return _load(run.name, stamp)


# -- numbers -------------------------------------------------------------------------------------------
def smooth(values: np.ndarray, window: int) -> np.ndarray:
    """Trailing moving average over `window` points (fewer at the start); NaNs are skipped, not spread."""
    values = np.asarray(values, np.float64)
    if window <= 1 or len(values) == 0:
        return values
    ok = np.isfinite(values)
    sums = np.convolve(np.where(ok, values, 0.0), np.ones(window))[: len(values)]
    counts = np.convolve(ok.astype(np.float64), np.ones(window))[: len(values)]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)


def _thin(n: int) -> slice:
    return slice(None, None, max(1, math.ceil(n / MAX_POINTS)))


def _score_series(data: CurveData, key: str) -> tuple[list[int], list[float]]:
    # rows without "precision" come from runs trained before the metrics package, whose "diversity" was a
    # different (pixel-distance) figure: not drawn as if it were the same
    pairs = [(r["epoch"], r[key]) for r in data.epochs if isinstance(r.get(key), int | float) and "precision" in r]
    return [p[0] for p in pairs], [p[1] for p in pairs]


# -- figures ---------------------------------------------------------------------------------------------
def _style(several: bool, key: str, run_index: int, table: dict) -> tuple[str, str, str]:
    label, colour, dash = table[key]
    if several:
        return label, RUN_COLOURS[run_index % len(RUN_COLOURS)], dash
    return label, colour, "solid"


def shared_curves_figure(runs: list[CurveData], *, x_mode: str, smoothing: int, log_y: bool, show_scores: bool,
                         selected_epoch: int | None) -> go.Figure:
    """`curves_figure`, built once for every session showing the same runs (as logged now) and options.

    Building it is most of the Curves page's script run (tens of ms); a room of thirty watching one run
    shares one. Read-only after: Streamlit copies a figure (`to_dict`) before sending it.
    """
    return _shared_figure(tuple((d.name, d.stamp) for d in runs), runs, x_mode, smoothing, log_y, show_scores,
                          selected_epoch)


@st.cache_resource(show_spinner=False, max_entries=64)
def _shared_figure(key: tuple, _runs: list[CurveData], x_mode: str, smoothing: int, log_y: bool, show_scores: bool,
                   selected_epoch: int | None) -> go.Figure:
    return curves_figure(_runs, x_mode=x_mode, smoothing=smoothing, log_y=log_y, show_scores=show_scores,
                         selected_epoch=selected_epoch)


def curves_figure(runs: list[CurveData], *, x_mode: str = "epoch", smoothing: int = 5, log_y: bool = False,
                  show_scores: bool = True, selected_epoch: int | None = None, height: int = 980) -> go.Figure:
    """Losses, D probabilities and (optionally) the per-epoch sample scores of one or several runs.

    Every point carries `customdata = [epoch, run index]`, so a click tells which epoch of which run.
    """
    several = len(runs) > 1
    show_kid = show_scores and any(_score_series(data, "kid")[0] for data in runs)  # old runs have no KID
    rows_n = 2 + show_scores + show_kid
    probabilities = [s.label for s in runs[0].family.series if s.kind == "probability"] if runs else []
    titles = ["Losses", "Discriminator: " + ", ".join(probabilities)]
    if show_scores:
        titles.append("Sample scores per epoch (1 = like the real images)")
    if show_kid:
        titles.append("Distance to the real pictures (KID; lower = closer to them)")
    heights = [0.45, 0.27, 0.28] if rows_n == 3 else [0.37, 0.2, 0.25, 0.18] if rows_n == 4 else [0.6, 0.4]
    fig = make_subplots(rows=rows_n, cols=1, shared_xaxes=True, vertical_spacing=0.06, subplot_titles=titles,
                        row_heights=heights)
    for i, data in enumerate(runs):
        if not data.has_rows:
            continue
        prefix = f"{data.name} · " if several else ""
        x = data.x_of_steps(data.rows["step"], x_mode)
        epoch = data.rows["epoch"]
        thin = _thin(len(x))
        for series, colour, dash, row in data.series():
            key, label = series.key, series.label
            colour, dash = (RUN_COLOURS[i % len(RUN_COLOURS)], dash) if several else (colour, "solid")
            raw = data.rows[key]
            fig.add_scatter(x=x[thin], y=raw[thin], mode="lines", line=dict(color=colour, width=1), opacity=0.25,
                            hoverinfo="skip", showlegend=False, legendgroup=f"{data.name}-{key}", row=row, col=1)
            y = smooth(raw, smoothing)
            fig.add_scatter(
                x=x[thin], y=y[thin], mode="lines", name=prefix + label, line=dict(color=colour, width=3, dash=dash),
                legendgroup=f"{data.name}-{key}",
                customdata=np.stack([epoch, np.full(len(x), i)], axis=1)[thin],
                hovertemplate=f"{prefix}{label}: %{{y:.3f}}  (epoch %{{customdata[0]:.0f}})<extra></extra>",
                row=row, col=1,
            )
        if show_scores:
            keys = ("diversity",) if several else tuple(SCORES)
            panels = [(key, SCORES, 3, ".2f") for key in keys] + ([("kid", DISTANCE, 4, ".3f")] if show_kid else [])
            for key, table, row, digits in panels:
                label, colour, dash = _style(several, key, i, table)
                epochs, values = _score_series(data, key)
                if not epochs:
                    continue
                drawn = [max(v, KID_FLOOR) for v in values] if key == "kid" else values  # a log axis
                fig.add_scatter(
                    x=[data.x_of_epoch(e, x_mode) for e in epochs], y=drawn, mode="lines+markers",
                    name=prefix + label, line=dict(color=colour, width=3, dash=dash), marker=dict(size=9),
                    customdata=[[e, i] for e in epochs], text=[f"{v:{digits}}" for v in values],
                    hovertemplate=f"{prefix}{label}: %{{text}}  (epoch %{{customdata[0]}})<extra></extra>",
                    row=row, col=1,
                )
        _add_flags(fig, data, i, x_mode, smoothing, prefix, show_scores)
    _add_boundaries(fig, runs, x_mode)
    if selected_epoch is not None and runs and runs[0].has_rows:
        fig.add_vline(x=runs[0].x_of_epoch(selected_epoch, x_mode), line=dict(color="#444", width=2, dash="dash"))
    fig.update_yaxes(title_text="loss", type="log" if log_y else "linear", row=1, col=1)
    fig.update_yaxes(title_text="probability or share", range=[-0.02, 1.02], row=2, col=1)
    if show_scores:
        fig.update_yaxes(title_text="score", rangemode="tozero", row=3, col=1)
        fig.add_hline(y=1.0, line=dict(color="#999", width=1, dash="dot"), row=3, col=1)
    if show_kid:  # from thousands (noise, a diverged run) to hundredths (a good generator): a log axis
        fig.update_yaxes(title_text="KID (log)", type="log", dtick=1, row=4, col=1)
    fig.update_xaxes(title_text=X_MODES[x_mode], row=rows_n, col=1)
    fig.update_xaxes(showspikes=True, spikemode="across", spikethickness=1, spikecolor="#999")
    fig.update_xaxes(tickfont=dict(size=FONT), title_font=dict(size=FONT))
    fig.update_yaxes(tickfont=dict(size=FONT), title_font=dict(size=FONT))
    fig.update_layout(
        height=height, font=dict(size=FONT), hovermode="x unified", hoverlabel=dict(font_size=FONT),
        legend=dict(orientation="h", yanchor="bottom", y=1.04, x=0, font=dict(size=FONT - 2)),
        margin=dict(l=70, r=20, t=110, b=60), clickmode="event+select", dragmode="zoom",
    )
    fig.update_annotations(font_size=FONT + 1)
    return fig


def _add_flags(fig, data: CurveData, i: int, x_mode: str, smoothing: int, prefix: str, show_scores: bool) -> None:
    if not data.marks:
        return
    g = smooth(data.rows["g_loss"], smoothing)
    steps = data.rows["step"]
    for code in FLAGS:
        marks = [m for m in data.marks if m.code == code]
        if not marks:
            continue
        symbol, colour = FLAG_STYLE[code]
        k = np.clip(np.searchsorted(steps, [m.step for m in marks]), 0, len(steps) - 1)
        y = [v if np.isfinite(v) else None for v in g[k]]
        if any(v is None for v in y):  # a NaN at the flag: put the marker on the last finite value
            finite = g[np.isfinite(g)]
            y = [v if v is not None else (float(finite[-1]) if len(finite) else 0.0) for v in y]
        fig.add_scatter(
            x=data.x_of_steps([m.step for m in marks], x_mode), y=y, mode="markers", name=prefix + FLAGS[code].title,
            marker=dict(symbol=symbol, size=18, color=colour, line=dict(color="white", width=2)),
            customdata=[[m.epoch, i] for m in marks], text=[m.message for m in marks],
            hovertemplate=f"<b>{FLAGS[code].title}</b> (epoch %{{customdata[0]}})<br>%{{text}}<extra></extra>",
            row=1, col=1,
        )
        if show_scores and code == "mode_collapse":
            by_epoch = {r["epoch"]: r.get("diversity") for r in data.epochs}
            fig.add_scatter(
                x=[data.x_of_epoch(m.epoch, x_mode) for m in marks], y=[by_epoch.get(m.epoch) or 0 for m in marks],
                mode="markers", showlegend=False, marker=dict(symbol=symbol, size=18, color=colour),
                customdata=[[m.epoch, i] for m in marks], text=[m.message for m in marks],
                hovertemplate=f"<b>{FLAGS[code].title}</b> (epoch %{{customdata[0]}})<br>%{{text}}<extra></extra>",
                row=3, col=1,
            )
    for s in data.stretches:  # the diverging stretch, shaded
        x0 = float(data.x_of_steps([s["start_step"]], x_mode)[0])
        x1 = float(data.x_of_steps([s["end_step"] or s["step"]], x_mode)[0])
        fig.add_vrect(x0=x0, x1=max(x1, x0 + 1e-9), fillcolor=FLAG_STYLE["diverging"][1], opacity=0.08,
                      line_width=0, row=1, col=1)


def _add_boundaries(fig, runs: list[CurveData], x_mode: str) -> None:
    """Faint lines at epoch ends (of the first run when aligned by images), at most MAX_BOUNDARIES of them.

    Drawn in the losses panel, as `add_vline` drew them, but set as one list of shapes: sixty `add_vline` calls
    took 1.4 s and were 15 % of the server's work with thirty people on the pages (py-spy,
    benchmarks/LOG.md "A room of thirty")."""
    base = next((r for r in runs if r.has_rows), None)
    if base is None:
        return
    last = int(max(np.nanmax(r.rows["epoch"]) for r in runs if r.has_rows))
    every = max(1, math.ceil(last / MAX_BOUNDARIES))
    style = dict(color="rgba(120,120,120,0.35)", width=1, dash="dot")
    lines = [dict(type="line", x0=x, x1=x, y0=0, y1=1, xref="x", yref="y domain", line=style)
             for x in (base.x_of_epoch(e, x_mode) for e in range(every, last + 1, every))]
    fig.update_layout(shapes=[*fig.layout.shapes, *lines])


def sparkline(data: CurveData, *, smoothing: int = 5, height: int = 200) -> go.Figure:
    """Small G and D losses against epochs with flag markers: for a live panel next to a sample grid."""
    fig = go.Figure()
    if data.has_rows:
        x = data.x_of_steps(data.rows["step"], "epoch")
        for series, colour, _, row in data.series():
            if row != 1:
                continue
            key, label = series.key, series.label
            fig.add_scatter(x=x, y=data.rows[key], mode="lines", line=dict(color=colour, width=1), opacity=0.25,
                            hoverinfo="skip", showlegend=False)
            fig.add_scatter(x=x, y=smooth(data.rows[key], smoothing), mode="lines", name=label,
                            line=dict(color=colour, width=3),
                            hovertemplate=f"{label}: %{{y:.3f}}  (epoch %{{x:.1f}})<extra></extra>")
        g = smooth(data.rows["g_loss"], smoothing)
        for code in FLAGS:
            marks = [m for m in data.marks if m.code == code]
            if marks:
                k = np.clip(np.searchsorted(data.rows["step"], [m.step for m in marks]), 0, len(g) - 1)
                symbol, colour = FLAG_STYLE[code]
                fig.add_scatter(x=x[k], y=np.nan_to_num(g[k]), mode="markers", name=FLAGS[code].title,
                                marker=dict(symbol=symbol, size=14, color=colour), text=[m.message for m in marks],
                                hovertemplate=f"<b>{FLAGS[code].title}</b><br>%{{text}}<extra></extra>")
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=10, b=10), font=dict(size=14), hovermode="x unified",
                      legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0, font=dict(size=14)))
    fig.update_xaxes(title_text=None, showgrid=False)
    return fig


# -- tables ----------------------------------------------------------------------------------------------
def steps_csv(runs: list[CurveData], smoothing: int) -> bytes:
    """Every logged interval of the runs, with images seen and the smoothed losses as drawn."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["run", "step", "epoch", "images_seen", "g_loss", "d_loss", "d_real", "d_fake",
                f"g_loss_smoothed_{smoothing}", f"d_loss_smoothed_{smoothing}"])
    for data in runs:
        r = data.rows
        gs, ds = smooth(r["g_loss"], smoothing), smooth(r["d_loss"], smoothing)
        for k in range(len(r["step"])):
            w.writerow([data.name, int(r["step"][k]), int(r["epoch"][k]), int(r["step"][k] * data.batch_size),
                        *(_cell(r[key][k]) for key in ("g_loss", "d_loss", "d_real", "d_fake")),
                        _cell(gs[k]), _cell(ds[k])])
    return out.getvalue().encode()


def epochs_csv(runs: list[CurveData]) -> bytes:
    """One row per epoch of the runs: means, sample scores, flags."""
    out = io.StringIO()
    keys = ["epoch", "step", "g_loss", "d_loss", "d_real", "d_fake", "diversity", "precision", "recall",
            "density", "coverage", "kid", "near_duplicates", "seconds", "images_per_sec"]
    w = csv.writer(out)
    w.writerow(["run", *keys, "flags"])
    for data in runs:
        for row in data.epochs:
            w.writerow([data.name, *(_cell(row.get(k)) for k in keys), ";".join(row.get("flags") or [])])
    return out.getvalue().encode()


def _cell(value):
    if isinstance(value, float):
        return "" if not math.isfinite(value) else round(value, 6)
    return "" if value is None else value
