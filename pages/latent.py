"""Latent space: morph one generated face into another, walk through z, and see the space mature.

Every picture the generator makes starts as a random vector z; a sample is named by its seed (the same
seed gives the same picture in the CLI, on every page and machine). Generators are cached per run and
epoch (`gan_core.models.saved`, least-recently-used) and shared by every browser session, and so are
each section's pictures drawn from them: thirty people opening the page cost one drawing, not thirty.
"""

import ui.preload  # noqa: F401  (first of all: ui/preload.py says why)

# isort: split
import tempfile
import threading
from pathlib import Path

import numpy as np
import streamlit as st

from gan_core.core.errors import UsageError
from gan_core.core.media import grid, png_bytes
from gan_core.core.runs import Run
from gan_core.explore import favourites
from gan_core.explore.interpolate import path, random_walk, through
from gan_core.explore.nearest import nearest_real
from gan_core.export import animation as export
from gan_core.models.saved import sample_z
from ui import lock
from ui.common import enlarged_png, md_escape, run_views
from ui.page import setup

GRID_SAMPLES = 8
STRIP_PX = 1400
GENERATE_LOCK = threading.Lock()  # one Keras call at a time: sessions share the cached models
RUN_KEY, BASE_KEY, A_KEY, B_KEY, C_KEY, USE_C_KEY = "lat_run", "lat_base", "lat_a", "lat_b", "lat_c", "lat_use_c"
MP4_KEY = "lat_mp4"
# Favourites: the run's shared file (saved by an unlocked facilitator), plus this browser's own, which a
# locked session keeps in its session only (it may not write shared files).
MINE_KEY = "lat_my_favourites"


def fav_key(which: str) -> str:
    return f"lat_fav_{which}"


def generator_key(run: Run, epoch: int) -> tuple:
    """Names one saved generator for the shared caches below: run, epoch, and the file's stamp (a run trained
    again under its name gets new pictures)."""
    weights = run.generator_file(epoch)
    try:
        stamp = (weights.stat().st_mtime_ns, weights.stat().st_size)
    except OSError:
        stamp = None
    return str(run.path), epoch, stamp


def draw(key: tuple, z: np.ndarray) -> np.ndarray:
    """The generator's uint8 pictures for `z`; called inside the shared caches, so once for a whole room."""
    from gan_core.core.quiet_tf import import_tensorflow
    from gan_core.models.saved import generate, load_generator

    import_tensorflow()
    with GENERATE_LOCK:
        generator, _ = load_generator(Run(Path(key[0]).name), key[1])
        return generate(generator, np.asarray(z, np.float32))


# Each section's pictures come from one cache shared by every session, called with a few small arguments:
# Streamlit hashes every argument of a cached call on every script run, and a page making thirty such calls
# per visit spent a fifth of its server time there (benchmarks/LOG.md, "The Latent space page in a room").
CACHE = {"show_spinner": False, "max_entries": 64, "ttl": 3600}


@st.cache_data(**CACHE)
def seed_cells(key: tuple, z: np.ndarray) -> list[bytes]:
    return [enlarged_png(image, 160) for image in draw(key, z)]


@st.cache_data(**CACHE)
def morph_pictures(key: tuple, z: np.ndarray, labels: tuple[str, ...]) -> tuple[np.ndarray, bytes, bytes]:
    """The strip's pictures, the strip as display PNG, and its looping GIF."""
    strip = draw(key, z)
    gif = animation_bytes(*there_and_back(strip, labels), 8.0, ".gif")
    return strip, enlarged_png(grid(strip, side=len(strip)), STRIP_PX), gif


@st.cache_data(**CACHE)
def epoch_rows(keys: tuple[tuple, ...], z: np.ndarray) -> list[bytes]:
    return [enlarged_png(grid(draw(key, z), side=len(z)), STRIP_PX) for key in keys]


@st.cache_data(**CACHE)
def walk_gif(key: tuple, z: np.ndarray) -> bytes:
    return animation_bytes(draw(key, z), tuple(f"step {i + 1}" for i in range(len(z))), 12.0, ".gif")


@st.cache_data(**CACHE)
def copy_check(image: np.ndarray, dataset: str, resolution: int, channels: int) -> tuple[bytes, bytes, float]:
    real, distance = nearest_real(image, dataset, resolution, channels)
    return enlarged_png(image, 256), enlarged_png(real, 256), distance


@st.cache_data(show_spinner=False, max_entries=8)
def loop_mp4(strip: np.ndarray, labels: tuple[str, ...]) -> bytes:
    return animation_bytes(*there_and_back(strip, labels), 8.0, ".mp4")


def there_and_back(frames: np.ndarray, labels: tuple[str, ...]) -> tuple[np.ndarray, tuple[str, ...]]:
    """The frames forward then back (the ends not repeated), so that a loop of them never jumps."""
    return np.concatenate([frames, frames[::-1][1:-1]]), labels + labels[::-1][1:-1]


def animation_bytes(frames: np.ndarray, labels: tuple[str, ...], fps: float, suffix: str) -> bytes:
    """A captioned GIF or MP4 of the frames."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / f"latent{suffix}"
        captioned = (export.caption(export.enlarge(f, 384), text) for f, text in zip(frames, labels, strict=True))
        export.write(out, captioned, len(frames), fps)
        return out.read_bytes()


def pick_run() -> tuple[Run, int, int]:
    """The run and saved epoch to explore, and its z size; stops the page when there is none to use."""
    views = [v for v in run_views() if v.run.weight_epochs()]
    if not views:
        st.info("No run has a saved generator yet. Start one on the Train page; its generator is saved from the "
                "first epoch on.", icon=":material/info:")
        st.page_link("pages/train.py", label="Go to Train", icon=":material/model_training:")
        st.stop()
    c1, c2 = st.columns([2, 3])
    most_trained = max(range(len(views)), key=lambda i: views[i].epoch)  # the best first impression
    name = c1.selectbox("Run", [v.name for v in views], index=most_trained, key=RUN_KEY)
    run = Run(name)
    saved = run.weight_epochs()
    # a run still training replaces its newest generator every epoch: start on the newest one it keeps, so the
    # pictures stay put (and a room of thirty shares one drawing of them)
    training = next(v.active for v in views if v.name == name)
    start = (run.kept_weight_epochs() or saved)[-1] if training else saved[-1]
    epoch_key = f"lat_epoch_{name}"
    if st.session_state.get(epoch_key) not in saved:  # first visit, or the trainer replaced the one picked
        st.session_state.pop(epoch_key, None)
    epoch = c2.select_slider("Epoch (saved generators)", saved, value=start, key=epoch_key)
    try:  # a damaged config or generator file: say which, keep the epoch picker so another epoch can be chosen
        from gan_core.models.saved import load_generator, model_config

        latent_dim = model_config(run)["latent_dim"]
        with GENERATE_LOCK:
            load_generator(run, epoch)
    except UsageError as exc:
        if not run.generator_file(epoch).exists():  # replaced by a newer epoch between listing and loading
            st.session_state.pop(epoch_key, None)
            st.rerun()
        st.error(f"{exc}. Pick another epoch or run.", icon=":material/broken_image:")
        st.stop()
    return run, epoch, latent_dim


def endpoint(which: str, latent_dim: int, favs: dict) -> tuple[np.ndarray, str]:
    fav = st.session_state.get(fav_key(which))
    if fav and fav in favs:
        return favs[fav], f"favourite '{fav}'"
    seed = int(st.session_state[f"lat_{which}"])
    return sample_z(1, latent_dim, seed)[0], f"seed {seed}"


def pick_ends(run: Run, epoch: int, latent_dim: int, favs: dict) -> None:
    st.subheader("1. Pick two samples", anchor=False)
    state = st.session_state
    seeds = list(range(state[BASE_KEY], state[BASE_KEY] + GRID_SAMPLES))
    cells = seed_cells(generator_key(run, epoch), np.concatenate([sample_z(1, latent_dim, s) for s in seeds]))
    for col, seed, picture in zip(st.columns(GRID_SAMPLES), seeds, cells, strict=True):
        col.image(picture, caption=f"seed {seed}", width="stretch", output_format="PNG")
        a, b = col.columns(2)
        if a.button("A", key=f"pick_a_{seed}", width="stretch"):
            state[A_KEY], state[fav_key("a")] = seed, None
        if b.button("B", key=f"pick_b_{seed}", width="stretch"):
            state[B_KEY], state[fav_key("b")] = seed, None
    c1, c2, c3, c4 = st.columns(4, vertical_alignment="bottom")
    if c1.button("New samples", icon=":material/casino:"):
        state[BASE_KEY] = int(np.random.default_rng().integers(0, 1_000_000))
        st.rerun()
    c2.number_input("Seed of A", 0, 2**31 - 1, key=A_KEY)
    c3.number_input("Seed of B", 0, 2**31 - 1, key=B_KEY)
    if favs:
        c4.selectbox("or favourites for A", [None, *favs], key=fav_key("a"))
        c4.selectbox("and for B", [None, *favs], key=fav_key("b"))


def morph(run: Run, epoch: int, latent_dim: int, favs: dict) -> dict:
    """The A-to-B (and on to C) strip with its downloads; returns what the later sections reuse."""
    st.subheader("2. Morph A into B (and on to C)", anchor=False)
    c1, c2, c3 = st.columns(3)
    method = c1.radio("Path", ["slerp", "lerp"], horizontal=True,
                      help="slerp follows the sphere where Gaussian z lives; a straight line (lerp) dips towards "
                           "the centre, where pictures wash out.")
    steps = c2.slider("Steps", 4, 32, 12)
    temperature = c3.slider("Temperature", 0.3, 1.5, 1.0, 0.1,
                            help="Scales z: below 1 gives typical, safe pictures; above 1 rarer, stranger ones.")
    (za, label_a), (zb, label_b) = endpoint("a", latent_dim, favs), endpoint("b", latent_dim, favs)
    points, labels_ab = [za, zb], [label_a, label_b]
    if st.toggle("Go on to a third sample, C", key=USE_C_KEY):
        seed_c = st.number_input("Seed of C", 0, 2**31 - 1, 3, key=C_KEY)
        points.append(sample_z(1, latent_dim, int(seed_c))[0])
        labels_ab.append(f"seed {seed_c}")
    z = through(np.stack(points), steps, method) if len(points) > 2 else path(za, zb, steps, method)
    steps = len(z)
    z = z * temperature
    labels = tuple(f"{i + 1}/{steps}" for i in range(steps))
    strip, strip_png, gif = morph_pictures(generator_key(run, epoch), z, labels)
    st.image(strip_png, caption=f"{' → '.join(labels_ab)}, epoch {epoch}, {method}", width="stretch",
             output_format="PNG")
    c1, c2 = st.columns([1, 2])
    c1.image(gif, caption="Looping animation", width="content")  # a pixel width would make Streamlit shrink
    # the GIF on every run, keeping only its first frame
    with c2:
        stem = f"{run.name}_e{epoch}_{method}"
        # files made when clicked, not on every visit (thirty visitors, few downloads)
        st.download_button("Strip (PNG)", lambda: png_bytes(grid(strip, side=steps)), f"{stem}_strip.png",
                           "image/png", icon=":material/download:", on_click="ignore")
        st.download_button("Animation (GIF)", lambda: gif, f"{stem}.gif", "image/gif", icon=":material/download:",
                           on_click="ignore")
        if st.button("Make an MP4", icon=":material/movie:"):
            st.session_state[MP4_KEY] = loop_mp4(strip, labels)
        if st.session_state.get(MP4_KEY):
            st.download_button("Animation (MP4)", st.session_state[MP4_KEY], f"{stem}.mp4", "video/mp4",
                               icon=":material/download:", on_click="ignore")
    return {"z": z, "steps": steps, "strip": strip, "za": za, "zb": zb, "label_a": label_a,
            "temperature": temperature}


def earlier_epochs(run: Run, m: dict) -> None:
    st.subheader("3. The same morph at earlier epochs", anchor=False)
    saved = run.weight_epochs()
    shown = [saved[i] for i in sorted(set(np.linspace(0, len(saved) - 1, min(5, len(saved))).round().astype(int)))]
    rows = epoch_rows(tuple(generator_key(run, e) for e in shown), m["z"])
    for e, picture in zip(shown, rows, strict=True):
        st.image(picture, caption=f"epoch {e}", width="stretch", output_format="PNG")


def walk_and_copying(run: Run, epoch: int, m: dict) -> None:
    c1, c2 = st.columns(2, gap="large")
    with c1:
        st.subheader("4. A random walk", anchor=False)
        walk_seed = st.number_input("Walk seed", 0, 10_000, 0)
        walk = walk_gif(generator_key(run, epoch), random_walk(m["za"], 48, seed=int(walk_seed)) * m["temperature"])
        st.image(walk, caption=f"Wandering from {m['label_a']}", width="content")
        st.download_button("Walk (GIF)", lambda: walk, f"{run.name}_e{epoch}_walk.gif", "image/gif",
                           icon=":material/download:", on_click="ignore")
    with c2:
        st.subheader("5. Is it copying?", anchor=False)
        config = run.config()
        try:
            generated, real, distance = copy_check(m["strip"][0], config["dataset"], config["resolution"],
                                                   config["channels"])
        except UsageError as exc:
            st.info(f"The training set is not here to compare with ({exc}).")
        else:
            g, r = st.columns(2)
            g.image(generated, caption=f"generated ({m['label_a']})", width="stretch",
                    output_format="PNG")
            r.image(real, caption=f"nearest training image (distance {distance:.0f} of 255)",
                    width="stretch", output_format="PNG")
            st.caption("Pixel distance to the closest of up to 2,000 training images; a copy would be near 0.")


def favourites_panel(run: Run, m: dict, favs: dict, mine: dict) -> None:
    st.subheader("6. Favourites", anchor=False)
    c1, c2, c3 = st.columns([2, 1, 1], vertical_alignment="bottom")
    fav_name = c1.text_input("Name", placeholder="e.g. grumpy with blue hair")
    which = c2.radio("Save", ["A", "B"], horizontal=True)
    if c3.button("Save favourite", icon=":material/favorite:"):
        z = m["za"] if which == "A" else m["zb"]
        try:
            if lock.can_change():
                favourites.save(run, fav_name, z)
            else:
                mine[favourites.check_name(fav_name)] = np.asarray(z, np.float32)
        except UsageError as exc:
            st.error(str(exc))
        else:
            st.rerun()
    if favs:
        st.markdown("Saved for this run: " + ", ".join(f"**{md_escape(n)}**" for n in favs))
    if mine:
        st.caption("Yours are kept in this browser only (" + ", ".join(md_escape(n) for n in mine) + "): saving "
                   "them for everyone needs the facilitator passcode.")


# -- the page ------------------------------------------------------------------------------------------
setup("Latent space")
st.title("Latent space")
st.caption("Each picture comes from a random vector z of numbers. Morph one into another: if the in-between "
           "pictures are faces too, the generator learned a smooth space rather than memorising pictures.")
for key, start in ((BASE_KEY, 0), (A_KEY, 1), (B_KEY, 2)):
    st.session_state.setdefault(key, start)
run, epoch, latent_dim = pick_run()
mine = st.session_state.setdefault(MINE_KEY, {}).setdefault(run.name, {})
favs = {**favourites.load(run, latent_dim), **mine}
pick_ends(run, epoch, latent_dim, favs)
m = morph(run, epoch, latent_dim, favs)
earlier_epochs(run, m)
walk_and_copying(run, epoch, m)
favourites_panel(run, m, favs, mine)
