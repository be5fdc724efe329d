"""Differentiable augmentation (DiffAugment, Zhao et al. 2020), written for this project in plain TensorFlow.

On a few hundred images the discriminator memorises the real set and stops teaching the generator. Showing
it every image, real and generated, through the same random colour shift, translation and cutout makes
memorising harder. Because every operation is differentiable in the pixels, the generator's gradient passes
through the augmentation of its own images, so G is never asked to make augmented-looking pictures.

    augment(images, "color,translation,cutout", strength=1.0)

Images are NHWC in [-1, 1]; parameters are drawn per image (`tf.random`, the global seed, which works under
`tf.distribute` and XLA), so each call gives a new draw. Strength 1 is the paper's setting (brightness +-0.5,
saturation x0..2, contrast x0.5..1.5, translation up to 1/8 of the side, a cutout square half the side);
strength s scales each amount, 0 (or an empty policy) returns the images untouched. Results are clipped back
to [-1, 1] so augmented images are still images; that clip only stops gradients on the few clipped pixels.
"""

import tensorflow as tf

TRANSLATION = 1 / 8  # of the image side, at strength 1
CUTOUT = 1 / 2


def parse_policy(policy: str | None) -> tuple[str, ...]:
    """"color,translation" -> ("color", "translation"); "", "none" or None -> ()."""
    if not policy or policy.strip().lower() == "none":
        return ()
    return tuple(p.strip().lower() for p in policy.split(",") if p.strip())


def _uniform(images, low=0.0, high=1.0):
    batch = tf.shape(images)[0]
    return tf.random.uniform((batch, 1, 1, 1), low, high, dtype=images.dtype)


def color(images, strength: float):
    """Brightness, saturation and contrast, each by its own random amount per image."""
    x = images + (_uniform(images) - 0.5) * strength
    mean = tf.reduce_mean(x, axis=3, keepdims=True)
    x = (x - mean) * (1.0 + (_uniform(images) * 2.0 - 1.0) * strength) + mean
    mean = tf.reduce_mean(x, axis=[1, 2, 3], keepdims=True)
    return (x - mean) * (1.0 + (_uniform(images) - 0.5) * strength) + mean


def translation(images, strength: float):
    """Shift each image by up to TRANSLATION x side pixels in x and y, filling with 0 (mid-grey)."""
    shape = tf.shape(images)
    batch, height, width = shape[0], images.shape[1], images.shape[2]
    pad = int(round(height * TRANSLATION * strength))
    if pad == 0:
        return images
    padded = tf.pad(images, [[0, 0], [pad, pad], [pad, pad], [0, 0]])
    dy = tf.random.uniform((batch, 1), 0, 2 * pad + 1, dtype=tf.int32)  # offset into the padded image
    dx = tf.random.uniform((batch, 1), 0, 2 * pad + 1, dtype=tf.int32)
    rows = tf.range(height)[None, :] + dy
    cols = tf.range(width)[None, :] + dx
    x = tf.gather(padded, rows, axis=1, batch_dims=1)
    return tf.gather(x, cols, axis=2, batch_dims=1)


def cutout(images, strength: float):
    """Zero (mid-grey) one square of CUTOUT x side per image, at a random place (it may hang over the edge)."""
    height, width = images.shape[1], images.shape[2]
    size = int(round(height * CUTOUT * strength))
    if size == 0:
        return images
    batch = tf.shape(images)[0]
    cy = tf.random.uniform((batch, 1, 1), 0, height, dtype=tf.int32)
    cx = tf.random.uniform((batch, 1, 1), 0, width, dtype=tf.int32)
    ys = tf.range(height)[None, :, None]
    xs = tf.range(width)[None, None, :]
    inside = (tf.abs(ys - cy) * 2 < size) & (tf.abs(xs - cx) * 2 < size)
    return images * tf.cast(~inside, images.dtype)[..., None]


OPS = {"color": color, "translation": translation, "cutout": cutout}


def augment(images, policy: str | tuple[str, ...] | None, strength: float = 1.0):
    """The policy's operations, in the order given, on a batch of images in [-1, 1]."""
    ops = parse_policy(policy) if isinstance(policy, str | None) else tuple(policy)
    if not ops or strength == 0:
        return images
    x = images
    for name in ops:
        x = OPS[name](x, strength)
    return tf.clip_by_value(x, -1.0, 1.0)
