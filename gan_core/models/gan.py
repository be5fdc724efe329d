"""The GAN as one `keras.Model` with its own `train_step`, so `fit` brings XLA, tf.distribute and callbacks.

This base holds what every family shares: the two networks and their optimizers, one running mean per
logged series (the family's `series`), and building the optimizers' slots up front so a saved training
state loads into them. Each family subclasses it with its own `train_step` and losses.
Under `tf.distribute`, a family divides each replica's losses by the replica count (`replica_share`),
so gradients summed across replicas equal the global-batch mean.
"""

import keras
import tensorflow as tf


class GAN(keras.Model):
    def __init__(self, generator: keras.Model, discriminator: keras.Model, config, name: str):
        from gan_core import models

        super().__init__(name=name)
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = config.latent_dim
        self.trackers = {key: keras.metrics.Mean(name=key) for key in models.get(config.arch).keys()}

    def compile(self, g_optimizer, d_optimizer, **kwargs):
        super().compile(**kwargs)
        self.g_optimizer = g_optimizer
        self.d_optimizer = d_optimizer

    def build_optimizers(self) -> None:
        """Create optimizer slots up front, so a saved training state can be loaded into them."""
        self.g_optimizer.build(self.generator.trainable_variables)
        self.d_optimizer.build(self.discriminator.trainable_variables)

    @property
    def metrics(self):
        return list(self.trackers.values())

    def call(self, z, training=False):
        return self.generator(z, training=training)

    def sample_z(self, batch):
        # tf.random draws from the global seed (keras.utils.set_random_seed); a keras SeedGenerator's
        # state variable breaks multi-step loops under MirroredStrategy.
        return tf.random.normal((batch, self.latent_dim))

    @staticmethod
    def replica_share(loss):
        return loss / tf.distribute.get_strategy().num_replicas_in_sync

    def log(self, values: dict) -> dict:
        """Update the running means with this step's values; what `train_step` returns to Keras."""
        for name, value in values.items():
            self.trackers[name].update_state(value)
        if isinstance(tf.distribute.get_strategy(), tf.distribute.MultiWorkerMirroredStrategy):
            # Keras 3.15 averages logs over workers with `strategy.reduce("MEAN", value, axis=0)`, which
            # fails on a scalar: give it one-element vectors, which it averages into the scalar it logs
            return {name: tf.reshape(t.result(), [1]) for name, t in self.trackers.items()}
        return {name: t.result() for name, t in self.trackers.items()}
