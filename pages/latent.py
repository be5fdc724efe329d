"""Latent space: morph one generated face into another, walk through z, and see the space mature.

Every picture the generator makes starts as a random vector z; a sample is named by its seed (the same
seed gives the same picture in the CLI, on every page and machine). Generators are cached per run and
epoch (`gan_core.explore.latent`, least-recently-used) and shared by every browser session.
"""

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
from gan_core.explore.latent import sample_z
from gan_core.explore.nearest import nearest_real
from gan_core.export import animation as export
from ui import lock
from ui.common import md_escape, run_views, upscale
from ui.page import setup

GRID_SAMPLES = 8
STRIP_PX = 1400
GENERATE_LOCK = threading.Lock()  # one Keras call at a time: sessions share the cached models

setup("Latent space")
st.title("Latent space")
st.caption("Each picture comes from a random vector z of numbers. Morph one into another: if the in-between "
           "pictures are faces too, the generator learned a smooth space rather than memorising pictures.")


def images_for(run: Run, epoch: int, z: np.ndarray) -> np.ndarray:
    from gan_core.core.quiet_tf import import_tensorflow
    from gan_core.explore.latent import generate, load_generator

    import_tensorflow()
    with GENERATE_LOCK:
        generator, _ = load_generator(run, epoch)
        return generate(generator, z)


@st.cache_data(show_spinner=False, max_entries=32)
def animation(frames: np.ndarray, fps: float, suffix: str, labels: tuple[str, ...]) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / f"latent{suffix}"
        captioned = (export.caption(export.enlarge(f, 384), text) for f, text in zip(frames, labels, strict=True))
        export.write(out, captioned, len(frames), fps)
        return out.read_bytes()


views = [v for v in run_views() if v.run.weight_epochs()]
if not views:
    st.info("No run has a saved generator yet. Start one on the Train page; its generator is saved from the "
            "first epoch on.", icon=":material/info:")
    st.page_link("pages/train.py", label="Go to Train", icon=":material/model_training:")
    st.stop()

c1, c2 = st.columns([2, 3])
most_trained = max(range(len(views)), key=lambda i: views[i].epoch)  # the best first impression
name = c1.selectbox("Run", [v.name for v in views], index=most_trained, key="lat_run")
run = Run(name)
config = run.config()
saved = run.weight_epochs()
epoch = c2.select_slider("Epoch (saved generators)", saved, value=saved[-1], key=f"lat_epoch_{name}")
try:  # a damaged config or generator file: say which, keep the epoch picker so another epoch can be chosen
    from gan_core.explore.latent import load_generator, model_config

    latent_dim = model_config(run)["latent_dim"]
    with GENERATE_LOCK:
        load_generator(run, epoch)
except UsageError as exc:
    st.error(f"{exc}. Pick another epoch or run.", icon=":material/broken_image:")
    st.stop()
state = st.session_state
state.setdefault("lat_base", 0)
state.setdefault("lat_a", 1)
state.setdefault("lat_b", 2)
# Favourites: the run's shared file (saved by an unlocked facilitator), plus this browser's own, which a
# locked session keeps in its session only (it may not write shared files).
MINE_KEY = "lat_my_favourites"
mine = state.setdefault(MINE_KEY, {}).setdefault(run.name, {})
favs = {**favourites.load(run, latent_dim), **mine}


def endpoint(which: str) -> tuple[np.ndarray, str]:
    fav = state.get(f"lat_fav_{which}")
    if fav and fav in favs:
        return favs[fav], f"favourite '{fav}'"
    seed = int(state[f"lat_{which}"])
    return sample_z(1, latent_dim, seed)[0], f"seed {seed}"


# -- picking the two ends ----------------------------------------------------------------------------------
st.subheader("1. Pick two samples", anchor=False)
seeds = list(range(state["lat_base"], state["lat_base"] + GRID_SAMPLES))
fresh = images_for(run, epoch, np.concatenate([sample_z(1, latent_dim, s) for s in seeds]))
for col, seed, image in zip(st.columns(GRID_SAMPLES), seeds, fresh, strict=True):
    col.image(upscale(image, 160), caption=f"seed {seed}", width="stretch")
    a, b = col.columns(2)
    if a.button("A", key=f"pick_a_{seed}", width="stretch"):
        state["lat_a"], state["lat_fav_a"] = seed, None
    if b.button("B", key=f"pick_b_{seed}", width="stretch"):
        state["lat_b"], state["lat_fav_b"] = seed, None
c1, c2, c3, c4 = st.columns(4, vertical_alignment="bottom")
if c1.button("New samples", icon=":material/casino:"):
    state["lat_base"] = int(np.random.default_rng().integers(0, 1_000_000))
    st.rerun()
c2.number_input("Seed of A", 0, 2**31 - 1, key="lat_a")
c3.number_input("Seed of B", 0, 2**31 - 1, key="lat_b")
if favs:
    c4.selectbox("or favourites for A", [None, *favs], key="lat_fav_a")
    c4.selectbox("and for B", [None, *favs], key="lat_fav_b")

# -- the morph -------------------------------------------------------------------------------------------
st.subheader("2. Morph A into B (and on to C)", anchor=False)
c1, c2, c3 = st.columns(3)
method = c1.radio("Path", ["slerp", "lerp"], horizontal=True,
                  help="slerp follows the sphere where Gaussian z lives; a straight line (lerp) dips towards the "
                       "centre, where pictures wash out.")
steps = c2.slider("Steps", 4, 32, 12)
temperature = c3.slider("Temperature", 0.3, 1.5, 1.0, 0.1,
                        help="Scales z: below 1 gives typical, safe pictures; above 1 rarer, stranger ones.")
(za, label_a), (zb, label_b) = endpoint("a"), endpoint("b")
points, labels_ab = [za, zb], [label_a, label_b]
if st.toggle("Go on to a third sample, C", key="lat_use_c"):
    seed_c = st.number_input("Seed of C", 0, 2**31 - 1, 3, key="lat_c")
    points.append(sample_z(1, latent_dim, int(seed_c))[0])
    labels_ab.append(f"seed {seed_c}")
z = through(np.stack(points), steps, method) if len(points) > 2 else path(za, zb, steps, method)
steps = len(z)
z = z * temperature
strip = images_for(run, epoch, z)
st.image(upscale(grid(strip, side=steps), STRIP_PX), caption=f"{' → '.join(labels_ab)}, epoch {epoch}, {method}",
         width="stretch")
c1, c2 = st.columns([1, 2])
labels = tuple(f"{i + 1}/{steps}" for i in range(steps))
loop = np.concatenate([strip, strip[::-1][1:-1]])  # there and back, so the loop has no jump
gif = animation(loop, 8.0, ".gif", labels + labels[::-1][1:-1])
c1.image(gif, caption="Looping animation", width=320)
with c2:
    stem = f"{name}_e{epoch}_{method}"
    st.download_button("Strip (PNG)", png_bytes(grid(strip, side=steps)), f"{stem}_strip.png", "image/png",
                       icon=":material/download:", on_click="ignore")
    st.download_button("Animation (GIF)", gif, f"{stem}.gif", "image/gif", icon=":material/download:",
                       on_click="ignore")
    if st.button("Make an MP4", icon=":material/movie:"):
        state["lat_mp4"] = animation(loop, 8.0, ".mp4", labels + labels[::-1][1:-1])
    if state.get("lat_mp4"):
        st.download_button("Animation (MP4)", state["lat_mp4"], f"{stem}.mp4", "video/mp4",
                           icon=":material/download:", on_click="ignore")

# -- the space over training -----------------------------------------------------------------------------
st.subheader("3. The same morph at earlier epochs", anchor=False)
shown = sorted(set(np.linspace(0, len(saved) - 1, min(5, len(saved))).round().astype(int)))
rows = [images_for(run, saved[i], z) for i in shown]
for i, row in zip(shown, rows, strict=True):
    st.image(upscale(grid(row, side=steps), STRIP_PX), caption=f"epoch {saved[i]}", width="stretch")

# -- a random walk, and is it copying? --------------------------------------------------------------------
c1, c2 = st.columns(2, gap="large")
with c1:
    st.subheader("4. A random walk", anchor=False)
    walk_seed = st.number_input("Walk seed", 0, 10_000, 0)
    walk = images_for(run, epoch, random_walk(za, 48, seed=int(walk_seed)) * temperature)
    walk_gif = animation(walk, 12.0, ".gif", tuple(f"step {i + 1}" for i in range(len(walk))))
    st.image(walk_gif, caption=f"Wandering from {label_a}", width=320)
    st.download_button("Walk (GIF)", walk_gif, f"{name}_e{epoch}_walk.gif", "image/gif", icon=":material/download:",
                       on_click="ignore")
with c2:
    st.subheader("5. Is it copying?", anchor=False)
    try:
        real, distance = nearest_real(strip[0], config["dataset"], config["resolution"], config["channels"])
    except UsageError as exc:
        st.info(f"The training set is not here to compare with ({exc}).")
    else:
        g, r = st.columns(2)
        g.image(upscale(strip[0], 256), caption=f"generated ({label_a})", width="stretch")
        r.image(upscale(real, 256), caption=f"nearest training image (distance {distance:.0f} of 255)",
                width="stretch")
        st.caption("Pixel distance to the closest of up to 2,000 training images; a copy would be near 0.")

# -- favourites ------------------------------------------------------------------------------------------
st.subheader("6. Favourites", anchor=False)
c1, c2, c3 = st.columns([2, 1, 1], vertical_alignment="bottom")
fav_name = c1.text_input("Name", placeholder="e.g. grumpy with blue hair")
which = c2.radio("Save", ["A", "B"], horizontal=True)
if c3.button("Save favourite", icon=":material/favorite:"):
    try:
        if lock.can_change():
            favourites.save(run, fav_name, za if which == "A" else zb)
        else:
            mine[favourites.check_name(fav_name)] = np.asarray(za if which == "A" else zb, np.float32)
    except UsageError as exc:
        st.error(str(exc))
    else:
        st.rerun()
if favs:
    st.markdown("Saved for this run: " + ", ".join(f"**{md_escape(n)}**" for n in favs))
if mine:
    st.caption("Yours are kept in this browser only (" + ", ".join(md_escape(n) for n in mine) + "): saving them "
               "for everyone needs the facilitator passcode.")
