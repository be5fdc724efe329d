"""What the rest of GAN Explorer needs to know about a GAN family, without importing TensorFlow.

A `Family` is one row of the registry (`gan_core.models`): its name, two plain lines for people, the
loss and probability series its train step logs (each with what it means, since "D loss" means
something else under each loss), its default settings, and its own rule for "training diverged"
(thresholds belong to a loss, not to the app). The networks and the train step live in the family's
module, imported only when a model is built, so pages that only read runs stay light.

A family module provides:
    build_generator(resolution, channels, latent_dim, width, **network_settings) -> keras.Model
                                                  z -> image in [-1, 1]
    build_discriminator(resolution, channels, width, **network_settings) -> keras.Model   image -> one logit
    Model(generator, discriminator, config)      a `gan_core.models.gan.GAN` with its own `train_step`
    optimizers(config) -> (g_optimizer, d_optimizer)
    sampling_generator(gan) -> keras.Model       optional: the network whose weights are saved per epoch
                                                  and drawn from (default: `gan.generator`)
"""

import importlib
from dataclasses import dataclass, field
from types import ModuleType


@dataclass(frozen=True)
class Series:
    """One column of `metrics.jsonl` that a family's train step logs every step."""

    key: str  # the column, e.g. "d_loss"
    label: str  # on charts, e.g. "D loss"
    meaning: str  # one line for people: what the number says and which way is good
    kind: str = "loss"  # "loss" (plotted with the losses, watched for NaN) or "probability" (0..1)


@dataclass(frozen=True)
class DivergenceRule:
    """The discriminator won outright: D loss below `d_loss_below` while G loss stays above
    `g_loss_above` and does not come back down, for at least `min_epochs` epochs and `min_steps` steps."""

    d_loss_below: float
    g_loss_above: float
    min_epochs: int = 2
    min_steps: int = 40


@dataclass(frozen=True)
class Family:
    name: str  # as in --arch and config.json's "arch"
    title: str  # for people, e.g. "DCGAN (Radford et al. 2015)"
    summary: tuple[str, ...]  # two plain lines for the Train page
    module: str  # the importable module with the networks and the train step
    series: tuple[Series, ...]
    divergence: DivergenceRule
    defaults: dict = field(default_factory=dict)  # TrainConfig settings this family starts from
    # TrainConfig settings only some families read: the ones this family reads (others refuse them)
    settings: tuple[str, ...] = ()
    # those of `settings` that shape the networks: passed to both builders as keywords, so a saved run's
    # generator is rebuilt as it was trained (e.g. its block design)
    network_settings: tuple[str, ...] = ()

    def load(self) -> ModuleType:
        return importlib.import_module(self.module)

    def keys(self, kind: str | None = None) -> tuple[str, ...]:
        return tuple(s.key for s in self.series if kind is None or s.kind == kind)

    def series_by_key(self) -> dict[str, Series]:
        return {s.key: s for s in self.series}

    # -- building (imports TensorFlow) ------------------------------------------------------------
    def build_generator(self, resolution: int, channels: int, latent_dim: int, width: int, **network_settings):
        return self.load().build_generator(resolution, channels, latent_dim, width,
                                           **self._with_defaults(network_settings))

    def build_discriminator(self, resolution: int, channels: int, width: int, **network_settings):
        return self.load().build_discriminator(resolution, channels, width, **self._with_defaults(network_settings))

    def _with_defaults(self, network_settings: dict) -> dict:
        """Settings left out take this row's defaults, never a builder's own (one place for them)."""
        return {**{k: self.defaults[k] for k in self.network_settings if k in self.defaults}, **network_settings}

    def network_options(self, config: dict) -> dict:
        """The run's settings that shape the networks (missing or None: the family's default)."""
        return {k: config[k] for k in self.network_settings if config.get(k) is not None}

    def generator_for(self, config: dict):
        """The generator of a saved run, from its `config.json`, ready to load its weights."""
        return self.build_generator(config["resolution"], config["channels"], config["latent_dim"], config["width"],
                                    **self.network_options(config))

    def build_gan(self, config):
        """The family's Keras model for a `TrainConfig` (not compiled)."""
        c = config
        module = self.load()
        options = self.network_options(vars(c))
        generator = module.build_generator(c.resolution, c.channels, c.latent_dim, c.width, **options)
        discriminator = module.build_discriminator(c.resolution, c.channels, c.width, **options)
        return module.Model(generator, discriminator, c)

    def optimizers(self, config):
        return self.load().optimizers(config)

    def sampling_generator(self, gan):
        """The generator whose weights are saved each epoch and drawn from (an EMA copy, for some families)."""
        pick = getattr(self.load(), "sampling_generator", None)
        return pick(gan) if pick else gan.generator
