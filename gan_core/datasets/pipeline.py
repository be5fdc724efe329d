"""The training input: a stored dataset streamed through `tf.data`, shuffled, batched and prefetched.

All of it runs inside TensorFlow's input threads (no Python per image), so the input is never the
bottleneck and memory stays bounded by the shuffle buffer, whatever the size of the dataset.
"""

import tensorflow as tf

from gan_core.datasets.store import Dataset

SHUFFLE_BYTES = 256 * 2**20  # the shuffle buffer holds at most ~256 MB of images


def to_model_range(images_uint8: tf.Tensor, resolution: int, channels: int) -> tf.Tensor:
    """uint8 images (N, r, r, c) to float32 in [-1, 1] at the model's size and channel count."""
    x = tf.cast(images_uint8, tf.float32)
    if x.shape[-1] == 3 and channels == 1:
        x = tf.image.rgb_to_grayscale(x)
    elif x.shape[-1] == 1 and channels == 3:
        x = tf.tile(x, [1, 1, 1, 3])
    if x.shape[1] != resolution:
        x = tf.image.resize(x, (resolution, resolution), method="area", antialias=True)
    return x / 127.5 - 1.0


def training_dataset(
    dataset: Dataset, *, resolution: int, channels: int, batch_size: int, seed: int,
    max_images: int | None = None,
) -> tf.data.Dataset:
    """An endless stream of shuffled batches in [-1, 1]; epochs are counted in steps by the trainer.

    With `max_images`, the same first images are used every epoch (shard order is then fixed).
    """
    r, c = dataset.resolution, dataset.channels
    record = dataset.image_bytes
    files = [str(p) for p in dataset.shard_files()]
    ds = tf.data.Dataset.from_tensor_slices(files)
    if max_images is None:
        ds = ds.shuffle(len(files), seed=seed, reshuffle_each_iteration=True)
    ds = ds.interleave(
        lambda f: tf.data.FixedLengthRecordDataset(f, record, buffer_size=1 << 20),
        cycle_length=min(4, len(files)),
        num_parallel_calls=tf.data.AUTOTUNE,
        deterministic=True,
    )
    if max_images is not None:
        ds = ds.take(max_images)
    buffer = int(min(max_images or dataset.count, max(1024, SHUFFLE_BYTES // record)))
    ds = ds.shuffle(buffer, seed=seed, reshuffle_each_iteration=True).repeat()
    ds = ds.batch(batch_size, drop_remainder=True)

    def decode(raw):
        images = tf.reshape(tf.io.decode_raw(raw, tf.uint8), (-1, r, r, c))
        images = to_model_range(images, resolution, channels)
        return tf.ensure_shape(images, (batch_size, resolution, resolution, channels))

    ds = ds.map(decode, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    options = tf.data.Options()
    # Shard by element across workers: a small dataset may have fewer shard files than workers.
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    return ds.with_options(options).prefetch(tf.data.AUTOTUNE)
