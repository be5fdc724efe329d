"""Running the project's command lines the way a user does, against temporary data folders."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import av
import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]


def cli_env(dirs: dict, **extra) -> dict:
    env = dict(os.environ)
    env.update(GAN_DATASETS_DIR=str(dirs["datasets"]), GAN_CHECKPOINTS_DIR=str(dirs["checkpoints"]),
               TF_CPP_MIN_LOG_LEVEL="3", PYTHONUNBUFFERED="1")
    env.pop("GAN_LOGICAL_CPUS", None)
    env.update(extra)
    return env


def cli(dirs: dict, module: str, *args, check: bool = True, timeout: float = 600, **env) -> subprocess.CompletedProcess:
    p = subprocess.run([sys.executable, "-m", module, *map(str, args)], cwd=ROOT, env=cli_env(dirs, **env),
                       capture_output=True, text=True, timeout=timeout)
    if check and p.returncode != 0:
        raise AssertionError(f"{module} {' '.join(map(str, args))} exited {p.returncode}:\n{p.stderr[-3000:]}")
    return p


def generate_here(dirs: dict, monkeypatch, *args) -> None:
    """`gan_core.generate`'s main() in this process: a child of its own would start TensorFlow again (~5 s)."""
    from gan_core.generate import main

    monkeypatch.setenv("GAN_DATASETS_DIR", str(dirs["datasets"]))
    monkeypatch.setenv("GAN_CHECKPOINTS_DIR", str(dirs["checkpoints"]))
    assert main([str(a) for a in args]) == 0


def popen(dirs: dict, module: str, *args, **env) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", module, *map(str, args)], cwd=ROOT, env=cli_env(dirs, **env),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def wait_for(predicate, timeout: float, what: str) -> None:
    end = time.time() + timeout
    while time.time() < end:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def read_jsonl(path) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text().splitlines() if line.strip()]


def read_json(path) -> dict:
    return json.loads(Path(path).read_text())


def pixels(path) -> np.ndarray:
    return np.asarray(Image.open(path))


def assert_one_line_error(p: subprocess.CompletedProcess, *fragments: str) -> None:
    assert p.returncode != 0, f"expected failure, got exit 0: {p.stdout}"
    assert "Traceback" not in p.stderr, p.stderr
    lines = [line for line in p.stderr.strip().splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line on stderr, got: {p.stderr!r}"
    assert lines[0].startswith("error: "), lines[0]
    for fragment in fragments:
        assert fragment in lines[0], f"{fragment!r} not in {lines[0]!r}"


def frame_colour(i: int) -> tuple[int, int, int]:
    return 16 * (i % 16) + 8, 16 * (i // 16) + 8, 128


def frame_index(image: np.ndarray) -> int:
    r, g, _ = image.reshape(-1, 3).mean(axis=0)
    return int(round((r - 8) / 16)) + 16 * int(round((g - 8) / 16))


def make_video(path, frames: int, *, fps: int = 25, size=(64, 48), codec: str = "libx264", gop: int | None = None,
               content=None, preset: str = "ultrafast") -> Path:
    """Encode `frames` frames; `content(i)` gives frame i as an RGB array (default: the index colour)."""
    w, h = size
    with av.open(str(path), "w") as out:
        stream = out.add_stream(codec, rate=fps)
        stream.width, stream.height = w, h
        stream.pix_fmt = "yuv420p"
        if gop:
            stream.codec_context.gop_size = gop
        if codec == "libx264":
            stream.options = {"preset": preset, "crf": "12"}  # ultrafast: no B-frames; medium: many
        for i in range(frames):
            image = content(i) if content else np.full((h, w, 3), frame_colour(i), np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


EVERY_PAGE = ["app.py", "pages/train.py", "pages/epochs.py", "pages/latent.py", "pages/curves.py"]


def page_holds(page: str, timeout: float = 120):
    """`page` under AppTest with the env as it is, run once; it must not raise (returns the AppTest)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    if page != "app.py":
        at.switch_page(page)
    at.run()
    assert not at.exception, (page, [e.value for e in at.exception])
    return at


def pages_hold(pages: list[str], timeout: float = 180) -> dict:
    """Every page in `pages` once (damaged or wrong-shaped files: none may raise); page -> its AppTest."""
    return {page: page_holds(page, timeout) for page in pages}


def open_page(page: str):
    """`page` under AppTest with the env as it is; it must draw without an exception, pictures or curves."""
    at = page_holds(page)
    assert at.get("image") or at.get("plotly_chart"), "the run's pictures or curves are drawn"
    return at

