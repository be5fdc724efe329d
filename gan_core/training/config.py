"""Every setting of a training run, as one plain dataclass (stored as the run's `config.json`).

`arch` names the GAN family (`gan_core.models`); settings left as None take that family's defaults
(for DCGAN, the paper's and the seeds': 100-d z, Adam 2e-4 with beta1 0.5, batch 64, width 64).
"""

from dataclasses import asdict, dataclass, fields

from gan_core import models
from gan_core.core.errors import UsageError

DEFAULT_ARCH = models.DEFAULT

RESOLUTIONS = (32, 64, 128, 256)
GRID_SIDE = {32: 8, 64: 8, 128: 6, 256: 4}  # sample grid cells per side: ~256-1024 px images


@dataclass
class TrainConfig:
    dataset: str
    run: str
    arch: str = DEFAULT_ARCH
    epochs: int = 30
    resolution: int = 64
    channels: int = 3
    batch_size: int | None = None
    max_images: int | None = None
    save_every: int | None = None  # None: about 30 checkpoints over the run
    seed: int = 0
    lr_g: float | None = None
    lr_d: float | None = None
    beta1: float | None = None
    latent_dim: int | None = None
    width: int | None = None  # filters of the discriminator's first layer; the generator mirrors it
    grid_side: int | None = None
    xla: str = "auto"  # auto | on | off
    precision: str = "auto"  # auto | float32 | mixed_float16
    steps_per_execution: int = 8  # train steps per call from Python; also the logging interval

    def __post_init__(self):
        for name, value in models.get(self.arch).defaults.items():
            if getattr(self, name) is None:
                setattr(self, name, value)
        if self.resolution not in RESOLUTIONS:
            raise UsageError(f"resolution {self.resolution} is not supported; choose one of {RESOLUTIONS}")
        if self.channels not in (1, 3):
            raise UsageError(f"channels must be 1 or 3, not {self.channels}")
        for name in ("epochs", "batch_size", "latent_dim", "width", "steps_per_execution"):
            if getattr(self, name) < 1:
                raise UsageError(f"--{name.replace('_', '-')} must be at least 1")
        if self.max_images is not None and self.max_images < 1:
            raise UsageError("--max-images must be at least 1")
        if self.save_every is None:
            self.save_every = max(1, self.epochs // 30)
        if self.save_every < 1:
            raise UsageError("--save-every must be at least 1")
        if not 0 <= self.seed < 2**32:
            raise UsageError(f"--seed must be between 0 and {2**32 - 1}, not {self.seed}")
        if not 0 <= self.beta1 < 1:  # also false for NaN
            raise UsageError(f"--beta1 must be at least 0 and below 1, not {self.beta1}")
        for name in ("lr_g", "lr_d"):
            if not 0 < getattr(self, name) < 10:
                raise UsageError(f"--{name.replace('_', '-')} must be a positive learning rate")
        if self.xla not in ("auto", "on", "off"):
            raise UsageError("--xla must be auto, on or off")
        if self.precision not in ("auto", "float32", "mixed_float16"):
            raise UsageError("--precision must be auto, float32 or mixed_float16")
        if self.grid_side is None:
            self.grid_side = GRID_SIDE[self.resolution]

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "TrainConfig":
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})
