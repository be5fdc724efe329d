"""Train: start a GAN on a dataset from the browser and watch it learn, live.

Training runs in its own process (`gan_core.training.jobs`); this page only starts it, then re-reads the run
directory every second or so in a fragment. Reloading, closing the tab or restarting Streamlit loses
nothing: runs are found again on disk.
"""

import ui.preload  # noqa: F401  (first of all: ui/preload.py says why)

# isort: split
import datetime as dt
import functools
import json
import time

import streamlit as st

from gan_core import models
from gan_core.core.errors import UsageError
from gan_core.core.progress import duration
from gan_core.core.runs import Run
from gan_core.metrics.health import FLAGS
from gan_core.training import jobs
from gan_core.training.config import AUGMENT_POLICIES, G_BLOCKS, LOSSES, PRECISIONS, RESOLUTIONS, TrainConfig
from gan_core.training.estimate import images_per_sec
from gan_core.training.time_box import seconds_from_iso
from gan_core.training.trainer import prepare
from ui import lock
from ui.common import (
    dataset_montage,
    datasets,
    device_info,
    grid_image,
    md_escape,
    run_views,
    skipped_lines_notice,
    state_badge,
)
from ui.curves import load_curves, sparkline
from ui.page import setup
from ui.presets import PRESETS, cli_args, unique_run_name

LIVE_REFRESH_S = 1.5
SMALLEST_LIMIT = 0.1  # minutes, on this computer and on the cloud GPU alike (6 s: a quick try)
GRID_PX = 620  # large on a projector, yet the controls and curves stay on the same screen
MODE_KEY, RUN_KEY, FORM_KEY, PENDING_KEY = "train_mode", "train_run", "train_form", "train_pending"
ARCH_KEY = "train_arch"
STOP_KEY, MINUTES_KEY, UNTIL_KEY = "train_stop_after", "train_minutes", "train_until"
EPOCHS, MINUTES, CLOCK = "N epochs", "a time limit (minutes)", "at a clock time"
CLOUD_KEY, CLOUD_MINUTES_KEY = "train_cloud_bundle", "train_cloud_minutes"
RECOMMENDED_KEY = "train_arch_recommended"  # the family measured best for the data and preset last shown
WATCH, NEW = "Watch a run", "Start a new run"

ADVANCED_HELP = {
    "epochs": "Passes over the training images; the sample grid is saved after each one.",
    "resolution": "Image size the GAN learns, in pixels; larger is slower (4x the work per doubling).",
    "batch_size": "Images per training step; starts at the GAN family's default.",
    "max_images": "Train on at most this many images of the dataset (0 = all).",
    "save_every": "Keep the generator every K epochs (for scrubbing and the latent explorer); 0 = about 30 kept.",
    "seed": "Same seed and settings give the same starting noise and the same first grid.",
    "lr_g": "Generator learning rate (Adam); starts at the GAN family's default.",
    "lr_d": "Discriminator learning rate; lower it if D wins too easily.",
    "beta1": "Adam's momentum term; starts at the GAN family's default.",
    "latent_dim": "Length of the random vector z the generator starts from.",
    "width": "Filters in the networks' first layers (capacity); smaller is faster, less detailed.",
    "xla": "Compile the training step with XLA (auto: on a GPU; off on a CPU, where oneDNN is faster).",
    "precision": "auto: mixed float16 on a GPU; mixed bfloat16 on a CPU with AMX (1.5x measured), else float32.",
    # settings of some families only (shown for the family that reads them)
    "loss": "hinge: D scores images, past a margin of 1 is enough; nonsaturating: DCGAN's cross-entropy.",
    "spectral_norm": "Spectral normalisation keeps D smooth so it cannot overpower G; off gives DCGAN's batch "
                     "norm (off measured better on every set tried).",
    "augment": "The same random colour, shift and cutout on real and generated images, so D cannot memorise a "
               "small dataset.",
    "augment_strength": "How strong the augmentation is: 1 = the DiffAugment paper's amounts, 0 = none; 0.5 "
                        "measured best.",
    "ema": "Pictures come from a moving average of the generator's weights (smoother); 0 = off.",
    "ema_rampup": "The average looks back at most this fraction of the training so far, so short runs stay sharp.",
    "r1": "R1 penalty: keeps D's slope flat around real images (steadier); 0 = off.",
    "r1_every": "Apply the R1 penalty every k steps (k times as strong): the same effect, cheaper.",
    "g_block": "Generator blocks: plain (DCGAN's), residual, or skip (FastGAN-like channel gates from coarse layers).",
}


def launch(settings: dict, *, resume: bool = False, limit: tuple[str, ...] = ()) -> None:
    """Validate in this process (clear errors at once), then start the trainer in its own process.
    `limit` is the time box's flags (`--minutes N` or `--until HH:MM`), or none."""
    prepare(settings, resume=resume)
    args = cli_args(settings) + (["--resume"] if resume else []) + list(limit)
    jobs.start(args, settings["run"])
    go_to(WATCH, settings["run"])


def go_to(mode: str, run_name: str | None = None) -> None:
    """Switch mode (and run) on the next rerun: widget-backed state can't change once drawn."""
    st.session_state[PENDING_KEY] = (mode, run_name)


# what a side-by-side comparison keeps equal; learning rates, z size and the family's own settings are each
# family's defaults (a family's recipe includes them)
SHARED_SETTINGS = ("dataset", "resolution", "channels", "epochs", "batch_size", "width", "max_images", "save_every",
                   "seed", "grid_side", "xla", "precision", "steps_per_execution")


def launch_every_family(settings: dict, *, limit: tuple[str, ...] = ()) -> None:
    """The same dataset and shared settings once per GAN family, queued one after the other (a time limit in
    minutes gives each the same time, counted from its own start)."""
    base = settings["run"]
    plans = []
    for name in models.names():
        plan = {k: v for k, v in settings.items() if k in SHARED_SETTINGS}
        plan.update(arch=name, run=unique_run_name(f"{base}-{name}"))
        prepare(plan, resume=False)  # every one checked before any starts
        plans.append(plan)
    for plan in plans:
        jobs.start(cli_args(plan) + list(limit), plan["run"])
    go_to(WATCH, plans[0]["run"])


def siblings(run: Run, config: dict) -> list[str]:
    """Runs of the same "train with every family" click: `<base>-<family>` for the other families."""
    arch = config.get("arch") or models.DEFAULT
    if not run.name.endswith(f"-{arch}"):
        return []
    base = run.name[: -len(arch) - 1]
    return [f"{base}-{name}" for name in models.names() if name != arch and Run(f"{base}-{name}").exists()]


# -- starting a run -------------------------------------------------------------------------------------
def family_settings(preset: dict, family: models.Family | None, scope: str) -> dict:
    """The family's own settings (e.g. augmentation, EMA), below the shared ones; none for DCGAN."""
    names = family.settings if family else ()
    if not names:
        return {}
    # a clone of another family's run carries None for these: start from this family's defaults
    preset = {**preset, **{n: family.defaults[n] for n in names if preset.get(n) is None}}
    st.markdown("**This family's settings**")
    c1, c2 = st.columns(2)
    widgets = {
        "loss": lambda c: c.selectbox("Loss", LOSSES, index=LOSSES.index(preset["loss"]),
                                      help=ADVANCED_HELP["loss"], key=scope + "loss"),
        "spectral_norm": lambda c: c.toggle("Spectral norm in D", bool(preset["spectral_norm"]),
                                            help=ADVANCED_HELP["spectral_norm"], key=scope + "spectral_norm"),
        "augment": lambda c: ",".join(c.multiselect(
            "Augmentation", AUGMENT_POLICIES, [p for p in str(preset["augment"]).split(",") if p in AUGMENT_POLICIES],
            help=ADVANCED_HELP["augment"], key=scope + "augment")) or "none",
        "augment_strength": lambda c: c.number_input(
            "Augmentation strength", 0.0, 4.0, float(preset["augment_strength"]), step=0.25,
            help=ADVANCED_HELP["augment_strength"], key=scope + "augment_strength"),
        "ema": lambda c: c.number_input("Generator average (EMA decay)", 0.0, 0.9999, float(preset["ema"]),
                                        format="%.4f", step=0.001, help=ADVANCED_HELP["ema"], key=scope + "ema"),
        "ema_rampup": lambda c: c.number_input("EMA warm-up (fraction)", 0.0, 10.0, float(preset["ema_rampup"]),
                                               step=0.01, help=ADVANCED_HELP["ema_rampup"], key=scope + "ema_rampup"),
        "r1": lambda c: c.number_input("R1 penalty (gamma)", 0.0, 1e4, float(preset["r1"]), step=0.1,
                                       help=ADVANCED_HELP["r1"], key=scope + "r1"),
        "r1_every": lambda c: c.number_input("R1 every k steps", 1, 64, int(preset["r1_every"]),
                                             help=ADVANCED_HELP["r1_every"], key=scope + "r1_every"),
        "g_block": lambda c: c.selectbox("Generator blocks", G_BLOCKS, index=G_BLOCKS.index(preset["g_block"]),
                                         help=ADVANCED_HELP["g_block"], key=scope + "g_block"),
    }
    return {name: widgets[name]((c1, c2)[k % 2]) for k, name in enumerate(names)}


def advanced_settings(preset: dict, defaults: dict, scope: str, family: models.Family | None = None) -> dict:
    """Every setting, starting from the preset (over the family's defaults). Widgets are keyed by `scope`
    (family and preset), so picking another family or preset starts them from its own values."""
    c1, c2 = st.columns(2)

    def number(column, name: str, label: str, low, high, value, **kwargs):
        return column.number_input(label, low, high, value, help=ADVANCED_HELP[name], key=scope + name, **kwargs)

    def choice(column, name: str, label: str, options, index: int = 0, **kwargs):
        return column.selectbox(label, options, index=index, help=ADVANCED_HELP[name], key=scope + name, **kwargs)

    return {
        **family_settings(preset, family, scope),
        "epochs": number(c1, "epochs", "Epochs", 1, 100_000, int(preset.get("epochs", 30))),
        "resolution": choice(c2, "resolution", "Resolution", RESOLUTIONS,
                             RESOLUTIONS.index(preset.get("resolution", 64))),
        "batch_size": number(c1, "batch_size", "Batch size", 1, 4096, int(preset["batch_size"])),
        "max_images": number(c2, "max_images", "Max images (0 = all)", 0, 10_000_000,
                             int(preset.get("max_images") or 0)),
        "save_every": number(c1, "save_every", "Save generator every K epochs (0 = auto)", 0, 100_000,
                             int(defaults.get("save_every") or 0)),
        "seed": number(c2, "seed", "Seed", 0, 2**31 - 1, int(preset.get("seed", 0))),
        "lr_g": number(c1, "lr_g", "Generator learning rate", 1e-6, 1.0, float(preset["lr_g"]),
                       format="%.5f", step=1e-5),
        "lr_d": number(c2, "lr_d", "Discriminator learning rate", 1e-6, 1.0, float(preset["lr_d"]),
                       format="%.5f", step=1e-5),
        "beta1": number(c1, "beta1", "Adam beta1", 0.0, 0.999, float(preset["beta1"])),
        "latent_dim": number(c2, "latent_dim", "Latent size (z)", 2, 1024, int(preset["latent_dim"])),
        "width": number(c1, "width", "Network width", 4, 512, int(preset["width"])),
        "xla": choice(c2, "xla", "XLA", ["auto", "on", "off"]),
        "precision": choice(c1, "precision", "Precision", list(PRECISIONS)),
    }


def family_picker(preferred: str | None, images: int, resolution: int) -> models.Family:
    """The GAN family to train, each explained in two plain lines; it starts on the family that measured best
    for this many images at this size, again whenever the dataset or preset changes that answer."""
    names = models.names()
    best, why = models.recommended(images, resolution)
    if preferred in names:  # a clone's family (widget state can be set before the widget is drawn)
        st.session_state[ARCH_KEY] = preferred
    elif st.session_state.get(ARCH_KEY) not in names or st.session_state.get(RECOMMENDED_KEY) != best:
        st.session_state[ARCH_KEY] = best
    st.session_state[RECOMMENDED_KEY] = best
    name = st.radio("GAN family", names, horizontal=True, format_func=lambda n: models.get(n).title, key=ARCH_KEY)
    family = models.get(name)
    measured = f"Measured best here: **{models.get(best).title}** ({why})."
    st.caption("  \n".join([*family.summary, measured]))
    return family


def stop_after() -> tuple[tuple[str, ...], str | None]:
    """How the run ends: after its epochs, after some minutes, or at a clock time; the trainer's flags for it
    and a few words for the estimate ("90 minutes", "17:30")."""
    how = st.radio("Stop after", (EPOCHS, MINUTES, CLOCK), horizontal=True, key=STOP_KEY,
                   help="With a time limit the run stops by itself at the end of the epoch in progress when the "
                        "time is up, keeps a checkpoint, and Resume continues it; or after its epochs (Advanced "
                        "settings) if those come first.")
    if how == MINUTES:
        minutes = st.number_input("Minutes", SMALLEST_LIMIT, 100_000.0, 60.0, step=5.0, key=MINUTES_KEY)
        return ("--minutes", f"{minutes:g}"), f"{minutes:g} minutes"
    if how == CLOCK:
        soon = (dt.datetime.now() + dt.timedelta(hours=1)).replace(second=0, microsecond=0)
        at = st.time_input("Stop at (this computer's clock; tomorrow if already past)",
                           soon.time().replace(minute=soon.minute - soon.minute % 5), step=300, key=UNTIL_KEY)
        return ("--until", at.strftime("%H:%M")), at.strftime("%H:%M")
    return (), None


def minutes_until(clock: str) -> float:
    """Minutes from now until the next HH:MM on this computer's clock (for the estimate)."""
    from gan_core.training.time_box import next_clock_time

    return (next_clock_time(clock).timestamp() - time.time()) / 60


def new_run_form() -> None:
    sets = datasets()
    if not sets:
        st.info("There is no dataset yet. Build the built-in cartoon faces (or import your own) first.")
        st.page_link("pages/datasets.py", label="Go to Datasets", icon=":material/photo_library:")
        st.code("python -m gan_core.datasets build cartoon-faces --count 2000 --resolution 32", language="bash")
        return
    if not lock.can_change():
        lock.explain_locked("start training")
        return
    defaults = st.session_state.pop(FORM_KEY, None) or {}
    names = [d.name for d in sets]
    left, right = st.columns([3, 2], gap="large")
    with left:
        wanted = defaults.get("dataset") or st.query_params.get("dataset")  # a clone, or a link naming one
        dataset_name = st.selectbox("Dataset", names, index=names.index(wanted) if wanted in names else 0)
        dataset = next(d for d in sets if d.name == dataset_name)
        preset_name = st.radio("Preset", list(PRESETS) + (["Settings of the run you cloned"] if defaults else []),
                               index=len(PRESETS) if defaults else 0, horizontal=True)
        preset = {**PRESETS.get(preset_name, {}), **defaults}
        images = min(dataset.count, preset.get("max_images") or dataset.count)
        family = family_picker(defaults.get("arch") if defaults else None, images,
                               preset.get("resolution") or dataset.resolution)
        preset = {**family.defaults, **preset}
        if "note" in preset:
            st.caption(preset["note"])
        run_name = st.text_input("Run name", value=unique_run_name(defaults.get("run") or f"{dataset_name}-run"),
                                 help="Letters, digits, '.', '_' and '-'; it names the folder under checkpoints/.")
        limit, limit_words = stop_after()
        with st.expander("Advanced settings"):
            settings = advanced_settings(preset, defaults, f"adv-{family.name}-{preset_name}-", family)
        settings = {**settings, "arch": family.name, "run": run_name, "dataset": dataset_name,
                    "max_images": settings["max_images"] or None, "save_every": settings["save_every"] or None}
    with right:  # drawn before the estimate, which may first have to load TensorFlow to count FLOPs
        montage = dataset_montage(dataset)
        if montage is not None:
            st.image(montage, caption=f"{dataset.name}: {dataset.count:,} images, {dataset.resolution} px",
                     width="stretch", output_format="PNG")
    with left:
        images = min(dataset.count, settings["max_images"] or dataset.count)
        device = device_info()
        with st.spinner("Estimating the time per epoch…"):
            speed, source = images_per_sec(settings["arch"], settings["resolution"], dataset.channels,
                                           settings["width"], settings["latent_dim"], device.kind,
                                           settings["precision"])
        per_epoch = images / max(speed, 1e-9)
        st.markdown(f"**About {duration(per_epoch)} per epoch**, {duration(per_epoch * settings['epochs'])} in all "
                    f"on {device.kind} ({images:,} images at about {speed:,.0f} images/s, {source}).")
        if limit:
            by_clock = limit[0] == "--until"
            box_s = 60 * (minutes_until(limit_words) if by_clock else float(limit[1]))
            fits = int(box_s // max(per_epoch, 1e-9))
            when = f"the epoch in progress at {limit_words}" if by_clock else limit_words
            capped = f" (at most {settings['epochs']:,}: raise Epochs in Advanced settings for more)" \
                if fits > settings["epochs"] else ""
            st.markdown(f"Stops after **{when}**: about {min(fits, settings['epochs']):,} epochs{capped}, "
                        "with a checkpoint; Resume continues.")
        start, both = st.columns([1, 2])
        every = "Train both families" if len(models.names()) == 2 else "Train every family"
        if start.button("Start training", type="primary", icon=":material/play_arrow:"):
            start_or_explain(functools.partial(launch, limit=limit), settings)
        if both.button(every, icon=":material/compare:",
                       help="The same dataset, size, epochs and seed with each GAN family (each with its own "
                            "learning rates and settings), queued one after the other; the Epochs page then "
                            "compares them side by side."):
            start_or_explain(functools.partial(launch_every_family, limit=limit), settings)
        cloud_offer(settings, limit)


def cloud_offer(settings: dict, limit: tuple[str, ...]) -> None:
    """The same run, to train on a hosted GPU: the notebook filled in with these settings, the dataset archive
    and the package, as one zip (made on request: it exports the dataset and may build a wheel)."""
    with st.expander("Train on a cloud GPU (Colab, Kaggle)", icon=":material/cloud_upload:"):
        st.markdown("1. Download the bundle below and unzip it.  \n"
                    "2. Colab: *File > Upload notebook* `train_on_gpu.ipynb`, pick a T4 GPU, upload the other files "
                    "beside it. Kaggle: *Import notebook*, choose a GPU accelerator, *Add Input > Upload* them.  \n"
                    "3. *Run all*. It stops by itself after the time limit and downloads the run: import it on "
                    "the Datasets page (or `python -m gan_core.transfer import RUN.run.zip`).")
        start = float(limit[1]) if limit[:1] == ("--minutes",) else 120.0  # the page's own time limit, if any
        minutes = st.number_input("Time limit on the GPU (minutes)", SMALLEST_LIMIT, 100_000.0, start, step=15.0,
                                  key=f"{CLOUD_MINUTES_KEY}-{start:g}",
                                  help="Colab's free sessions last a few hours at most; a run stopped by its limit "
                                  "(or a lost session) continues when run again.")
        wanted = json.dumps({**settings, "minutes": minutes}, sort_keys=True)
        made = st.session_state.get(CLOUD_KEY)
        if st.button("Make the bundle", icon=":material/package_2:", key="cloud_make"):
            from gan_core.cloud.bundle import cloud_bundle

            with st.spinner("Exporting the dataset and packing the notebook…"):
                try:
                    made = st.session_state[CLOUD_KEY] = (wanted, cloud_bundle(settings, minutes=minutes))
                except UsageError as exc:
                    st.error(str(exc))
        if made and made[0] == wanted:
            st.download_button(f"Download {settings['run']}-cloud-gpu.zip ({len(made[1]) / 2**20:.1f} MB)",
                               made[1], file_name=f"{settings['run']}-cloud-gpu.zip", mime="application/zip",
                               icon=":material/download:", type="primary", key="cloud_download")


def start_or_explain(start, settings: dict) -> None:
    """Start (then redraw on the run), or show the one-line reason it cannot start."""
    try:
        start(settings)
    except UsageError as exc:
        st.error(str(exc))
    else:
        st.rerun()


# -- watching a run -------------------------------------------------------------------------------------
def controls(run: Run, status: dict, config: dict) -> None:
    state = status.get("state")
    if not lock.can_change():
        st.caption("Read-only: the facilitator can stop, resume or delete runs.")
        return
    c1, box, c2, c3, c4 = st.columns([2, 2, 2, 3, 2], vertical_alignment="bottom")
    if state in ("running", "queued"):
        stopping = run.stop_file.exists()
        if c1.button("Stopping..." if stopping else "Stop", icon=":material/stop:", disabled=stopping,
                     help="Stops within a few steps and keeps a checkpoint; Resume continues."):
            jobs.stop(run)
            st.rerun(scope="fragment")
        return
    if config:
        more = c1.number_input("Train until epoch", int(status.get("epoch") or 0) + 1, 100_000,
                               int(max(config.get("epochs", 1), (status.get("epoch") or 0) + 10)),
                               key=f"more-{run.name}", help="Resume trains until this epoch.")
        minutes = box.number_input("For at most (minutes)", 0.0, 100_000.0, 0.0, step=5.0, key=f"box-{run.name}",
                                   help="A time limit for the resumed training: it stops by itself at the end of the "
                                   "epoch in progress when the time is up. 0 = no limit.")
        if c2.button("Resume", icon=":material/play_arrow:", help="Continue this run from its last checkpoint."):
            try:
                launch({"run": run.name, "epochs": int(more)}, resume=True,
                       limit=("--minutes", f"{minutes:g}") if minutes > 0 else ())
            except UsageError as exc:
                st.error(str(exc))
            else:
                st.rerun(scope="app")
        if c3.button("Train again with changes", icon=":material/content_copy:",
                     help="A new run with this run's settings, e.g. a lower learning rate."):
            st.session_state[FORM_KEY] = {k: v for k, v in config.items() if k in TrainConfig.__dataclass_fields__}
            go_to(NEW)
            st.rerun(scope="app")
    with c4.popover("Delete", icon=":material/delete:"):
        st.write(f"Delete **{md_escape(run.name)}** and all its checkpoints? This cannot be undone.")
        if st.button("Yes, delete it", type="primary", key=f"del-{run.name}"):
            try:
                jobs.delete(run)
            except UsageError as exc:
                st.error(str(exc))
            else:
                go_to(WATCH)
                st.rerun(scope="app")


@st.fragment(run_every=LIVE_REFRESH_S)
def live_panel(name: str, drawn_state: str) -> None:
    """Re-reads the run every LIVE_REFRESH_S; when its state changes, the whole page is redrawn."""
    run = Run(name)
    if not run.exists():
        st.warning(f"Run {name} is gone (deleted?).")
        return
    status, config = run.status(), run.config()
    state = status.get("state", "unknown")
    if state != drawn_state:
        st.rerun(scope="app")  # the run list, queue and controls around this panel change with the state
    epoch, epochs = int(status.get("epoch") or 0), int(status.get("epochs") or config.get("epochs") or 0)
    steps_total = int(status.get("steps_per_epoch") or 0) * epochs
    st.markdown(f"### {md_escape(name)} &nbsp; {state_badge(state)}")
    if state == "queued":
        queue = [r.name for r in jobs.runs_in("queued")]
        ahead = queue.index(name) if name in queue else 0
        st.info(f"Waiting for a free slot: {ahead} run(s) ahead in the queue, at most {jobs.max_running()} "
                f"training at a time. It starts by itself.", icon=":material/schedule:")
    elif state == "failed":
        st.error(status.get("error") or "The trainer failed.", icon=":material/error:")
        tail = jobs.log_tail(run)
        if tail:
            with st.expander("Trainer log"):
                st.code(tail, language=None)
    elif steps_total or epochs:
        done = min(int(status.get("step") or 0) / steps_total, 1.0) if steps_total else epoch / max(epochs, 1)
        eta = status.get("eta_seconds") if state == "running" else None
        speed = status.get("images_per_sec")
        detail = f"epoch {epoch} of {epochs} · step {status.get('step', 0):,}"
        if speed:
            detail += f" · {speed:,.0f} images/s"
        if eta:
            detail += f" · about {duration(eta)} left"
        deadline = seconds_from_iso(status.get("deadline")) if state == "running" else None
        if deadline is not None:
            detail += f" · stops at {time.strftime('%H:%M', time.localtime(deadline))} (time limit)"
        st.progress(done, text=detail)
        if state == "stopped" and status.get("stopped_by") == "time":
            st.info(f"Its time was up: stopped at the end of epoch {epoch}, with a checkpoint. Resume continues it.",
                    icon=":material/timer:")
    controls(run, status, config)
    for other in siblings(run, config):
        st.page_link("pages/epochs.py", label=f"Compare with {other}, side by side, on the Epochs page",
                     icon=":material/compare:", query_params={"run": name, "compare": other})

    left, right = st.columns([3, 2], gap="large")
    with left:
        shown = run.sample_epochs()
        image = grid_image(run.sample_file(shown[-1]), max_px=GRID_PX) if shown else None
        if image is not None:
            st.image(image, caption=f"Fixed-noise samples after epoch {shown[-1]}", width=GRID_PX,
                     output_format="PNG")
        else:
            st.caption("The first sample grid appears once the networks are built (a few seconds).")
    with right:
        curves = load_curves(run)
        skipped_lines_notice(name, curves.skipped)
        if curves.has_rows:
            st.markdown("**Losses** (markers flag trouble)")
            st.plotly_chart(sparkline(curves, height=260), key=f"loss-{name}")
            st.page_link("pages/curves.py", label="All curves, scores and flags", icon=":material/show_chart:")
        epochs_rows = run.epochs()
        flags = epochs_rows[-1].get("flags") if epochs_rows else None
        for code in flags or []:
            if code in FLAGS:
                st.warning(f"**{FLAGS[code].title}.** {FLAGS[code].meaning} {FLAGS[code].what_to_try}",
                           icon=":material/warning:")
        replicas = int(config.get("replicas") or 1)
        in_sync = f", {replicas} replicas in sync (batch split between them)" if replicas > 1 else ", one replica"
        if epochs_rows and epochs_rows[-1].get("seconds"):
            st.caption(f"Measured: {duration(epochs_rows[-1]['seconds'])} per epoch on {status.get('device', '?')}"
                       f"{in_sync}.")


def watch() -> None:
    views = run_views()
    if not views:
        st.info("No runs yet: start one.")
        return
    names = [v.name for v in views]
    active = [v.name for v in views if v.active]
    if st.session_state.get(RUN_KEY) not in names:
        st.session_state[RUN_KEY] = (active or names)[0]
    # names only: Streamlit keeps a keyed selectbox's option labels from its first draw, so a state in the
    # label went stale ("live (running)" above a finished run); the badge below shows the state, live
    st.selectbox("Run", names, key=RUN_KEY)
    queued = jobs.runs_in("queued")
    if queued:
        st.caption("Queue: " + " → ".join(r.name for r in queued))
    live_panel(st.session_state[RUN_KEY], next(v.state for v in views if v.name == st.session_state[RUN_KEY]))


setup("Train")
st.title("Train")
device = device_info()
st.caption(f"Training on {device.text}. Runs train in the background: you can close this tab.")
if PENDING_KEY in st.session_state:
    mode, run_name = st.session_state.pop(PENDING_KEY)
    st.session_state[MODE_KEY] = mode
    if run_name:
        st.session_state[RUN_KEY] = run_name
if st.session_state.get(MODE_KEY) is None:  # first visit, or the active option clicked off
    st.session_state[MODE_KEY] = WATCH if run_views() and "dataset" not in st.query_params else NEW
st.segmented_control("Mode", [WATCH, NEW], key=MODE_KEY, label_visibility="collapsed")
if st.session_state[MODE_KEY] == NEW:
    new_run_form()
else:
    watch()
