"""How long an epoch will take, before starting: from this machine's past runs, else from FLOPs.

Past runs record their measured images/s (`epochs.jsonl`); a run of another size or family is scaled
by the ratio of train-step FLOPs (`gan_core.models.flops`, counted from the built networks). With no
history at all, a conservative CPU figure gives a first guess.
"""

import statistics

from gan_core import models
from gan_core.core.runs import list_runs
from gan_core.models.flops import train_step_flops

FALLBACK_GFLOPS = {"CPU": 25.0, "GPU": 4000.0}  # achieved, not peak (see benchmarks/LOG.md)


def _flops(arch: str, resolution: int, channels: int, width: int, latent_dim: int) -> float:
    return train_step_flops(arch, resolution, channels, width, latent_dim)["train_step_per_image"]


def images_per_sec(arch: str, resolution: int, channels: int, width: int, latent_dim: int,
                   device_kind: str, precision: str = "auto") -> tuple[float, str]:
    """Expected training throughput and where the figure comes from.

    Past runs in the same precision come first (bfloat16 trains 1.5x faster than float32 on a CPU with
    AMX), then runs of the same family and size."""
    from gan_core.training.device import precision_in_force

    target = _flops(arch, resolution, channels, width, latent_dim)
    wanted = precision_in_force(precision, device_kind)
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
            other_precision = cfg.get("precision_used", "float32") != wanted  # runs before bf16 were float32
            measured.append((other_precision, not same, statistics.median(speeds) * flops / target, run.name))
    if measured:
        other_precision, _, speed, name = min(measured)
        caveat = f"; it trained in another precision than {wanted}" if other_precision else ""
        return speed, f"measured on this machine (run {name}{caveat})"
    return FALLBACK_GFLOPS.get(device_kind, 25.0) * 1e9 / target, "a rough guess until the first epoch"
