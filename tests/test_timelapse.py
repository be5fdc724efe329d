"""Timelapse export (`python -m gan_core.timelapse`) on a real 4-epoch run: GIF and MP4 decode with the right
frame count (hold included), size and caption band; one sample is the same cell of every grid; bad input is
one line."""

import av
import helpers
import numpy as np
import pytest
from PIL import Image, ImageSequence

from gan_core.core.media import cell
from gan_core.export.animation import band_height, enlarge


@pytest.fixture(scope="module")
def run4(tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("timelapse")
    dirs = {"datasets": base / "datasets", "checkpoints": base / "checkpoints", "base": base}
    helpers.cli(dirs, "gan_core.datasets", "build", "cartoon-faces", "--count", "64", "--resolution", "32")
    helpers.cli(dirs, "gan_core.train", "--dataset", "cartoon-faces", "--run", "t", "--epochs", "4",
                "--resolution", "32", "--batch-size", "32", "--width", "16", "--save-every", "1")
    return dirs


def gif_frames(path) -> list[np.ndarray]:
    with Image.open(path) as im:
        return [np.asarray(f.convert("RGB")) for f in ImageSequence.Iterator(im)]


def test_every_epoch_has_a_grid(run4):
    samples = sorted(p.name for p in (run4["checkpoints"] / "t" / "samples").glob("epoch_*.png"))
    assert samples == [f"epoch_{e:04d}.png" for e in range(5)]


def test_gif_frames_size_hold_and_caption(run4):
    out = run4["base"] / "film.gif"
    p = helpers.cli(run4, "gan_core.timelapse", "t", "--out", out, "--fps", "4", "--size", "256", "--hold", "1")
    assert "5 frames" in p.stdout
    frames = gif_frames(out)
    assert len(frames) == 5  # epochs 0..4; a GIF holds by a longer last delay: 250 ms + 1 s
    with Image.open(out) as im:
        delays = [f.info["duration"] for f in ImageSequence.Iterator(im)]
    assert delays == [250, 250, 250, 250, 1250]
    band = band_height(256)
    assert frames[0].shape == (256 + band, 256, 3)
    caption = frames[0][256:]
    assert caption.max() > 200 and np.median(caption) < 40  # light text on a dark band
    assert not np.array_equal(frames[0][256:], frames[1][256:])  # "epoch 0" vs "epoch 1"


def test_mp4_is_h264_yuv420p_even_and_decodes(run4):
    out = run4["base"] / "film.mp4"
    helpers.cli(run4, "gan_core.timelapse", "t", "--out", out, "--from", "1", "--to", "3", "--fps", "5",
                "--size", "201", "--hold", "0.4")
    with av.open(str(out)) as c:
        s = c.streams.video[0]
        assert s.codec_context.name == "h264" and s.codec_context.pix_fmt == "yuv420p"
        decoded = [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]
    assert len(decoded) == 3 + 2  # epochs 1..3, then 0.4 s at 5 fps holding the last
    h, w = decoded[0].shape[:2]
    assert h % 2 == 0 and w % 2 == 0 and w == 200


def test_single_sample_is_the_same_cell_of_each_grid(run4):
    out = run4["base"] / "face.gif"
    helpers.cli(run4, "gan_core.timelapse", "t", "--out", out, "--sample", "10", "--size", "64", "--hold", "0")
    frames = gif_frames(out)
    assert len(frames) == 5
    for epoch, frame in enumerate(frames):
        grid = helpers.pixels(run4["checkpoints"] / "t" / "samples" / f"epoch_{epoch:04d}.png")[..., :3]
        want = enlarge(cell(grid, 10, 8, 32), 64)
        got = frame[:64]
        # GIF palettes may shift a colour slightly; the picture must be that cell, not any other
        assert np.abs(got.astype(int) - want.astype(int)).mean() < 6
        other = enlarge(cell(grid, 11, 8, 32), 64)
        assert np.abs(got.astype(int) - want.astype(int)).mean() < np.abs(got.astype(int) - other.astype(int)).mean()


@pytest.mark.parametrize("args, fragment", [
    (["--out", "x.avi"], ".gif or .mp4"),
    (["--out", "x.gif", "--from", "3", "--to", "1"], "after"),
    (["--out", "x.gif", "--from", "50", "--to", "60"], "no sample grids between"),
    (["--out", "x.gif", "--from", "-1"], "negative"),
    (["--out", "x.gif", "--sample", "64"], "--sample"),
    (["--out", "x.gif", "--fps", "0"], "--fps"),
    (["--out", "x.gif", "--size", "5"], "--size"),
    (["--out", "x.gif", "--fps", "fast"], "--fps"),
    (["--out", "/no/such/folder/x.gif"], "does not exist"),
])
def test_bad_input_is_one_line(run4, args, fragment):
    p = helpers.cli(run4, "gan_core.timelapse", "t", *args, check=False)
    helpers.assert_one_line_error(p, fragment)


def test_unknown_run_is_one_line(run4):
    p = helpers.cli(run4, "gan_core.timelapse", "nope", "--out", "x.gif", check=False)
    helpers.assert_one_line_error(p, "no run named 'nope'")
