"""A resume state crosses precisions (gan_core/training/state.py): saved with loss scaling (mixed float16, a GPU's
default) and loaded without (float32 on a laptop), and the other way round, every value landing where it was."""

import keras
import numpy as np
import pytest
from test_state import built_gan

from gan_core.training.state import LOSS_SCALE_OWN, StateWriter, load_state, state_variables


def gan_under(policy: str, seed: int):
    keras.mixed_precision.set_global_policy(policy)
    try:
        gan = built_gan(seed=seed)
        if policy == "mixed_float16":
            gan.g_optimizer = keras.optimizers.LossScaleOptimizer(gan.g_optimizer)
            gan.d_optimizer = keras.optimizers.LossScaleOptimizer(gan.d_optimizer)
            gan.build_optimizers()
    finally:
        keras.mixed_precision.set_global_policy("float32")
    rng = np.random.default_rng(seed)
    for v in state_variables(gan):  # every value distinct, as after training
        v.assign(rng.normal(size=v.shape).astype(v.dtype) if v.dtype.startswith("float") else rng.integers(1, 99))
    return gan


def inner_values(gan) -> list[np.ndarray]:
    """The networks' and the optimizers' own values, without a loss-scale wrapper's variables."""
    optimizers = [getattr(o, "inner_optimizer", o) for o in (gan.g_optimizer, gan.d_optimizer)]
    return [np.array(v.numpy()) for v in [*gan.weights, *(w for o in optimizers for w in o.variables)]]


@pytest.mark.parametrize("saved_as, loaded_as", [("mixed_float16", "float32"), ("float32", "mixed_float16")])
def test_a_state_loads_across_loss_scaling(tmp_path, saved_as, loaded_as):
    saved = gan_under(saved_as, seed=1)
    writer = StateWriter(tmp_path)
    writer.save(saved, epoch=2, step=8)
    writer.close()
    loaded = gan_under(loaded_as, seed=2)
    difference = len(state_variables(saved)) - len(state_variables(loaded))
    assert abs(difference) == 2 * LOSS_SCALE_OWN
    assert not all(np.array_equal(a, b) for a, b in zip(inner_values(saved), inner_values(loaded), strict=True))
    load_state(loaded, tmp_path / "state_step_000000008.npz")
    assert all(np.array_equal(a, b) for a, b in zip(inner_values(saved), inner_values(loaded), strict=True))
    assert int(loaded.g_optimizer.iterations.numpy()) == int(saved.g_optimizer.iterations.numpy())


def test_other_mismatches_are_still_refused(tmp_path):
    writer = StateWriter(tmp_path)
    writer.save(gan_under("mixed_float16", seed=1), epoch=1, step=4)
    writer.close()
    with pytest.raises(ValueError, match="variables"):
        load_state(built_gan("sngan-da"), tmp_path / "state_step_000000004.npz")
