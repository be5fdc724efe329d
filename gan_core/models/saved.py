"""A saved run's generator: loaded from any saved epoch, fed seeded z, turned into images.

One place for it, below everything that draws from a run: metrics, explore, generate, timelapse, the
benchmarks and the pages. z for a seed comes from numpy's generator, so the same seed gives the same
images on any machine.
"""

from functools import lru_cache

import numpy as np

from gan_core.core.errors import UsageError
from gan_core.core.runs import Run


def sample_z(count: int, latent_dim: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((count, latent_dim)).astype(np.float32)


def resolve_epoch(run: Run, epoch: int | None) -> int:
    """The requested epoch if its generator was saved, else a clear error; None means the latest."""
    saved = run.weight_epochs()
    if not saved:
        raise UsageError(f"run {run.name!r} has no saved generator yet; wait for its first epoch")
    if epoch is None:
        return saved[-1]
    if epoch not in saved:
        near = min(saved, key=lambda e: abs(e - epoch))
        raise UsageError(f"run {run.name!r} has no generator saved at epoch {epoch} "
                         f"(nearest: {near}; saved: {_ranges(saved)})")
    return epoch


@lru_cache(maxsize=8)
def _load(run_path: str, run_name: str, epoch: int, mtime: float):
    from gan_core import models

    run = Run(run_name)
    cfg = model_config(run)
    generator = models.of_run(cfg).generator_for(cfg)
    try:
        generator.load_weights(run.generator_file(epoch))
    except Exception as exc:  # truncated, garbage, or another model's file
        raise UsageError(f"run {run.name!r}: {run.generator_file(epoch).name} is damaged and cannot be loaded "
                         f"({type(exc).__name__}); other epochs may still load") from None
    return generator


def model_config(run: Run) -> dict:
    """The settings that shape the generator, checked: a damaged config.json is one clear error."""
    cfg = run.config()
    keys = ("resolution", "channels", "latent_dim", "width")
    if not all(isinstance(cfg.get(k), int) and not isinstance(cfg.get(k), bool) and cfg[k] > 0 for k in keys):
        raise UsageError(f"run {run.name!r} has a missing or damaged config.json; its generator cannot be built")
    return cfg


def load_generator(run: Run, epoch: int | None = None):
    """The generator of `run` at `epoch` (latest if None); a small LRU cache keeps recent ones loaded."""
    epoch = resolve_epoch(run.require(), epoch)
    path = run.generator_file(epoch)
    return _load(str(run.path), run.name, epoch, path.stat().st_mtime), epoch


def generate(generator, z: np.ndarray, batch: int = 64) -> np.ndarray:
    """uint8 images for the rows of z, in inference mode (batch norm uses its moving averages)."""
    from gan_core.core.media import to_uint8

    # a plain call, not predict_on_batch: no retracing for every new batch size the pages ask for
    out = [to_uint8(generator(z[i : i + batch], training=False)) for i in range(0, len(z), batch)]
    return np.concatenate(out)


def _ranges(epochs: list[int]) -> str:
    if len(epochs) <= 6:
        return ", ".join(map(str, epochs))
    return f"{', '.join(map(str, epochs[:3]))} ... {', '.join(map(str, epochs[-2:]))}"
