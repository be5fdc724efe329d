"""The registry of GAN families: everything that builds, loads or describes a model asks here.

    from gan_core import models
    family = models.get("dcgan")            # or models.of_run(run.config()) for a saved run
    family.build_gan(config); family.series; family.divergence

Adding a family is one module (networks, train step, losses; see `family.py` for what it provides)
and one `register(Family(...))` row below. A run directory written before families existed has no
`arch` in its config and is a DCGAN. `GAN_FAMILY_MODULES=pkg.mod,...` imports extra modules at start
(each registers its own families), so a command line or the app can train a family that lives
outside gan_core, e.g. a test's toy family.
"""

import importlib
import os

from gan_core.core.errors import UsageError
from gan_core.models.family import DivergenceRule, Family, Series

__all__ = ["DEFAULT", "DivergenceRule", "Family", "Series", "get", "names", "of_run", "recommended", "register"]

DEFAULT = "dcgan"  # and what a run without "arch" in its config.json was trained with
_FAMILIES: dict[str, Family] = {}


def register(family: Family) -> Family:
    """Add (or replace, by name) a family."""
    _FAMILIES[family.name] = family
    return family


def names() -> list[str]:
    _load_plugins()
    return list(_FAMILIES)


def get(name: str | None) -> Family:
    """The family called `name` (None: the default); a one-line error naming the known ones otherwise."""
    _load_plugins()
    name = name or DEFAULT
    if name not in _FAMILIES:
        raise UsageError(f"unknown GAN family {name!r}; choose one of {', '.join(_FAMILIES)}")
    return _FAMILIES[name]


SMALL_DATA_FROM_PX = 64  # at 64 px the small-data family measured better at every size tried: 200, 500 and 2,000 images


def recommended(images: int, resolution: int) -> tuple[str, str]:
    """The family that measured best for this much data at this size, and why (benchmarks/LOG.md).

    DCGAN won at 32 px on every set (1,797 and 300 digits, 2,000 cartoon faces). At 64 px the small-data family
    won on every set: 200 doodles (recall 0.45 against 0.04 after 10 minutes), 500 doodles (0.39 against 0.01)
    and 2,000 cartoon faces (faces with eyes and no flag against DCGAN's collapsed blobs after 6 minutes), two
    seeds each. Beyond 2,000 images at 64 px it is unmeasured here; DiffAugment's own paper found it helps
    with all of CIFAR-10 too, so it stays the pick."""
    if resolution >= SMALL_DATA_FROM_PX and "sngan-da" in names():
        return "sngan-da", (f"{images:,} images at {resolution} px: at 64 px the small-data family measured far "
                            "better than DCGAN on 200 and 500 doodles and on 2,000 cartoon faces")
    return DEFAULT, f"{images:,} images at {resolution} px: DCGAN measured best at 32 px, on every set tried"


def of_run(config: dict) -> Family:
    """The family a run was trained with, from its `config.json` (DCGAN if it predates families)."""
    return get(config.get("arch") or DEFAULT)


_plugins_loaded: set[str] = set()


def _load_plugins() -> None:
    for module in filter(None, (m.strip() for m in os.environ.get("GAN_FAMILY_MODULES", "").split(","))):
        if module not in _plugins_loaded:
            _plugins_loaded.add(module)
            try:
                importlib.import_module(module)
            except ImportError as exc:
                raise UsageError(f"GAN_FAMILY_MODULES names {module!r}, which cannot be imported: {exc}") from exc


# -- the families -------------------------------------------------------------------------------------
CROSS_ENTROPY_SERIES = (
    Series("g_loss", "G loss", "The generator's cross-entropy, -log D(G(z)): lower when it fools the "
           "discriminator. It rises when D gets better; that is normal."),
    Series("d_loss", "D loss", "The discriminator's cross-entropy on real and generated images: 1.39 (2 ln 2) "
           "when it cannot tell them apart, near 0 when it always can."),
    Series("d_real", "D(x) on real", "The probability D gives real images of being real: near 1 means D is sure.",
           kind="probability"),
    Series("d_fake", "D(G(z)) on generated", "The probability D gives generated images of being real: 0.5 means "
           "the generator fools it half the time.", kind="probability"),
)

register(Family(
    name="dcgan",
    title="DCGAN (Radford et al. 2015)",
    summary=("The classic recipe: strided convolutions, batch norm and the cross-entropy loss.",
             "Learns fast on big datasets; on a few hundred images its discriminator tends to overfit."),
    module="gan_core.models.dcgan",
    series=CROSS_ENTROPY_SERIES,
    # D tells real from fake with ~98% certainty (cross-entropy 0.05) while G's loss stays high
    divergence=DivergenceRule(d_loss_below=0.05, g_loss_above=4.0),
    defaults={"batch_size": 64, "lr_g": 2e-4, "lr_d": 2e-4, "beta1": 0.5, "latent_dim": 100, "width": 64},
))

HINGE_SERIES = (
    Series("g_loss", "G loss", "The generator's loss, minus D's mean score of generated images (with --loss "
           "hinge; the cross-entropy with nonsaturating). A score, not a probability: it drifts with D's scale, "
           "so watch its trend; climbing for epochs while D loss sits near 0 means D is winning."),
    Series("d_loss", "D hinge loss", "D's hinge loss (with --loss hinge): 0 when it scores every real image "
           "above +1 and every generated one below -1, 2 when it scores all of them 0 (cannot tell). Healthy "
           "training stays in between, often 1 to 1.8. With --loss nonsaturating, the cross-entropy as in DCGAN."),
    Series("d_real", "real scored real", "The share of real images (augmented as D sees them) that D scores as "
           "real (score above 0). A count, not D's confidence.", kind="probability"),
    Series("d_fake", "generated scored real", "The share of generated images D scores as real (score above 0): "
           "0 means D catches every one, 0.5 that it guesses.", kind="probability"),
)

SMALL_DATA_SETTINGS = ("loss", "spectral_norm", "augment", "augment_strength", "ema", "ema_rampup", "r1", "r1_every",
                       "g_block")

register(Family(
    name="sngan-da",
    title="DiffAugment + hinge loss (for small datasets)",
    summary=("The hinge loss, the same random colour, shift and cutout on real and generated images, and a "
             "moving average of G for the pictures.",
             "For a few hundred images: on 200 doodles at 64 px it drew ducks where DCGAN's discriminator "
             "overfit. Each step costs a little more than DCGAN's."),
    module="gan_core.models.sngan_da",
    series=HINGE_SERIES,
    # A hinge D has won when it puts nearly every image past its margin (d_loss near 0; 2 is chance) while
    # the generated images' mean score sinks well below the margin of -1 (g_loss = -score above 1.5) and
    # stays there. The hinge G loss does not saturate, so unlike cross-entropy this can recover; the
    # epochs and steps of the stretch are DCGAN's. Under --loss nonsaturating, d_loss < 0.1 is D ~95% sure.
    divergence=DivergenceRule(d_loss_below=0.1, g_loss_above=1.5),
    defaults={"batch_size": 64, "lr_g": 2e-4, "lr_d": 2e-4, "beta1": 0.5, "latent_dim": 128, "width": 64,
              # spectral norm off and half the paper's augmentation: better on every set measured, two seeds
              # each (benchmarks/LOG.md "Tuning the small-data family", "Long runs on little data")
              "loss": "hinge", "spectral_norm": False, "augment": "color,translation,cutout", "augment_strength": 0.5,
              "ema": 0.999, "ema_rampup": 0.05, "r1": 0.0, "r1_every": 4, "g_block": "plain"},
    settings=SMALL_DATA_SETTINGS,
    network_settings=("g_block", "spectral_norm"),
))
