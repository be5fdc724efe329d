"""Training presets offered by the app, and turning chosen settings into a trainer command line."""

from gan_core.core.runs import list_runs

PRESETS = {
    # batch 32: twice the updates per minute at the same images/s; eyes by minute 3 instead of 5
    # (benchmarks/LOG.md "Minutes to eyes")
    "Quick demo": dict(resolution=32, epochs=50, batch_size=32, max_images=2000, width=64,
                       note="Minutes on a laptop CPU: 2,000 images at 32 px; faces with eyes within about 3 minutes."),
    "Workshop": dict(resolution=64, epochs=100, batch_size=64, max_images=None, width=64,
                     note="An hour or so on a CPU, minutes on a GPU: 64 px, 100 epochs."),
    "Overnight on a GPU": dict(resolution=128, epochs=300, batch_size=128, max_images=None, width=64,
                               note="Hours on a GPU: 128 px, 300 epochs, 30+ checkpoints to scrub through."),
}

QUICK_DEMO = {"dataset": "cartoon-faces", "run": "faces-demo",
              **{k: v for k, v in PRESETS["Quick demo"].items() if k != "note"}}


def unique_run_name(base: str) -> str:
    """`base`, or `base-2`, `base-3`... whichever is free."""
    taken = {r.name for r in list_runs()}
    name, k = base, 2
    while name in taken:
        name, k = f"{base}-{k}", k + 1
    return name


def cli_args(settings: dict) -> list[str]:
    """Settings as `python -m gan_core.train` flags (None means the trainer's default)."""
    args = []
    for key, value in settings.items():
        if value is not None:
            args += [f"--{key.replace('_', '-')}", str(value)]
    return args
