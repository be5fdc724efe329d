"""DCGAN generator and discriminator (Radford et al. 2015) for 32 to 256 px, RGB or grey.

The paper's recipe: no pooling, strided (transposed) convolutions, batch norm everywhere but the
generator's output and the discriminator's input, ReLU in G, LeakyReLU(0.2) in D, tanh output,
weights drawn from N(0, 0.02). Both networks grow one 2x stage per doubling of resolution from 4x4.
"""

import math

import keras
from keras import layers

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


def flops_per_image(model: keras.Model) -> int:
    """Multiply-adds x2 of one forward pass, from the layer shapes (dense and conv layers dominate)."""
    total = 0
    for layer in model.layers:
        if isinstance(layer, layers.Dense):
            total += 2 * layer.kernel.shape[0] * layer.kernel.shape[1]
        elif isinstance(layer, layers.Conv2DTranspose):
            h, w = layer.input.shape[1:3]
            k = layer.kernel.shape  # (kh, kw, out, in)
            total += 2 * h * w * k[0] * k[1] * k[2] * k[3]
        elif isinstance(layer, layers.Conv2D):
            h, w = layer.output.shape[1:3]
            k = layer.kernel.shape  # (kh, kw, in, out)
            total += 2 * h * w * k[0] * k[1] * k[2] * k[3]
    return int(total)
