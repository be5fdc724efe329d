"""The measure-choosing procedure: it finds a measure that is the answer, and finds nothing in noise."""

import numpy as np

from gan_core.complexity.selection import candidates, leave_one_out


def table(n: int, seed: int) -> dict[str, dict]:
    rng = np.random.default_rng(seed)
    return {f"set{i}": {m: float(rng.random()) for m in ("a", "b", "c", "d")} for i in range(n)}


def test_leave_one_out_finds_the_measure_that_is_the_answer():
    rows = table(10, 0)
    target = {name: 3 * row["c"] + 0.01 for name, row in rows.items()}
    found = leave_one_out(rows, target, candidates(["a", "b", "c", "d"], 2), resamples=999)
    assert set(found["chosen"].values()) == {("c",)}
    assert found["rho"] == 1.0 and found["p"] < 0.01


def test_leave_one_out_on_noise_predicts_nothing():
    values = []
    for seed in range(8):
        rows = table(10, seed)
        rng = np.random.default_rng(100 + seed)
        target = {name: float(rng.random()) for name in rows}
        values.append(leave_one_out(rows, target, candidates(["a", "b", "c", "d"], 2), resamples=99)["rho"])
    assert abs(np.mean(values)) < 0.3
