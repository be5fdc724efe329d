"""Scoring a run's saved generator, or a folder of pictures, against real images of its dataset.

What `python -m gan_core.evaluate` and the curves page's "Score an epoch now" report: the sample scores
of `gan_core.metrics` plus, for a run, the health flags by its family's own rules.
"""

import time
from pathlib import Path

from gan_core.core.errors import UsageError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif")
DEFAULT_COUNT = 500
MAX_COUNT = 10_000


def _score(samples, reference) -> dict:
    from gan_core.metrics import Reference, epoch_scores

    try:
        return epoch_scores(samples, Reference(reference))
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def evaluate_run(name: str, epoch: int | None, *, count: int, seed: int) -> dict:
    from gan_core import models
    from gan_core.core.runs import Run
    from gan_core.datasets.store import exists as dataset_exists
    from gan_core.datasets.store import open_dataset
    from gan_core.metrics import collapse_reason, diverging_at, in_warmup
    from gan_core.models.saved import resolve_epoch

    t0 = time.perf_counter()
    run = Run(name).require()
    epoch = resolve_epoch(run, epoch)
    config = run.config()
    dataset_name = config.get("dataset", "?")
    if not dataset_exists(dataset_name):
        raise UsageError(f"run {name!r} trained on dataset {dataset_name!r}, which is not in the dataset store; "
                         f"build or import it again, or score generated images with --images DIR --dataset NAME")
    reference = open_dataset(dataset_name).sample(count, seed=seed)

    from gan_core.core.quiet_tf import import_tensorflow
    from gan_core.models.saved import generate, load_generator, model_config, sample_z

    import_tensorflow()  # TensorFlow's start-up chatter would make an error more than one line

    generator, epoch = load_generator(run, epoch)
    samples = generate(generator, sample_z(count, model_config(run)["latent_dim"], seed))
    scores = _score(samples, reference)

    epoch_log, step_log = run.epochs(), run.metrics()
    rows = {r.get("epoch"): r for r in epoch_log}
    spe = config.get("steps_per_epoch")
    step = rows.get(epoch, {}).get("step") or (epoch * spe if spe else None)
    log = [r for r in step_log if step is None or r.get("step", 0) <= step]
    earlier = [rows[e] for e in sorted(e for e in rows if isinstance(e, int) and e < epoch)
               if isinstance(rows[e].get("diversity"), int | float)]
    best = max((r["diversity"] for r in earlier), default=None)
    flagged_before = bool(earlier) and "mode_collapse" in (earlier[-1].get("flags") or [])
    reason = collapse_reason(scores, best, flagged_before)
    warmup = in_warmup(epoch, step)
    stretch = diverging_at(log, epoch, spe, models.of_run(config).divergence) if epoch > 0 else None
    collapsed = bool(reason) and not warmup
    return {
        "run": run.name, "epoch": epoch, "dataset": dataset_name, **scores,
        "mode_collapse": collapsed, "collapse_reason": reason, "warmup": warmup,
        "diverging": stretch is not None, "divergence": stretch["message"] if stretch else None,
        "flags": [f for f, on in (("mode_collapse", collapsed), ("diverging", stretch is not None)) if on],
        "seed": seed, "seconds": round(time.perf_counter() - t0, 2),
        "skipped_lines": epoch_log.skipped + step_log.skipped,  # log lines of the wrong shape, named
    }


def load_folder(folder: Path, size: int, channels: int, limit: int) -> tuple:
    """Up to `limit` images of a folder (sorted by name), at size x size with the given channels."""
    import numpy as np
    from PIL import Image, ImageOps, UnidentifiedImageError

    if not folder.is_dir():
        raise UsageError(f"--images {folder} is not a folder")
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())
    if not files:
        raise UsageError(f"no images ({', '.join(IMAGE_SUFFIXES)}) in {folder}")
    images, skipped = [], []
    for path in files:
        if len(images) >= limit:
            break
        try:
            with Image.open(path) as im:
                im = im.convert("L" if channels == 1 else "RGB")
                im = ImageOps.fit(im, (size, size), Image.Resampling.BOX if min(im.size) >= size
                                  else Image.Resampling.BILINEAR)
                images.append(np.asarray(im, np.uint8).reshape(size, size, channels))
        except (OSError, UnidentifiedImageError, ValueError):
            skipped.append(path.name)
    if len(images) < 8:
        raise UsageError(f"{folder} has {len(images)} readable images; scoring needs at least 8"
                         + (f" ({len(skipped)} could not be read, e.g. {skipped[0]})" if skipped else ""))
    return np.stack(images), skipped


def evaluate_folder(folder: Path, dataset_name: str, *, count: int | None, seed: int) -> dict:
    from gan_core.datasets.store import open_dataset
    from gan_core.metrics import collapse_reason

    t0 = time.perf_counter()
    dataset = open_dataset(dataset_name)
    samples, skipped = load_folder(folder, dataset.resolution, dataset.channels, count or MAX_COUNT)
    reference = dataset.sample(len(samples), seed=seed)
    scores = _score(samples, reference)
    reason = collapse_reason(scores)
    return {
        "images": str(folder), "dataset": dataset.name, **scores, "skipped": len(skipped),
        "mode_collapse": reason is not None, "collapse_reason": reason,
        "flags": ["mode_collapse"] if reason else [], "seed": seed, "seconds": round(time.perf_counter() - t0, 2),
    }
