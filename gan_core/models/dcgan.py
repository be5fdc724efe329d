"""The DCGAN family (Radford et al. 2015): generator, discriminator and train step, for 32 to 256 px.

The paper's recipe, kept exactly as the classic to compare with: no pooling, strided (transposed)
convolutions, batch norm everywhere but the generator's output and the discriminator's input, ReLU in G,
LeakyReLU(0.2) in D, tanh output, weights drawn from N(0, 0.02), the non-saturating cross-entropy loss
and Adam. Both networks grow one 2x stage per doubling of resolution from 4x4. Its registry row (series,
divergence rule, defaults) is in `gan_core/models/__init__.py`.

One forward pass feeds both updates, as in TensorFlow's DCGAN tutorial: the generator makes a batch,
the discriminator scores it and a real batch, and each network steps on its own loss.
"""

import math

import keras
import tensorflow as tf
from keras import layers

from gan_core.models.gan import GAN

MAX_FILTERS = 512
# Moving averages for inference (sample grids, generate) follow training 10x faster than Keras' default
# 0.99 (PyTorch's DCGAN uses the same 0.9); with 0.99 the first few hundred steps' grids are flat grey.
BN_MOMENTUM = 0.9


def _init():
    return keras.initializers.RandomNormal(stddev=0.02)


def _stages(resolution: int) -> int:
    stages = int(math.log2(resolution // 4))
    if 4 * 2**stages != resolution:
        raise ValueError(f"resolution must be 4 * 2^k, got {resolution}")
    return stages


def _filters(width: int, stage: int) -> int:
    return min(width * 2**stage, MAX_FILTERS)


def build_generator(resolution: int, channels: int, latent_dim: int = 100, width: int = 64) -> keras.Model:
    """z (latent_dim) -> image (resolution, resolution, channels) in [-1, 1]."""
    n = _stages(resolution)
    z = keras.Input((latent_dim,), name="z")
    x = layers.Dense(4 * 4 * _filters(width, n - 1), use_bias=False, kernel_initializer=_init())(z)
    x = layers.Reshape((4, 4, _filters(width, n - 1)))(x)
    x = layers.BatchNormalization(momentum=BN_MOMENTUM)(x)
    x = layers.ReLU()(x)
    for stage in range(n - 2, -1, -1):
        x = layers.Conv2DTranspose(
            _filters(width, stage), 4, strides=2, padding="same", use_bias=False, kernel_initializer=_init()
        )(x)
        x = layers.BatchNormalization(momentum=BN_MOMENTUM)(x)
        x = layers.ReLU()(x)
    x = layers.Conv2DTranspose(channels, 4, strides=2, padding="same", kernel_initializer=_init())(x)
    # float32 output keeps images exact under mixed precision
    image = layers.Activation("tanh", dtype="float32", name="image")(x)
    return keras.Model(z, image, name="generator")


def build_discriminator(resolution: int, channels: int, width: int = 64) -> keras.Model:
    """image -> one logit (real vs generated)."""
    n = _stages(resolution)
    image = keras.Input((resolution, resolution, channels), name="image")
    x = image
    for stage in range(n):
        x = layers.Conv2D(
            _filters(width, stage), 4, strides=2, padding="same", use_bias=stage == 0, kernel_initializer=_init()
        )(x)
        if stage > 0:
            x = layers.BatchNormalization(momentum=BN_MOMENTUM)(x)
        x = layers.LeakyReLU(0.2)(x)
    x = layers.Flatten()(x)
    logit = layers.Dense(1, kernel_initializer=_init(), dtype="float32", name="logit")(x)
    return keras.Model(image, logit, name="discriminator")


def optimizers(config):
    return (keras.optimizers.Adam(config.lr_g, beta_1=config.beta1),
            keras.optimizers.Adam(config.lr_d, beta_1=config.beta1))


def _bce(labels_are_real: bool, logits):
    labels = tf.ones_like(logits) if labels_are_real else tf.zeros_like(logits)
    return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits))


class Model(GAN):
    def __init__(self, generator: keras.Model, discriminator: keras.Model, config):
        super().__init__(generator, discriminator, config, name="dcgan")

    def train_step(self, real):
        z = self.sample_z(tf.shape(real)[0])
        with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
            fake = self.generator(z, training=True)
            real_logits = self.discriminator(real, training=True)
            fake_logits = self.discriminator(fake, training=True)
            d_loss = _bce(True, real_logits) + _bce(False, fake_logits)
            g_loss = _bce(True, fake_logits)
            d_scaled = self.d_optimizer.scale_loss(self.replica_share(d_loss))
            g_scaled = self.g_optimizer.scale_loss(self.replica_share(g_loss))
        d_vars = self.discriminator.trainable_variables
        g_vars = self.generator.trainable_variables
        self.d_optimizer.apply_gradients(zip(d_tape.gradient(d_scaled, d_vars), d_vars, strict=True))
        self.g_optimizer.apply_gradients(zip(g_tape.gradient(g_scaled, g_vars), g_vars, strict=True))
        return self.log({
            "g_loss": g_loss,
            "d_loss": d_loss,
            "d_real": tf.reduce_mean(tf.sigmoid(real_logits)),
            "d_fake": tf.reduce_mean(tf.sigmoid(fake_logits)),
        })
