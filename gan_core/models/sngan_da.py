"""The small-data family ("sngan-da"): the hinge loss, DiffAugment, and an averaged generator.

Named for where it started, SNGAN + DiffAugment. Each piece is a setting, so an ablation can switch it off by
flags alone (its registry row, with the defaults and what each series means, is in `gan_core/models/__init__.py`).
Measured on digits (1,797 and 300 images, 32 px) and on 200 doodles at 64 px, two seeds each: spectral norm
off and augmentation at half the paper's strength scored better everywhere, so those are the defaults
(benchmarks/LOG.md). The pieces:

- `spectral_norm`: every layer of D spectrally normalised (Miyato et al. 2018, `keras.layers.SpectralNormalization`,
  which rescales the kernel in place each training call); off gives DCGAN's batch-normalised D.
- `loss`: "hinge" (Lim & Ye 2017, as in SNGAN) or "nonsaturating" (DCGAN's cross-entropy).
- `augment`, `augment_strength`: DiffAugment (`augment.py`) on real and generated images, in both updates.
- `ema`, `ema_rampup`: a second generator holding the moving average of G's weights (Karras et al. 2018;
  Yazici et al. 2019), updated every step; grids, saved weights, `generate` and the explorer use it. Its
  half-life grows with training (`ema_rampup` x steps so far, as StyleGAN2-ADA does) up to the one `ema` sets,
  so a short run is not a blur of its random start.
- `r1`, `r1_every`: the zero-centred gradient penalty on real images (Mescheder et al. 2018), optionally
  lazy (every k steps, k times as strong, as StyleGAN2 does).
- `lr_g`, `lr_d`: two time-scale learning rates (Heusel et al. 2017) are just the two existing settings.
- `g_block`: "plain" (DCGAN's own generator), "residual" (SNGAN's up-sampling residual blocks) or "skip"
  (FastGAN-like, Liu et al. 2021: up-sample, conv, GLU, and skip-layer excitation: a low-resolution stage
  gates the channels of the stage 8x larger).

One step: G draws a batch; D steps on hinge(D(aug(real)), D(aug(G(z)))) [+ R1]; then G steps on the updated D's
scores of a fresh augmentation of the same generated batch (FastGAN's order: one G forward, D first); then
the average is updated. D never sees a batch mixing real and generated images (its batch norm, when spectral
norm is off, must keep them apart).
"""

import math

import keras
import tensorflow as tf
from keras import layers

from gan_core.models import dcgan
from gan_core.models.augment import augment, parse_policy
from gan_core.models.gan import GAN

BN_MOMENTUM = dcgan.BN_MOMENTUM
BETA2 = 0.99  # Adam's second moment: StyleGAN2's; follows a GAN's moving target faster than 0.999
SLE_RATIO = 8  # skip-layer excitation: a stage gates the one 8x its resolution (FastGAN: 16x, for 1024 px)


def _stages(resolution: int) -> int:
    return dcgan._stages(resolution)


def _filters(width: int, stage: int) -> int:
    """Filters at resolution / 2^(stage + 1), as DCGAN's D has them; G mirrors them."""
    return dcgan._filters(width, stage) if stage >= 0 else max(width // 2, 8)


# -- generator ----------------------------------------------------------------------------------------
def _residual_up(x, filters: int):
    h = layers.ReLU()(layers.BatchNormalization(momentum=BN_MOMENTUM)(x))
    h = layers.UpSampling2D(2)(h)
    h = layers.Conv2D(filters, 3, padding="same")(h)
    h = layers.ReLU()(layers.BatchNormalization(momentum=BN_MOMENTUM)(h))
    h = layers.Conv2D(filters, 3, padding="same")(h)
    shortcut = layers.Conv2D(filters, 1)(layers.UpSampling2D(2)(x))
    return layers.Add()([h, shortcut])


def _glu(x):
    """Gated linear unit over channels: half the channels gate the other half (FastGAN's activation)."""
    a, b = layers.Lambda(lambda t: tf.split(t, 2, axis=-1))(x)
    return layers.Multiply()([a, layers.Activation("sigmoid")(b)])


def _glu_up(x, filters: int):
    x = layers.UpSampling2D(2)(x)
    x = layers.Conv2D(2 * filters, 3, padding="same", use_bias=False)(x)
    return _glu(layers.BatchNormalization(momentum=BN_MOMENTUM)(x))


def _excite(low, high):
    """Skip-layer excitation: channel gates for `high` from the coarse layout in `low`."""
    g = low if low.shape[1] == 4 else layers.AveragePooling2D(low.shape[1] // 4)(low)
    g = layers.LeakyReLU(0.1)(layers.Conv2D(low.shape[-1], 4, padding="valid")(g))  # 4x4 -> 1x1
    g = layers.Conv2D(high.shape[-1], 1, activation="sigmoid")(g)
    return layers.Multiply()([high, g])


def build_generator(resolution: int, channels: int, latent_dim: int = 128, width: int = 64,
                    g_block: str = "plain", **_) -> keras.Model:
    """z -> image in [-1, 1]; `g_block` picks the up-sampling design."""
    if g_block == "plain":
        return dcgan.build_generator(resolution, channels, latent_dim, width)
    n = _stages(resolution)
    z = keras.Input((latent_dim,), name="z")
    stem = _filters(width, n - 1)
    x = layers.Dense(4 * 4 * stem * (2 if g_block == "skip" else 1))(z)
    x = layers.Reshape((4, 4, -1))(x)
    features = {4: x}
    if g_block == "skip":
        x = features[4] = _glu(layers.BatchNormalization(momentum=BN_MOMENTUM)(x))
    for stage in range(n - 2, -2, -1):  # down to stage -1: the full resolution
        if g_block == "residual":
            x = _residual_up(x, _filters(width, stage))
        elif g_block == "skip":
            x = _glu_up(x, _filters(width, stage))
            side = x.shape[1]
            if side // SLE_RATIO in features:
                x = _excite(features[side // SLE_RATIO], x)
        else:
            raise ValueError(f"unknown g_block {g_block!r}")
        features[x.shape[1]] = x
    if g_block == "residual":
        x = layers.ReLU()(layers.BatchNormalization(momentum=BN_MOMENTUM)(x))
    x = layers.Conv2D(channels, 3, padding="same")(x)
    image = layers.Activation("tanh", dtype="float32", name="image")(x)  # float32 under mixed precision
    return keras.Model(z, image, name="generator")


# -- discriminator ------------------------------------------------------------------------------------
def build_discriminator(resolution: int, channels: int, width: int = 64, spectral_norm: bool = False,
                        **_) -> keras.Model:
    """image -> one score. DCGAN's layout; with spectral norm on every layer instead of batch norm."""
    if not spectral_norm:
        return dcgan.build_discriminator(resolution, channels, width)
    sn = layers.SpectralNormalization
    image = keras.Input((resolution, resolution, channels), name="image")
    x = image
    for stage in range(_stages(resolution)):
        x = sn(layers.Conv2D(_filters(width, stage), 4, strides=2, padding="same"))(x)
        x = layers.LeakyReLU(0.2)(x)
    x = layers.Flatten()(x)
    # float32 wrapper too: the wrapper casts its output back to its input's dtype
    score = sn(layers.Dense(1, dtype="float32"), dtype="float32", name="score")(x)
    return keras.Model(image, score, name="discriminator")


def optimizers(config):
    return (keras.optimizers.Adam(config.lr_g, beta_1=config.beta1, beta_2=BETA2),
            keras.optimizers.Adam(config.lr_d, beta_1=config.beta1, beta_2=BETA2))


def sampling_generator(gan):
    """The moving average of G when `ema` is on: what every picture people see comes from."""
    return gan.ema_generator if gan.ema_generator is not None else gan.generator


def ema_decay(step, decay: float, rampup: float):
    """Per-step decay at `step` (0-based): half-life min(rampup x (step + 1), the target's) steps."""
    target = math.log(0.5) / math.log(decay)
    half_life = tf.cast(step + 1, tf.float32) * rampup if rampup > 0 else tf.constant(target)
    return tf.pow(0.5, 1.0 / tf.maximum(tf.minimum(half_life, target), 1e-3))


# -- losses -------------------------------------------------------------------------------------------
def d_loss_fn(kind: str, real, fake):
    if kind == "hinge":
        return tf.reduce_mean(tf.nn.relu(1.0 - real)) + tf.reduce_mean(tf.nn.relu(1.0 + fake))
    return tf.reduce_mean(tf.nn.softplus(-real)) + tf.reduce_mean(tf.nn.softplus(fake))  # cross-entropy


def g_loss_fn(kind: str, fake):
    return -tf.reduce_mean(fake) if kind == "hinge" else tf.reduce_mean(tf.nn.softplus(-fake))


class Model(GAN):
    def __init__(self, generator: keras.Model, discriminator: keras.Model, config):
        super().__init__(generator, discriminator, config, name="sngan_da")
        self.loss_kind = config.loss
        self.policy = parse_policy(config.augment)
        self.strength = float(config.augment_strength)
        self.ema = float(config.ema)
        self.ema_rampup = float(config.ema_rampup)
        self.r1 = float(config.r1)
        self.r1_every = int(config.r1_every)
        self.d_batch_norm = not config.spectral_norm  # DCGAN's D: G's step needs its batch statistics too
        self.ema_generator = None
        if self.ema > 0:
            self.ema_generator = build_generator(config.resolution, config.channels, config.latent_dim,
                                                 config.width, g_block=config.g_block)
            self.ema_generator.set_weights(generator.get_weights())

    def augment(self, images):
        return augment(images, self.policy, self.strength)

    def r1_penalty(self, real):
        """gamma/2 x E|grad_x D(aug(x))|^2 on real images (through the augmentation, as ADA does)."""
        real = tf.identity(real)  # a tensor of this (cond branch's) graph, so the tape can watch it
        with tf.GradientTape() as tape:
            tape.watch(real)
            total = tf.reduce_sum(self.discriminator(self.augment(real), training=self.d_batch_norm))
        grad = tape.gradient(total, real)
        return 0.5 * self.r1 * self.r1_every * tf.reduce_mean(tf.reduce_sum(tf.square(grad), axis=[1, 2, 3]))

    def r1_gradients(self, real, step):
        """D's gradients of the (loss-scaled) R1 penalty; zeros on the steps a lazy penalty skips.

        Computed whole inside the branch: XLA cannot compile the gradient of a `tf.cond` that holds a gradient.
        """
        d_vars = self.discriminator.trainable_variables

        def penalty_gradients():
            with tf.GradientTape() as tape:
                scaled = self.d_optimizer.scale_loss(self.replica_share(self.r1_penalty(real)))
            grads = tape.gradient(scaled, d_vars)  # None for the last bias: the slope does not depend on it
            return [tf.zeros_like(v) if g is None else g for g, v in zip(grads, d_vars, strict=True)]

        if self.r1_every == 1:
            return penalty_gradients()
        return tf.cond(step % self.r1_every == 0, penalty_gradients,
                       lambda: [tf.zeros_like(v) for v in d_vars])

    def train_step(self, real):
        step = tf.identity(self.d_optimizer.iterations)  # read now: D's update below counts it on
        z = self.sample_z(tf.shape(real)[0])
        d_vars, g_vars = self.discriminator.trainable_variables, self.generator.trainable_variables
        with tf.GradientTape() as g_tape:
            fake = self.generator(z, training=True)
            with g_tape.stop_recording(), tf.GradientTape() as d_tape:
                real_scores = self.discriminator(self.augment(real), training=True)
                fake_scores = self.discriminator(self.augment(tf.stop_gradient(fake)), training=True)
                d_loss = d_loss_fn(self.loss_kind, real_scores, fake_scores)
                d_scaled = self.d_optimizer.scale_loss(self.replica_share(d_loss))
            with g_tape.stop_recording():
                d_grads = d_tape.gradient(d_scaled, d_vars)
                if self.r1 > 0:
                    d_grads = [g + r for g, r in zip(d_grads, self.r1_gradients(real, step), strict=True)]
                self.d_optimizer.apply_gradients(zip(d_grads, d_vars, strict=True))
            g_scores = self.discriminator(self.augment(fake), training=self.d_batch_norm)
            g_loss = g_loss_fn(self.loss_kind, g_scores)
            g_scaled = self.g_optimizer.scale_loss(self.replica_share(g_loss))
        self.g_optimizer.apply_gradients(zip(g_tape.gradient(g_scaled, g_vars), g_vars, strict=True))
        if self.ema_generator is not None:
            decay = ema_decay(step, self.ema, self.ema_rampup)
            for average, weight in zip(self.ema_generator.weights, self.generator.weights, strict=True):
                average.assign(decay * average + (1.0 - decay) * tf.cast(weight, average.dtype))
        return self.log({
            "g_loss": g_loss,
            "d_loss": d_loss,
            "d_real": tf.reduce_mean(tf.cast(real_scores > 0, tf.float32)),
            "d_fake": tf.reduce_mean(tf.cast(fake_scores > 0, tf.float32)),
        })
