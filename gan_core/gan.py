"""The GAN as one `keras.Model` with its own `train_step`, so `fit` brings XLA, tf.distribute and callbacks.

One forward pass feeds both updates, as in TensorFlow's DCGAN tutorial: the generator makes a batch,
the discriminator scores it and a real batch, and each network steps on its own loss.
Losses are averaged per replica and divided by the replica count, so gradients summed across
replicas equal the global-batch mean under any `tf.distribute` strategy.
"""

import keras
import tensorflow as tf


def _bce(labels_are_real: bool, logits):
    labels = tf.ones_like(logits) if labels_are_real else tf.zeros_like(logits)
    return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits))


class DCGAN(keras.Model):
    def __init__(self, generator: keras.Model, discriminator: keras.Model, latent_dim: int):
        super().__init__(name="dcgan")
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = latent_dim
        self.trackers = {
            name: keras.metrics.Mean(name=name) for name in ("g_loss", "d_loss", "d_real", "d_fake")
        }

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

    def train_step(self, real):
        batch = tf.shape(real)[0]
        # tf.random draws from the global seed (keras.utils.set_random_seed); a keras SeedGenerator's
        # state variable breaks multi-step loops under MirroredStrategy.
        z = tf.random.normal((batch, self.latent_dim))
        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
            fake = self.generator(z, training=True)
            real_logits = self.discriminator(real, training=True)
            fake_logits = self.discriminator(fake, training=True)
            d_loss = _bce(True, real_logits) + _bce(False, fake_logits)
            g_loss = _bce(True, fake_logits)
            d_scaled = self.d_optimizer.scale_loss(d_loss / replicas)
            g_scaled = self.g_optimizer.scale_loss(g_loss / replicas)
        d_vars = self.discriminator.trainable_variables
        g_vars = self.generator.trainable_variables
        self.d_optimizer.apply_gradients(zip(d_tape.gradient(d_scaled, d_vars), d_vars, strict=True))
        self.g_optimizer.apply_gradients(zip(g_tape.gradient(g_scaled, g_vars), g_vars, strict=True))
        values = {
            "g_loss": g_loss,
            "d_loss": d_loss,
            "d_real": tf.reduce_mean(tf.sigmoid(real_logits)),
            "d_fake": tf.reduce_mean(tf.sigmoid(fake_logits)),
        }
        for name, value in values.items():
            self.trackers[name].update_state(value)
        return {name: t.result() for name, t in self.trackers.items()}
