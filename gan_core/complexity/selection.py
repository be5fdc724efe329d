"""Which measures make a composite that ranks datasets by how hard a GAN finds them, checked on held-out sets.

A composite is the equal-weight mean of a few measures' noise shares (0 = blank, 1 = noise): no fitted
weights, so only the choice of measures can overfit. `leave_one_out` chooses the measures on all
datasets but one, scores the held-out one with that choice, and correlates those held-out scores with
what the GAN reached (Spearman): an honest estimate of how well the choosing procedure predicts a new
dataset. With fewer than a dozen datasets the interval is wide; the p-value (a permutation test) says
how often shuffled outcomes correlate as well.
"""

from itertools import combinations

import numpy as np
from scipy import stats


def candidates(measures: list[str], largest: int = 3) -> list[tuple[str, ...]]:
    """Every set of 1 to `largest` measures."""
    return [c for size in range(1, largest + 1) for c in combinations(measures, size)]


def composite(row: dict[str, float], chosen: tuple[str, ...]) -> float:
    return float(np.mean([row.get(m) or 0.0 for m in chosen]))


def rho(rows: dict[str, dict], target: dict[str, float], chosen: tuple[str, ...]) -> float:
    names = list(rows)
    r = stats.spearmanr([composite(rows[n], chosen) for n in names], [target[n] for n in names]).statistic
    return -1.0 if np.isnan(r) else float(r)


def best(rows: dict[str, dict], target: dict[str, float], options: list[tuple[str, ...]]) -> tuple[str, ...]:
    """The option whose composite ranks `rows` most like `target` (ties: the fewer measures, then the first)."""
    return max(options, key=lambda c: (round(rho(rows, target, c), 9), -len(c)))


def leave_one_out(rows: dict[str, dict], target: dict[str, float], options: list[tuple[str, ...]],
                  resamples: int = 9999) -> dict:
    """Held-out Spearman rho of the choosing procedure, with a one-sided permutation p-value."""
    held, chosen = {}, {}
    for name in rows:
        rest = {n: r for n, r in rows.items() if n != name}
        chosen[name] = best(rest, target, options)
        held[name] = composite(rows[name], chosen[name])
    names = list(rows)
    x, y = np.array([held[n] for n in names]), np.array([target[n] for n in names])
    r = float(stats.spearmanr(x, y).statistic)
    test = stats.permutation_test((x,), lambda a: stats.spearmanr(a, y).statistic, permutation_type="pairings",
                                  n_resamples=resamples, alternative="greater", random_state=0)
    return {"rho": round(0 if np.isnan(r) else r, 3), "p": round(float(test.pvalue), 4), "held_out": held,
            "chosen": chosen, "all": best(rows, target, options)}
