"""How long an epoch will take, before starting: from this machine's past runs, else from FLOPs.

Past runs record their measured images/s (`epochs.jsonl`); a run of another size is scaled by the
ratio of train-step FLOPs. With no history at all, a conservative CPU figure gives a first guess.
"""

import math
import statistics

from gan_core.core.runs import list_runs

FALLBACK_GFLOPS = {"CPU": 25.0, "GPU": 4000.0}  # achieved, not peak (see docs/benchmarks.md)


def train_step_flops(resolution: int, channels: int = 3, width: int = 64, latent_dim: int = 100) -> float:
    """FLOPs per image of one train step: G forward, D forward on real and fake, backward ~2x forward."""
    stages = int(math.log2(resolution // 4))
    f = [min(width * 2**s, 512) for s in range(stages)]  # filters per stage, small to large
    g = 2 * latent_dim * 16 * f[-1]  # dense to 4x4
    d = 2 * 16 * f[-1]  # dense to one logit
    for s in range(stages):
        size = resolution >> (s + 1)  # D conv output side / G transposed-conv input side at this stage
        c_in = channels if s == 0 else f[s - 1]
        d += 2 * size * size * 16 * c_in * f[s]
        g += 2 * size * size * 16 * c_in * f[s]
    return 3 * (g + 2 * d)


def images_per_sec(resolution: int, channels: int, width: int, latent_dim: int, device_kind: str) -> tuple[float, str]:
    """Expected training throughput and where the figure comes from."""
    target = train_step_flops(resolution, channels, width, latent_dim)
    measured = []
    for run in list_runs():
        cfg = run.config()
        if cfg.get("device_kind") != device_kind:
            continue
        speeds = [r["images_per_sec"] for r in run.epochs()[1:] if r.get("images_per_sec")]
        if speeds:
            flops = train_step_flops(cfg["resolution"], cfg["channels"], cfg["width"], cfg["latent_dim"])
            same = (cfg["resolution"], cfg["width"]) == (resolution, width)
            measured.append((not same, statistics.median(speeds) * flops / target, run.name))
    if measured:
        _, speed, name = min(measured)
        return speed, f"measured on this machine (run {name})"
    return FALLBACK_GFLOPS.get(device_kind, 25.0) * 1e9 / target, "a rough guess until the first epoch"
