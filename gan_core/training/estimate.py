"""How long an epoch will take, before starting: from this machine's past runs, else from FLOPs.

Past runs record their measured images/s (`epochs.jsonl`); a run of another size or family is scaled
by the ratio of train-step FLOPs (`gan_core.models.flops`, counted from the built networks). With no
history at all, a conservative CPU figure gives a first guess.
"""

import statistics

from gan_core import models
from gan_core.core.runs import list_runs
from gan_core.models.flops import train_step_flops

FALLBACK_GFLOPS = {"CPU": 25.0, "GPU": 4000.0}  # achieved, not peak (see docs/benchmarks.md)


def _flops(arch: str, resolution: int, channels: int, width: int, latent_dim: int) -> float:
    return train_step_flops(arch, resolution, channels, width, latent_dim)["train_step_per_image"]


def images_per_sec(arch: str, resolution: int, channels: int, width: int, latent_dim: int,
                   device_kind: str) -> tuple[float, str]:
    """Expected training throughput and where the figure comes from."""
    target = _flops(arch, resolution, channels, width, latent_dim)
    measured = []
    for run in list_runs():
        cfg = run.config()
        if cfg.get("device_kind") != device_kind:
            continue
        speeds = [r["images_per_sec"] for r in run.epochs()[1:] if r.get("images_per_sec")]
        run_arch = cfg.get("arch") or models.DEFAULT
        if speeds and run_arch in models.names():
            flops = _flops(run_arch, cfg["resolution"], cfg["channels"], cfg["width"], cfg["latent_dim"])
            same = (run_arch, cfg["resolution"], cfg["width"]) == (arch, resolution, width)
            measured.append((not same, statistics.median(speeds) * flops / target, run.name))
    if measured:
        _, speed, name = min(measured)
        return speed, f"measured on this machine (run {name})"
    return FALLBACK_GFLOPS.get(device_kind, 25.0) * 1e9 / target, "a rough guess until the first epoch"
