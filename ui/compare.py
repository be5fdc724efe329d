"""The Compare films page's pictures: charts of complexity profiles, and what each dataset's GANs became.

    palette = colours(selected)
    st.plotly_chart(radar_figure(results, palette))  # every measure at once, scaled to the largest compared
    st.plotly_chart(measure_bars(results, palette))  # one small bar chart per measure, in its own units
    st.plotly_chart(outcome_figure(results, gans, palette))  # complexity against the GANs' sample diversity
"""

import math
from dataclasses import dataclass

import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from gan_core.complexity import MEASURES
from ui.common import RunView
from ui.curves import RUN_COLOURS

FONT = dict(size=14)
# what a GAN reached, as the run scored its newest epoch: lower KID, higher precision and coverage are better
# "pass as real" first: a share of nearest neighbours, it reads the same on every dataset (KID is scaled by each
# set's own spread, so it compares runs of one dataset only)
REACHED = (("pass as real", "mistaken_for_real"), ("KID", "kid"), ("precision", "precision"), ("coverage", "coverage"))


@dataclass(frozen=True)
class GanResult:
    """A run trained on a dataset, as the Compare page shows it: its newest grid and newest sample scores."""

    view: RunView
    scored_epoch: int | None
    diversity: float | None
    flags: tuple[str, ...]
    reached: tuple[tuple[str, float], ...] = ()  # pass as real, KID, precision, coverage of that epoch

    @property
    def scores(self) -> str:
        """What it reached, in numbers comparable across datasets (Markdown)."""
        return " · ".join(f"{label} **{value:.3f}**" if label == "KID" else f"{label} **{value:.0%}**"
                          if label == "pass as real" else f"{label} **{value:.2f}**" for label, value in self.reached)

    @property
    def summary(self) -> str:
        """Its newest sample score in words (Markdown)."""
        if self.diversity is None:
            return "not scored yet"
        verdict = ("⚠ looks collapsed" if "mode_collapse" in self.flags
                   else "varied" if self.diversity >= 0.5 else "some variety")
        reached = f"; {self.scores}" if self.reached else ""
        return f"diversity **{self.diversity:.2f}** at epoch {self.scored_epoch} ({verdict}){reached}"


def gan_results(views: list[RunView], dataset: str) -> list[GanResult]:
    """Runs trained on `dataset` that have a grid to show, newest first."""
    found = []
    for view in views:
        if view.dataset != dataset or not view.sample_epochs:
            continue
        scored = [r for r in view.run.epochs() if isinstance(r.get("diversity"), int | float)]
        last = scored[-1] if scored else {}
        reached = tuple((label, float(last[key])) for label, key in REACHED if isinstance(last.get(key), int | float))
        found.append(GanResult(view, last.get("epoch"), last.get("diversity"), tuple(last.get("flags") or ()),
                               reached))
    return found


def colours(names: list[str]) -> dict[str, str]:
    """One colour per dataset, kept by its place in the user's pick (not its rank, which can change)."""
    return {name: RUN_COLOURS[i % len(RUN_COLOURS)] for i, name in enumerate(names)}


def shown_measures(results: dict[str, dict]) -> list[str]:
    """Every measure, but temporal information only when at least one dataset is a video."""
    return [k for k in MEASURES if any(r.get(k) is not None for r in results.values())]


def _value_text(value) -> str:
    if value is None:
        return "n/a (not a video)"
    return f"{value:.3g}" if isinstance(value, float) else f"{value:,}"


# The figures are built once per data for every session (a room of thirty opens the same comparison) and
# only read after: Streamlit copies a figure (`to_dict`) before sending it. So they take plain data.
@st.cache_resource(show_spinner=False, max_entries=32)
def radar_figure(results: dict[str, dict], palette: dict[str, str]) -> go.Figure:
    """Each axis scaled to the largest value among the compared datasets, so the shapes compare directly."""
    keys = shown_measures(results)
    largest = {k: max((r[k] or 0) for r in results.values()) for k in keys}
    labels = [MEASURES[k].short or MEASURES[k].label for k in keys]
    fig = go.Figure()
    for name in results:
        colour = palette[name]
        r = results[name]
        scaled = [(r[k] or 0) / largest[k] if largest[k] else 0.0 for k in keys]
        fig.add_trace(go.Scatterpolar(
            r=[*scaled, scaled[0]], theta=[*labels, labels[0]], name=name, line=dict(color=colour, width=3),
            fill="toself", opacity=0.55, customdata=[_value_text(r[k]) for k in [*keys, keys[0]]],
            hovertemplate=f"<b>{name}</b><br>%{{theta}}: %{{customdata}}<extra></extra>"))
    fig.update_layout(
        polar=dict(radialaxis=dict(range=[0, 1], showticklabels=False, ticks=""),
                   angularaxis=dict(direction="clockwise")),
        height=470, margin=dict(l=90, r=90, t=40, b=40), font=FONT,
        legend=dict(orientation="h", yanchor="bottom", y=-0.15, xanchor="center", x=0.5))
    return fig


@st.cache_resource(show_spinner=False, max_entries=32)
def measure_bars(results: dict[str, dict], palette: dict[str, str]) -> go.Figure:
    """One small bar chart per measure (plus the dataset's size), each in its own units."""
    panels = [(k, MEASURES[k].label, MEASURES[k].unit) for k in shown_measures(results)]
    panels.append(("count", "Dataset size", "frames"))
    panels.append(("complexity", "Complexity score", "0-100, composite"))
    cols = 3
    rows = math.ceil(len(panels) / cols)
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=[f"<b>{label}</b><br>{unit}" for _, label, unit in panels],
                        vertical_spacing=0.16, horizontal_spacing=0.08)
    for i, (key, label, _) in enumerate(panels):
        row, col = divmod(i, cols)
        for name in results:
            colour = palette[name]
            value = results[name].get(key)
            fig.add_trace(go.Bar(
                x=[name], y=[value or 0], marker_color=colour, name=name, legendgroup=name, showlegend=i == 0,
                text=[_value_text(value)], textposition="auto",
                hovertemplate=f"<b>{name}</b><br>{label}: {_value_text(value)}<extra></extra>"), row + 1, col + 1)
    fig.update_xaxes(showticklabels=False)
    fig.update_annotations(font=dict(size=14))
    fig.update_layout(height=300 * rows + 60, margin=dict(l=40, r=20, t=130, b=20), font=FONT, bargap=0.25,
                      legend=dict(orientation="h", yref="container", yanchor="top", y=0.995, xanchor="center",
                                  x=0.5))
    return fig


def scored_points(gans: dict[str, list[GanResult]]) -> dict[str, tuple[tuple[str, int, float], ...]]:
    """Per dataset, its scored runs as (run, epoch, diversity): what `outcome_figure` draws."""
    return {name: tuple((g.view.name, g.scored_epoch, g.diversity) for g in runs if g.diversity is not None)
            for name, runs in gans.items()}


@st.cache_resource(show_spinner=False, max_entries=32)
def outcome_figure(results: dict[str, dict], points: dict[str, tuple[tuple[str, int, float], ...]],
                   palette: dict[str, str]) -> go.Figure:
    """Variety between frames (x) against the sample diversity its GANs reached (y); bubble area = frames in the set.

    Variety, not the composite, on x: it is the measure that predicted what a GAN learns (verdict.py)."""
    fig = go.Figure()
    biggest = max(r["count"] for r in results.values())
    widest = max(r["intrinsic_dimension"] for r in results.values())
    top = max([1.1, *(diversity + 0.15 for runs in points.values() for _, _, diversity in runs)])
    for name in results:
        colour = palette[name]
        scored = points.get(name, ())
        if not scored:
            continue
        r = results[name]
        size = 18 + 42 * math.sqrt(r["count"] / biggest)
        fig.add_trace(go.Scatter(
            x=[r["intrinsic_dimension"]] * len(scored), y=[diversity for _, _, diversity in scored],
            mode="markers+text",
            marker=dict(size=size, color=colour, opacity=0.75, line=dict(color="white", width=1)),
            text=[run for run, _, _ in scored], textposition="top center", name=name,
            customdata=[[run, epoch, r["count"]] for run, epoch, _ in scored],
            hovertemplate=(f"<b>{name}</b>, run %{{customdata[0]}}<br>variety between frames %{{x:.0f}}<br>diversity "
                           "%{y:.2f} at epoch %{customdata[1]}<br>%{customdata[2]:,} frames<extra></extra>")))
    fig.add_hline(y=0.25, line=dict(color="#d62728", dash="dot"),
                  annotation_text="below: looks like mode collapse", annotation_position="bottom right")
    fig.update_layout(height=420, margin=dict(l=60, r=20, t=20, b=60), font=FONT,
                      xaxis=dict(title="variety between frames (dimensionality, log scale)", type="log",
                                 range=[0, math.log10(max(1000, 2 * widest))], dtick=1),
                      yaxis=dict(title="diversity of the GAN's samples", range=[-0.05, top]),
                      legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="center", x=0.5))
    return fig
