"""Latent paths (slerp, lerp, walks) and `generate --interpolate` on a real tiny run."""

import numpy as np
import pytest
from helpers import assert_one_line_error, cli, generate_here, pixels

from gan_core.explore.interpolate import lerp, path, random_walk, slerp, through
from gan_core.models.saved import sample_z


def test_slerp_endpoints_are_exact_and_norms_stay_on_the_shell():
    a, b = sample_z(2, 100, seed=3)
    z = path(a, b, 9, "slerp")
    assert np.array_equal(z[0], a) and np.array_equal(z[-1], b)
    norms = np.linalg.norm(z, axis=1)
    # between two nearly orthogonal vectors of norm ~10, slerp's middle keeps norm ~10; lerp's sags to ~7
    assert norms.min() > 0.9 * min(norms[0], norms[-1])
    mid_lerp = np.linalg.norm(lerp(a, b, np.array([0.5]))[0])
    assert mid_lerp < 0.8 * np.linalg.norm(z[4])


def test_slerp_of_parallel_vectors_falls_back_to_lerp():
    a = sample_z(1, 16, seed=1)[0]
    assert np.allclose(slerp(a, 2 * a, np.array([0.5]))[0], 1.5 * a)


def test_path_through_several_points_and_a_walk():
    points = sample_z(3, 8, seed=0)
    z = through(points, 5)
    assert len(z) == 9 and np.array_equal(z[4], points[1]) and np.array_equal(z[-1], points[2])
    walk = random_walk(points[0], 30, seed=2)
    assert np.allclose(np.linalg.norm(walk, axis=1), np.linalg.norm(points[0]), rtol=1e-4)
    assert np.array_equal(walk, random_walk(points[0], 30, seed=2))
    assert np.linalg.norm(walk[1] - walk[0]) < np.linalg.norm(walk[-1] - walk[0])  # small steps, going places


@pytest.fixture(scope="module")
def dirs(tiny_run):
    return {"datasets": tiny_run["datasets_dir"], "checkpoints": tiny_run["checkpoints_dir"]}


def test_generate_interpolate_writes_frames_and_a_strip(dirs, tmp_path, monkeypatch):
    """The command line draws the path once; the same path drawn again (and seed 9 alone) in this process."""
    out, again = tmp_path / "a", tmp_path / "b"
    cli(dirs, "gan_core.generate", "tiny", "--interpolate", "5", "9", "--steps", "6", "--out", out)
    generate_here(dirs, monkeypatch, "tiny", "--interpolate", "5", "9", "--steps", "6", "--out", again)
    frames = sorted(out.glob("*_0000[0-9].png"))
    assert len(frames) == 6
    assert all(np.array_equal(pixels(x), pixels(y)) for x, y in zip(frames, sorted(again.glob("*_0000[0-9].png")),
                                                                    strict=True))
    # the first frame is seed 5's first sample, the last is seed 9's: the same images `--count` gives
    single = tmp_path / "single"
    generate_here(dirs, monkeypatch, "tiny", "--count", "1", "--seed", "9", "--out", single)
    assert np.array_equal(pixels(frames[-1]), pixels(next(single.glob("*.png"))))
    strip = pixels(next(out.glob("*_strip.png")))
    assert strip.shape[1] == 6 * 32 + 7 * 2 and strip.shape[0] == 32 + 2 * 2


def test_generate_interpolate_to_gif_and_mp4(dirs, tmp_path, monkeypatch):
    import av
    from PIL import Image

    cli(dirs, "gan_core.generate", "tiny", "--interpolate", "1", "2", "--steps", "5", "--out", tmp_path / "m.gif")
    generate_here(dirs, monkeypatch, "tiny", "--interpolate", "1", "2", "--steps", "5", "--out", tmp_path / "m.mp4")
    with Image.open(tmp_path / "m.gif") as gif:
        assert gif.n_frames == 8  # 5 there, 3 back: loops without a jump
    with av.open(str(tmp_path / "m.mp4")) as mp4:
        assert sum(1 for _ in mp4.decode(video=0)) == 8


@pytest.mark.parametrize("args, fragment", [
    (["--interpolate", "1", "2", "--steps", "1"], "--steps must be between 2 and 1000"),
    (["--interpolate", "1", "2", "--count", "3"], "do not go together"),
    ([], "pass --count N, or --interpolate"),
])
def test_bad_interpolation_input(dirs, tmp_path, args, fragment):
    assert_one_line_error(cli(dirs, "gan_core.generate", "tiny", *args, "--out", tmp_path, check=False), fragment)
