"""Every setting of a training run, as one plain dataclass (stored as the run's `config.json`).

`arch` names the GAN family (`gan_core.models`); settings left as None take that family's defaults
(for DCGAN, the paper's and the seeds': 100-d z, Adam 2e-4 with beta1 0.5, batch 64, width 64).
"""

from dataclasses import asdict, dataclass, fields

from gan_core import models
from gan_core.core.errors import UsageError
from gan_core.core.hardware import cpu_bf16_mode
from gan_core.training.xla_probe import xla_auto_mode

DEFAULT_ARCH = models.DEFAULT

RESOLUTIONS = (32, 64, 128, 256)
# mixed_bfloat16: float32 weights, bfloat16 maths; fast on CPUs with AMX (measured 1.5x, benchmarks/LOG.md)
PRECISIONS = ("auto", "float32", "mixed_float16", "mixed_bfloat16")
GRID_SIDE = {32: 8, 64: 8, 128: 6, 256: 4}  # sample grid cells per side: ~256-1024 px images
FAMILY_SETTINGS = ("loss", "spectral_norm", "augment", "augment_strength", "ema", "ema_rampup", "r1", "r1_every",
                   "g_block")
LOSSES = ("hinge", "nonsaturating")
G_BLOCKS = ("plain", "residual", "skip")
AUGMENT_POLICIES = ("color", "translation", "cutout")  # gan_core.models.augment.OPS


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
    precision: str = "auto"  # PRECISIONS
    steps_per_execution: int = 8  # train steps per call from Python; also the logging interval
    # Settings only some families read (the family's row lists them in `settings`; None: its default).
    # A family that does not read one refuses it rather than ignore it: an ablation that silently ran
    # without its setting, and a config.json recording a setting that did nothing, would both mislead.
    loss: str | None = None  # hinge | nonsaturating
    spectral_norm: bool | str | None = None  # spectral normalisation in D (off: batch norm, as DCGAN); on/off
    augment: str | None = None  # DiffAugment policy: comma-separated color, translation, cutout; or none
    augment_strength: float | None = None  # 1 = the DiffAugment paper's amounts; 0 = off
    ema: float | None = None  # per-step decay of G's moving average (0 = off: grids from G itself)
    ema_rampup: float | None = None  # the average's half-life is at most this fraction of the steps so far
    r1: float | None = None  # gamma of the R1 penalty on real images (0 = off)
    r1_every: int | None = None  # apply R1 every k steps, k times as strong (lazy regularisation)
    g_block: str | None = None  # generator blocks: plain | residual | skip

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
        if self.xla == "auto":
            xla_auto_mode()  # the environment's GAN_XLA_AUTO, checked before anything is written
        if self.precision not in PRECISIONS:
            raise UsageError(f"--precision must be one of {', '.join(PRECISIONS)}")
        if self.precision == "auto":
            cpu_bf16_mode()  # the environment's GAN_CPU_BF16, checked before anything is written
        if self.grid_side is None:
            self.grid_side = GRID_SIDE[self.resolution]
        self._check_family_settings()

    def _check_family_settings(self) -> None:
        family = models.get(self.arch)
        for name in FAMILY_SETTINGS:
            if getattr(self, name) is not None and name not in family.settings:
                users = [n for n in models.names() if name in models.get(n).settings]
                raise UsageError(f"--{name.replace('_', '-')} is not a setting of {self.arch}"
                                 + (f" (it is one of {', '.join(users)})" if users else ""))
        if "spectral_norm" in family.settings and not isinstance(self.spectral_norm, bool):
            # the command line (and the app, passing a saved True back) give it as text
            switch = {"on": True, "true": True, "1": True, "off": False, "false": False, "0": False}
            if str(self.spectral_norm).lower() not in switch:
                raise UsageError(f"--spectral-norm must be on or off, not {self.spectral_norm!r}")
            self.spectral_norm = switch[str(self.spectral_norm).lower()]
        if "loss" in family.settings and self.loss not in LOSSES:
            raise UsageError(f"--loss must be one of {', '.join(LOSSES)}")
        if "g_block" in family.settings and self.g_block not in G_BLOCKS:
            raise UsageError(f"--g-block must be one of {', '.join(G_BLOCKS)}")
        if "augment" in family.settings:
            chosen = [p.strip().lower() for p in str(self.augment).split(",") if p.strip()]
            if chosen in ([], ["none"]):
                self.augment = "none"
            elif set(chosen) - set(AUGMENT_POLICIES) or len(set(chosen)) != len(chosen):
                raise UsageError(f"--augment takes none or some of {','.join(AUGMENT_POLICIES)} "
                                 f"(comma-separated, each once), not {self.augment!r}")
            else:
                self.augment = ",".join(chosen)
        for name, low, high in (("augment_strength", 0, 4), ("ema_rampup", 0, 10), ("r1", 0, 1e4)):
            if name in family.settings and not low <= getattr(self, name) <= high:
                raise UsageError(f"--{name.replace('_', '-')} must be between {low} and {high}")
        if "ema" in family.settings and not 0 <= self.ema < 1:
            raise UsageError("--ema must be 0 (off) or a decay below 1, e.g. 0.999")
        if "r1_every" in family.settings and self.r1_every < 1:
            raise UsageError("--r1-every must be at least 1")

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "TrainConfig":
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})
