"""Visual complexity: known orderings on made-to-measure datasets, P.910 TI on videos, determinism, the
cache, and the `python -m gan_core.complexity` command line.

The two picture sets are the workshop's story in miniature: a flat-coloured cartoon (a few flat shapes
with black outlines on a flat background) and a textured "film" (colour blotches under fine grain).
"""

import json

import numpy as np
import pytest
from helpers import assert_one_line_error, cli, make_video
from PIL import Image, ImageDraw

from gan_core.complexity import COMPOSITE, MEASURES, compare, profile
from gan_core.complexity import measures as m
from gan_core.complexity.profile import CACHE_FILE
from gan_core.core.errors import UsageError
from gan_core.datasets.importer import import_videos
from gan_core.datasets.store import DatasetWriter

SIDE = 64
COUNT = 96
AGREE = ("compressed_bits_per_pixel", "palette_entropy", "edge_density", "intrinsic_dimension")


def colour(rng) -> tuple[int, int, int]:
    return tuple(int(v) for v in rng.integers(0, 256, 3))


def flat_cartoon(rng, side: int = SIDE) -> np.ndarray:
    image = Image.new("RGB", (side, side), colour(rng))
    draw = ImageDraw.Draw(image)
    for _ in range(3):
        x, y = rng.integers(0, side - 16, 2)
        w, h = rng.integers(10, side // 2, 2)
        draw.ellipse([x, y, x + w, y + h], fill=colour(rng), outline=(0, 0, 0), width=2)
    return np.asarray(image)


def textured(rng, side: int = SIDE) -> np.ndarray:
    blotches = Image.fromarray(rng.integers(0, 256, (side // 4, side // 4, 3), dtype=np.uint8))
    base = np.asarray(blotches.resize((side, side), Image.BICUBIC), np.float32)
    return np.clip(base + rng.normal(0, 40, base.shape), 0, 255).astype(np.uint8)


def write(name: str, frames, channels: int = 3) -> None:
    with DatasetWriter(name, SIDE, channels, kind="images", source="test") as writer:
        for frame in frames:
            writer.add(frame)
        writer.commit()


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    root = tmp_path_factory.mktemp("complexity")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GAN_DATASETS_DIR", str(root / "datasets"))
        rng = np.random.default_rng(0)
        write("cartoon", (flat_cartoon(rng) for _ in range(COUNT)))
        write("film", (textured(rng) for _ in range(COUNT)))
        write("blank", (np.full((SIDE, SIDE, 3), 90, np.uint8) for _ in range(8)))
        write("noise", (rng.integers(0, 256, (SIDE, SIDE, 3), dtype=np.uint8) for _ in range(COUNT)))
        write("grey", (flat_cartoon(rng)[..., :1] for _ in range(COUNT)), channels=1)
        yield {"datasets": root / "datasets", "checkpoints": root / "checkpoints", "root": root}


def test_a_flat_cartoon_ranks_below_a_textured_film(store):
    results = compare(["cartoon", "film"], sample=COUNT)
    cartoon, film = results["cartoon"], results["film"]
    assert cartoon["complexity"] < film["complexity"] - 20, (cartoon["complexity"], film["complexity"])
    assert (cartoon["rank"], film["rank"]) == (2, 1)
    for key in AGREE:
        assert cartoon[key] < film[key], key
    assert cartoon["temporal_information"] is None  # pictures: no motion to measure
    assert cartoon["sample_size"] == COUNT and cartoon["count"] == COUNT


def test_the_composite_runs_from_blank_to_noise(store):
    results = compare(["blank", "noise", "cartoon"], sample=COUNT)
    assert results["blank"]["complexity"] < 2
    assert results["noise"]["complexity"] > 95
    assert results["blank"]["complexity"] < results["cartoon"]["complexity"] < results["noise"]["complexity"]
    assert results["blank"]["intrinsic_dimension"] == 0
    assert set(results["noise"]["shares"]) == set(MEASURES)
    assert all(0 <= results["cartoon"]["shares"][key] <= 1 for key in COMPOSITE)


def test_measures_follow_their_definitions():
    flat = np.full((2, 16, 16, 3), (200, 40, 40), np.uint8)
    assert m.spatial_information(flat).tolist() == [0, 0]
    assert m.edge_density(flat).tolist() == [0, 0]
    assert m.palette_entropy(flat).tolist() == [0, 0]
    halves = flat.copy()
    halves[:, :, 8:] = (40, 40, 200)  # two colours in equal parts: exactly one bit
    assert m.palette_entropy(halves) == pytest.approx([1, 1])
    assert m.colourfulness(np.full((1, 8, 8, 3), 128, np.uint8)) == pytest.approx([0])
    assert m.colourfulness(halves)[0] > 100  # saturated red and blue: "extremely colourful" on their scale
    shifted = np.roll(halves, 1, axis=2)
    assert m.temporal_information(halves, halves).tolist() == [0, 0]
    assert m.temporal_information(halves, shifted)[0] > 0
    rows = np.random.default_rng(0).random((50, 3)) @ np.random.default_rng(1).random((3, 40))
    assert m.intrinsic_dimension(rows) <= 3  # 50 points in a 3-d subspace of 40-d space


# -- cross-checks against reference implementations, on crops of real photos (scikit-image) ----------------
def photo_frames(size: int, per_photo: int = 4) -> np.ndarray:
    """Crops of scikit-image's real photos, shrunk to `size` px (area average)."""
    from skimage import data

    rng = np.random.default_rng(size)
    frames = []
    for photo in (data.astronaut(), data.coffee(), data.chelsea(), data.rocket()):
        for _ in range(per_photo):
            side = int(rng.integers(size, min(photo.shape[:2])))
            y, x = rng.integers(0, photo.shape[0] - side + 1), rng.integers(0, photo.shape[1] - side + 1)
            crop = Image.fromarray(photo[y:y + side, x:x + side]).resize((size, size), Image.BOX)
            frames.append(np.asarray(crop))
    return np.stack(frames)


def siti_reference():
    """siti-tools' P.910 calculator: legacy mode (SDR, no display model), full-range 8-bit luma."""
    from siti_tools.siti import SiTiCalculator

    calc = SiTiCalculator(color_range="full", bit_depth=8, legacy=True)

    def unit(y):
        return calc.normalize_between_0_1(y.astype(np.float64))

    def si(y):
        return calc.normalize_to_original_si_range(calc.si(unit(y)))

    def ti(before, after):
        return calc.normalize_to_original_si_range(calc.ti(unit(after), unit(before)))

    return si, ti


@pytest.mark.parametrize("size", [64, 128])
def test_si_and_ti_agree_with_siti_tools_per_frame(size):
    """Each frame's SI is its own P.910 value, in a batch or alone; TI too (8-bit luma, as siti-tools reads it)."""
    si_ref, ti_ref = siti_reference()
    frames = photo_frames(size)
    luma8 = np.rint(m.luma(frames)).astype(np.uint8)[..., None]  # full-range 8-bit luma, one plane
    expected = np.array([si_ref(y[..., 0]) for y in luma8])
    assert expected.min() > 5  # real photos: there are edges to measure
    batch = m.spatial_information(luma8)
    alone = np.array([m.spatial_information(y[None])[0] for y in luma8])
    np.testing.assert_allclose(batch, expected, rtol=1e-6)
    np.testing.assert_allclose(alone, expected, rtol=1e-6)
    # a frame's SI does not change with the frames beside it
    shuffled = np.random.default_rng(0).permutation(len(luma8))
    np.testing.assert_allclose(m.spatial_information(luma8[shuffled]), expected[shuffled], rtol=1e-6)
    # TI of consecutive pairs
    ti = m.temporal_information(luma8[:-1], luma8[1:])
    ti_expected = np.array([ti_ref(b[..., 0], a[..., 0]) for b, a in zip(luma8[:-1], luma8[1:], strict=True)])
    np.testing.assert_allclose(ti, ti_expected, rtol=1e-6)
    # colour frames: our luma is BT.601, the same SI as the reference on that luma
    rgb_expected = np.array([si_ref(y) for y in m.luma(frames)])
    np.testing.assert_allclose(m.spatial_information(frames), rgb_expected, rtol=1e-5)


def test_colourfulness_agrees_with_hasler_and_suesstrunk_in_float64():
    frames = photo_frames(64, per_photo=2)
    rgb = frames.astype(np.float64).reshape(len(frames), -1, 3)
    rg = rgb[..., 0] - rgb[..., 1]
    yb = 0.5 * (rgb[..., 0] + rgb[..., 1]) - rgb[..., 2]
    expected = (np.sqrt(rg.std(axis=1) ** 2 + yb.std(axis=1) ** 2)
                + 0.3 * np.sqrt(rg.mean(axis=1) ** 2 + yb.mean(axis=1) ** 2))
    np.testing.assert_allclose(m.colourfulness(frames), expected, rtol=1e-6)


def test_grey_datasets_have_no_colourfulness(store):
    result = profile("grey", sample=COUNT)
    assert result["colourfulness"] == 0 and result["channels"] == 1
    assert 0 < result["complexity"] < 100


def test_measures_are_deterministic_for_a_seed(store):
    first = profile("film", sample=40, seed=3, use_cache=False)
    again = profile("film", sample=40, seed=3, use_cache=False)
    other = profile("film", sample=40, seed=4, use_cache=False)
    same = {k: v for k, v in first.items() if k != "seconds"}
    assert same == {k: v for k, v in again.items() if k != "seconds"}
    assert any(first[k] != other[k] for k in AGREE)  # another seed measures other frames


def test_profiles_are_cached_until_the_dataset_changes(store):
    rng = np.random.default_rng(2)
    write("changing", (flat_cartoon(rng) for _ in range(50)))
    first = profile("changing", sample=50, seed=1)
    cache = json.loads((store["datasets"] / "changing" / CACHE_FILE).read_text())
    assert first in cache.values()
    assert profile("changing", sample=50, seed=1)["seconds"] == first["seconds"]  # read back, not measured
    with DatasetWriter("changing", SIDE, 3, replace=True, kind="images", source="test") as writer:
        for _ in range(50):
            writer.add(textured(rng))
        writer.commit()
    assert profile("changing", sample=50, seed=1)["complexity"] > first["complexity"] + 20  # measured again


@pytest.fixture(scope="module")
def videos(tmp_path_factory):
    folder = tmp_path_factory.mktemp("videos")
    rng = np.random.default_rng(5)
    still = flat_cartoon(rng, 96)[:72]
    pan = textured(rng, 256)

    def panning(i):  # a textured scene the camera pans across
        return np.ascontiguousarray(pan[20:92, 4 * i:4 * i + 96])

    return {"still": make_video(folder / "still.mp4", 40, size=(96, 72), content=lambda i: still),
            "pan": make_video(folder / "pan.mp4", 40, size=(96, 72), content=panning),
            "other": make_video(folder / "other.mp4", 40, size=(96, 72), content=lambda i: 255 - still)}


def test_a_static_video_has_near_zero_temporal_information(store, videos):
    import_videos(videos["still"], "still", every=1, resolution=SIDE)
    import_videos(videos["pan"], "pan", every=1, resolution=SIDE)
    results = compare(["still", "pan"], sample=40)
    still, pan = results["still"], results["pan"]
    assert still["temporal_pairs"] > 0
    assert still["temporal_information"] < 1.5, still["temporal_information"]
    assert pan["temporal_information"] > 10 * max(still["temporal_information"], 1)
    assert still["complexity"] < pan["complexity"]
    for key in AGREE:
        assert still[key] <= pan[key], key


def test_temporal_information_never_pairs_frames_of_two_videos(store, videos):
    """Two still videos in one dataset: the jump from the last frame of one to the first of the next is a
    cut, not motion."""
    import_videos([videos["still"], videos["other"]], "two-stills", every=1, resolution=SIDE)
    result = profile("two-stills", sample=80)
    assert result["temporal_pairs"] == 78  # 40 + 40 frames, one pair fewer per video
    assert result["temporal_information_max"] < 3, result["temporal_information_max"]


def test_bad_input_is_one_clear_error(store):
    with pytest.raises(UsageError, match="no dataset named 'nope'"):
        compare(["cartoon", "nope"])
    with pytest.raises(UsageError, match="--sample"):
        profile("cartoon", sample=1)


def test_cli_prints_json_keyed_by_dataset(store):
    p = cli(store, "gan_core.complexity", "cartoon", "film", "--sample", 60, "--json")
    results = json.loads(p.stdout)
    assert set(results) == {"cartoon", "film"}
    for result in results.values():
        assert set(MEASURES) | {"complexity", "rank", "count", "sample_size"} <= set(result)
    assert results["cartoon"]["complexity"] < results["film"]["complexity"]
    text = cli(store, "gan_core.complexity", "cartoon", "film", "--sample", 60).stdout
    assert text.index("1. film") < text.index("2. cartoon") and "complexity score" in text
    first = min(results, key=lambda n: results[n]["intrinsic_dimension"])
    assert f"\n{first} should learn faster than " in text, "the command says what the page says"


def test_a_damaged_dataset_is_one_clear_error(store):
    rng = np.random.default_rng(3)
    write("damaged", (textured(rng) for _ in range(20)))
    shard = store["datasets"] / "damaged" / "shard-00000.u8"
    shard.write_bytes(shard.read_bytes()[:1000])
    assert_one_line_error(cli(store, "gan_core.complexity", "damaged", check=False),
                          "'damaged' is damaged: shard-00000.u8 is truncated")


@pytest.mark.parametrize("args, fragment", [
    (["missing"], "no dataset named 'missing'"),
    ([], "required: NAME"),
    (["cartoon", "--sample", "0"], "--sample must be between"),
    (["cartoon", "--sample", "many"], "invalid int value"),
])
def test_cli_bad_input(store, args, fragment):
    assert_one_line_error(cli(store, "gan_core.complexity", *args, check=False), fragment)
