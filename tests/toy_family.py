"""A test-only GAN family, registered from outside gan_core: proof that a family is one module and one row.

A least-squares GAN (Mao et al. 2017) on very small networks: its own losses, its own divergence rule and
its own extra series ("d_gap"). Registered when imported; command lines and the app import it through
`GAN_FAMILY_MODULES=toy_family` (with this folder on PYTHONPATH).
"""

import keras
import tensorflow as tf
from keras import layers

from gan_core import models
from gan_core.models.gan import GAN

FAMILY = models.register(models.Family(
    name="toy",
    title="Toy least-squares GAN",
    summary=("A test family: tiny networks and the least-squares loss.", "Not for real use."),
    module=__name__,
    series=(
        models.Series("g_loss", "G squares", "mean (D(G(z)) - 1)^2 / 2"),
        models.Series("d_loss", "D squares", "mean (D(x) - 1)^2 / 2 + D(G(z))^2 / 2"),
        models.Series("d_real", "D(x) squashed", "sigmoid of D's score on real images", kind="probability"),
        models.Series("d_fake", "D(G(z)) squashed", "sigmoid of D's score on generated images", kind="probability"),
        models.Series("d_gap", "score gap", "D's mean score on real minus on generated images"),
    ),
    divergence=models.DivergenceRule(d_loss_below=0.01, g_loss_above=0.45, min_epochs=1, min_steps=4),
    defaults={"batch_size": 16, "lr_g": 1e-3, "lr_d": 1e-3, "beta1": 0.5, "latent_dim": 8, "width": 4},
))


def build_generator(resolution: int, channels: int, latent_dim: int, width: int) -> keras.Model:
    z = keras.Input((latent_dim,))
    x = layers.Dense((resolution // 4) ** 2 * width, activation="relu")(z)
    x = layers.Reshape((resolution // 4, resolution // 4, width))(x)
    x = layers.Conv2DTranspose(width, 4, strides=4, padding="same", activation="relu")(x)
    image = layers.Conv2D(channels, 3, padding="same", activation="tanh", dtype="float32")(x)
    return keras.Model(z, image, name="generator")


def build_discriminator(resolution: int, channels: int, width: int) -> keras.Model:
    image = keras.Input((resolution, resolution, channels))
    x = layers.Conv2D(width, 4, strides=4, padding="same")(image)
    x = layers.LeakyReLU(0.2)(layers.Flatten()(x))
    return keras.Model(image, layers.Dense(1, dtype="float32")(x), name="discriminator")


def optimizers(config):
    adam = keras.optimizers.Adam
    return adam(config.lr_g, beta_1=config.beta1), adam(config.lr_d, beta_1=config.beta1)


class Model(GAN):
    def __init__(self, generator, discriminator, config):
        super().__init__(generator, discriminator, config, name="toy")

    def train_step(self, real):
        z = self.sample_z(tf.shape(real)[0])
        with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
            fake = self.generator(z, training=True)
            real_score = self.discriminator(real, training=True)
            fake_score = self.discriminator(fake, training=True)
            d_loss = 0.5 * tf.reduce_mean((real_score - 1) ** 2) + 0.5 * tf.reduce_mean(fake_score**2)
            g_loss = 0.5 * tf.reduce_mean((fake_score - 1) ** 2)
            d_share, g_share = self.replica_share(d_loss), self.replica_share(g_loss)
        d_vars, g_vars = self.discriminator.trainable_variables, self.generator.trainable_variables
        d_grads = d_tape.gradient(d_share, d_vars)
        g_grads = g_tape.gradient(g_share, g_vars)
        self.d_optimizer.apply_gradients(zip(d_grads, d_vars, strict=True))
        self.g_optimizer.apply_gradients(zip(g_grads, g_vars, strict=True))
        return self.log({"g_loss": g_loss, "d_loss": d_loss, "d_real": tf.reduce_mean(tf.sigmoid(real_score)),
                         "d_fake": tf.reduce_mean(tf.sigmoid(fake_score)),
                         "d_gap": tf.reduce_mean(real_score) - tf.reduce_mean(fake_score)})
