"""FLOPs of a network, counted from its built layers: one counter for the bench and the time estimate.

Multiply-adds x2 of one forward pass, from the layer shapes (dense and convolution layers dominate a
GAN's cost). A train step costs about 3 x (G + 2 x D) per image: G forward, D on the real and the
generated batch, and a backward pass of about twice the forward.
"""

from functools import lru_cache

TRAIN_STEP_FORMULA = "train step = 3 x (G + 2 x D): forward G, D(real), D(fake); backward ~ 2 x forward"


def flops_per_image(model) -> int:
    """Multiply-adds x2 of one forward pass of a built Keras model, for one image."""
    from keras import layers

    total = 0
    for layer in _all_layers(model):
        # a wrapper (e.g. SpectralNormalization) costs what the layer it wraps does, at its own shapes
        inner = layer.layer if isinstance(layer, layers.Wrapper) else layer
        if isinstance(inner, layers.Dense):
            total += 2 * inner.kernel.shape[0] * inner.kernel.shape[1]
        elif isinstance(inner, layers.Conv2DTranspose):
            h, w = layer.input.shape[1:3]
            k = inner.kernel.shape  # (kh, kw, out, in)
            total += 2 * h * w * k[0] * k[1] * k[2] * k[3]
        elif isinstance(inner, layers.Conv2D):
            h, w = layer.output.shape[1:3]
            k = inner.kernel.shape  # (kh, kw, in, out)
            total += 2 * h * w * k[0] * k[1] * k[2] * k[3]
    return int(total)


def _all_layers(model):
    for layer in model.layers:
        if hasattr(layer, "layers"):  # a nested functional block
            yield from _all_layers(layer)
        else:
            yield layer


@lru_cache(maxsize=64)
def train_step_flops(arch: str, resolution: int, channels: int, width: int, latent_dim: int) -> dict:
    """{"generator_forward", "discriminator_forward", "train_step_per_image"} for a family's networks."""
    from gan_core import models

    family = models.get(arch)
    g = flops_per_image(family.build_generator(resolution, channels, latent_dim, width))
    d = flops_per_image(family.build_discriminator(resolution, channels, width))
    return {"generator_forward": g, "discriminator_forward": d, "train_step_per_image": 3 * (g + 2 * d)}
