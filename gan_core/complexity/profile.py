"""A dataset's complexity profile: every measure on a seeded sample of its frames, plus one composite.

The composite puts four measures of how much information a frame and a set hold on one scale, as a
share of what frames of pure random noise score at the same size and sample (0 = a blank frame, 1 =
noise), and averages them: 0 to 100. Noise is their natural ceiling, so the score means the same for
any dataset without needing others to compare with. Three measures are shown but left out, each for a
reason a workshop can see: P.910 spatial information is the spread of edge strength, so a flat cartoon's
black outlines score as high as texture everywhere (measured: flat outlined shapes 187, textured noise
95); colourfulness rates a bright flat cartoon above a muted detailed film; and a GAN that learns still
frames never sees the motion (temporal information) between them.

Profiles are cached in the dataset's folder, keyed by its fingerprint and the sample settings, so they
are measured once per dataset version (a replaced dataset has a new fingerprint, and a new folder).
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from gan_core.complexity import measures as m
from gan_core.core.atomic import read_json, write_json
from gan_core.core.errors import UsageError
from gan_core.datasets.store import Dataset, open_dataset

VERSION = 2  # bump when a measure changes, so old cached profiles are measured again
CACHE_FILE = "complexity.json"
DEFAULT_SAMPLE = 1000
MAX_SAMPLE = 20_000
FRAMES_CEILING = 100_000
BATCH = 64  # frames measured at once: memory stays small even for 256 px frames


@dataclass(frozen=True)
class Measure:
    label: str
    unit: str
    what: str
    in_composite: bool
    short: str = ""  # for tight spots such as the axes of a radar chart


MEASURES = {
    "compressed_bits_per_pixel": Measure(
        "Compressed size", "bits per pixel",
        "How small a lossless PNG can pack a frame: flat areas pack tightly, texture and noise do not.", True,
        "Compressed size"),
    "spatial_information": Measure(
        "Spatial information (SI)", "ITU-T P.910",
        "How strong and varied the edges are: the spread of the Sobel gradient of brightness (median frame). "
        "Strong outlines score as high as texture, so it is not counted in the score.", False, "Spatial info (SI)"),
    "temporal_information": Measure(
        "Temporal information (TI)", "ITU-T P.910",
        "How much changes from one kept frame to the next (median pair); videos only.", False, "Motion (TI)"),
    "colourfulness": Measure(
        "Colourfulness", "Hasler & Süsstrunk",
        "How vivid and varied the colours are: about 15 is slightly, 59 quite, 109 extremely colourful.",
        False, "Colourfulness"),
    "palette_entropy": Measure(
        "Colour palette entropy", "bits",
        "How many colours a frame really uses (8 levels per channel: 9 bits at most): flat cartoons use few.",
        True, "Palette entropy"),
    "edge_density": Measure(
        "Edge density", "share of pixels",
        "The share of pixels on an edge, by Canny's detector: outlines only, or texture everywhere.", True,
        "Edge density"),
    "intrinsic_dimension": Measure(
        "Intrinsic dimensionality", "PCA components",
        "How many independent directions the frames vary in: PCA components for 95 % of the variance "
        "of the sample.", True, "Dimensionality"),
}
COMPOSITE = [key for key, measure in MEASURES.items() if measure.in_composite]
EXPLANATION = (
    "The complexity score (0-100) averages four measures of how much information the frames hold: compressed "
    "size, palette entropy, edge density and intrinsic dimensionality, each as a share of what random noise "
    "scores (0 = a blank frame, 100 = pure noise). Spatial information, colourfulness and motion are shown "
    "but not counted: black outlines give a flat cartoon as much spatial information as texture, a bright "
    "cartoon is colourful yet simple, and the GAN learns still frames, not the motion between them."
)
# the composite's evidence, from `python -m gan_core.bench.learnability` (docs/complexity.md, "Learnability")
EVIDENCE = ("Measured on 10 datasets (4 built-in sets, 3 real film clips, real LFW faces, crops of real "
            "photographs), each trained for the same budget, two seeds: variety between frames ranked held-out "
            "datasets by how many of the GAN's samples passed as real (leave-one-out rank correlation 0.81), and "
            "the complexity score, which counts detail within a frame, did not (0.01). So read that score as how "
            "rich the frames look, not as how hard they are to learn (docs/complexity.md, Learnability).")
Progress = Callable[[float, str], None]


def profile(name: str, *, sample: int = DEFAULT_SAMPLE, seed: int = 0, use_cache: bool = True,
            progress: Progress | None = None, store: bool = True) -> dict:
    """The complexity profile of dataset `name` (measured, or read from its cache).

    `store=False` measures without writing the cache into the dataset's folder (a locked app session
    may read shared files but not change them).
    """
    if not 2 <= sample <= MAX_SAMPLE:
        raise UsageError(f"--sample must be between 2 and {MAX_SAMPLE} frames (not {sample})")
    dataset = open_dataset(name)
    key = f"v{VERSION}-{dataset.fingerprint}-n{sample}-s{seed}"
    cache = read_json(dataset.path / CACHE_FILE, {})
    if use_cache and _usable(cache.get(key)):
        return cache[key]
    try:
        result = measure(dataset, sample=sample, seed=seed, progress=progress)
    except (OSError, ValueError) as exc:  # a shard cut short or removed by hand
        raise UsageError(f"dataset {name!r} cannot be read ({exc}); import or build it again") from None
    if not store:
        return result
    try:  # a read-only dataset folder only loses the cache
        write_json(dataset.path / CACHE_FILE, {**dict(list(cache.items())[-7:]), key: result})
    except OSError:
        pass
    return result


def cached(name: str, *, sample: int = DEFAULT_SAMPLE, seed: int = 0) -> dict | None:
    """The cached profile, or None if this version of the dataset was not measured with these settings."""
    dataset = open_dataset(name)
    found = read_json(dataset.path / CACHE_FILE, {}).get(f"v{VERSION}-{dataset.fingerprint}-n{sample}-s{seed}")
    return found if _usable(found) else None


def _usable(entry) -> bool:
    """A cache entry someone edited or damaged is measured again, never trusted."""
    return isinstance(entry, dict) and all(isinstance(entry.get(m), int | float) for m in ("complexity", *COMPOSITE))


def compare(names: list[str], **options) -> dict[str, dict]:
    """Profiles of several datasets, each with its `rank` among them (1 = the most complex)."""
    if not names:
        raise UsageError("name at least one dataset")
    for name in names:
        open_dataset(name)  # every name is checked before any work starts
    return ranked({name: profile(name, **options) for name in dict.fromkeys(names)})


def ranked(profiles: dict[str, dict]) -> dict[str, dict]:
    """The profiles, each with its `rank` among them (1 = the most complex)."""
    order = sorted(profiles, key=lambda n: -profiles[n]["complexity"])
    return {name: {**profiles[name], "rank": order.index(name) + 1} for name in profiles}


def measure(dataset: Dataset, *, sample: int = DEFAULT_SAMPLE, seed: int = 0,
            progress: Progress | None = None) -> dict:
    started = time.perf_counter()
    report = progress or (lambda fraction, text: None)
    indices = np.sort(np.random.default_rng(seed).choice(dataset.count, min(sample, dataset.count), replace=False))
    followers = _next_in_same_source(dataset, indices)

    per_frame = {key: [] for key in ("compressed_bits_per_pixel", "spatial_information", "colourfulness",
                                     "palette_entropy", "edge_density", "temporal_information")}
    rows = []
    for start in range(0, len(indices), BATCH):
        report(start / len(indices) * 0.85, f"measuring frames {start + 1}-{min(start + BATCH, len(indices))} "
               f"of {len(indices)}")
        frames = dataset.images(indices[start:start + BATCH])
        per_frame["compressed_bits_per_pixel"].append(m.png_bits_per_pixel(frames))
        per_frame["spatial_information"].append(m.spatial_information(frames))
        per_frame["colourfulness"].append(m.colourfulness(frames))
        per_frame["palette_entropy"].append(m.palette_entropy(frames))
        per_frame["edge_density"].append(m.edge_density(frames))
        pairs = followers[start:start + BATCH]
        has_next = pairs >= 0
        if has_next.any():
            per_frame["temporal_information"].append(
                m.temporal_information(frames[has_next], dataset.images(pairs[has_next])))
        rows.append(m.for_pca(frames))
    report(0.85, f"finding the intrinsic dimensionality of {len(indices)} frames")
    rows = np.concatenate(rows)
    values = {key: np.concatenate(parts) if parts else np.zeros(0) for key, parts in per_frame.items()}

    result = {
        "dataset": dataset.name,
        "kind": dataset.manifest.get("kind", "images"),
        "count": dataset.count,
        "resolution": dataset.resolution,
        "channels": dataset.channels,
        "sample_size": len(indices),
        "seed": seed,
        "compressed_bits_per_pixel": _median(values["compressed_bits_per_pixel"]),
        "spatial_information": _median(values["spatial_information"]),
        "spatial_information_max": _max(values["spatial_information"]),
        "temporal_information": _median(values["temporal_information"]),
        "temporal_information_max": _max(values["temporal_information"]),
        "temporal_pairs": int(len(values["temporal_information"])),
        "colourfulness": _median(values["colourfulness"]),
        "palette_entropy": _median(values["palette_entropy"]),
        "edge_density": _median(values["edge_density"]),
        "intrinsic_dimension": m.intrinsic_dimension(rows),
    }
    report(0.95, "comparing with random noise")
    ceiling = noise_ceiling(dataset.resolution, dataset.channels, len(indices))
    shares = {key: _share(result[key], ceiling[key]) for key in MEASURES}
    result["shares"] = shares
    result["complexity"] = round(100 * float(np.mean([shares[key] for key in COMPOSITE])), 2)
    result["seconds"] = round(time.perf_counter() - started, 2)
    report(1.0, "done")
    return result


def _next_in_same_source(dataset: Dataset, indices: np.ndarray) -> np.ndarray:
    """For a video dataset: the index of the next kept frame of the same video, or -1 (pictures: all -1)."""
    if dataset.manifest.get("kind") != "video":
        return np.full(len(indices), -1)
    kept = [int(s.get("kept", 0)) for s in dataset.manifest.get("sources") or []] or [dataset.count]
    ends = np.cumsum(kept)  # one past each video's last frame
    video_end = ends[np.searchsorted(ends, indices, side="right")]
    return np.where(indices + 1 < video_end, indices + 1, -1)


@lru_cache(maxsize=16)
def noise_ceiling(resolution: int, channels: int, sample: int) -> dict[str, float]:
    """What uniform random noise scores on every measure, at this frame size and sample size."""
    rng = np.random.default_rng(12345)
    noise = rng.integers(0, 256, (min(sample, 32), resolution, resolution, channels), dtype=np.uint8)
    other = rng.integers(0, 256, noise.shape, dtype=np.uint8)
    rows = rng.random((sample, m.for_pca(noise[:1]).shape[1]), dtype=np.float32)
    return {
        "compressed_bits_per_pixel": _median(m.png_bits_per_pixel(noise)),
        "spatial_information": _median(m.spatial_information(noise)),
        "temporal_information": _median(m.temporal_information(noise, other)),
        "colourfulness": _median(m.colourfulness(noise)) if channels == 3 else None,
        "palette_entropy": float(np.log2(m.PALETTE_LEVELS) * channels),
        "edge_density": _median(m.edge_density(noise)),
        "intrinsic_dimension": m.intrinsic_dimension(rows),
    }


def frames_share(count: int) -> float:
    """The number of frames on the noise-share scale: log10 of the count over log10 of 100,000 frames (a set
    that size is as varied as a GAN of this app meets), so 100 frames score 0.4 and 2,000 score 0.66."""
    return round(min(max(np.log10(max(count, 1)) / np.log10(FRAMES_CEILING), 0.0), 1.0), 4)


def _share(value, ceiling) -> float | None:
    if value is None:
        return None
    if not ceiling:
        return 0.0
    return round(min(max(float(value) / float(ceiling), 0.0), 1.0), 4)


def _median(values: np.ndarray) -> float | None:
    return round(float(np.median(values)), 4) if len(values) else None


def _max(values: np.ndarray) -> float | None:
    return round(float(np.max(values)), 4) if len(values) else None
