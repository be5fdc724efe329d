"""Is the run healthy? Two flags, each with plain words and what to try.

- `mode_collapse`, from the sample scores (`epoch_scores`): the generator makes (nearly) the same
  picture whatever z is, or only a handful of different ones. Any one of these says so:
    * diversity < 0.25: pairs of samples are far more alike than pairs of real images (MS-SSIM);
    * near-twins: at least half the samples (beyond the real data's own share) have a near-identical
      twin among the others, i.e. there are only a few distinct pictures;
    * with the run's history: diversity fell below half the best it had reached, and below 0.5 (the
      generator had learned variety, then lost it: the classic collapse during training).
  Once raised, the flag stays up while diversity stays under `DIVERSITY_RELEASE` (0.35), like a
  thermostat: toy runs hover at 0.2-0.4 and a single threshold made the flag come and go at every
  other epoch, while their grids looked equally collapsed on both sides of it (benchmarks/LOG.md,
  "Does it steady the collapse flag?").
  Precision, recall, density, coverage and KID are not used. A healthy but still blurry generator
  covers no real image (recall near 0 all through the quick demo), and in the feature space that noise
  cannot fool (features.py) toy and quick-demo samples score precision, density and coverage 0 to 0.05 at
  every epoch, flagged or not, so they cannot tell a collapse from a generator still learning; KID rises
  at flagged epochs but also between them (benchmarks/LOG.md, "Does it steady the collapse flag?"). They
  are reported, and worth reading as trends; the old space's precision (near 0.8 for a 200-step toy run)
  flagged healthy runs when a rule used it.
  The start of training is excused: for the first `WARMUP_EPOCHS` epochs or `WARMUP_STEPS` steps every
  DCGAN draws near-identical blobs (the generator has not yet learned that z matters; see
  benchmarks/LOG.md for the quick demo's numbers), which is not a collapse.
- `diverging`, from the loss log (`metrics.jsonl` rows): a loss became NaN or infinite, or the
  discriminator won outright for a sustained stretch, by the run's family's own `DivergenceRule`
  (thresholds belong to a loss: for DCGAN's cross-entropy, D loss below 0.05, i.e. it tells real from
  fake with ~98% certainty, while the generator's loss stays above 4 and does not come back down, for
  at least 2 epochs and 40 steps in a row). D winning for a moment is normal; for that long, the
  generator gets no useful gradient. Absurd learning rates (--lr-d 5 --lr-g 5) get here within two
  epochs: D loss 0, G loss in the thousands. "Does not come back down": over the stretch, G's loss has
  not come a quarter of the way back to the threshold (`RECOVERY`): a loss falling from 25,000 to 19,000
  is still diverged, one falling from 10 to 6 is recovering. (The rule was "fell by less than 5 %" until
  the absurd run, G loss near 20,000, was flagged on one CPU and not on another: its fall was a hair
  either side of 5 %.)

Limits, seen while choosing the thresholds: toy runs (256 faces, 16-32 filters) often hover at diversity
0.2-0.4 for hundreds of steps and hop between a few looks. A grid that looks collapsed at diversity 0.30
is missed unless the flag was already up; raising the bar to 0.3 would also flag toy runs that are still
learning (0.27-0.31 around step 200, varied a few epochs later).

The thresholds were chosen on the built-in data sets (see tests/test_metrics.py for the known answers
and benchmarks/LOG.md for the numbers); they are constants here, so a facilitator can read them.
"""

import math
from dataclasses import dataclass

import numpy as np

from gan_core import models
from gan_core.models import DivergenceRule

DIVERSITY_MIN = 0.25
DIVERSITY_RELEASE = 0.35  # a raised collapse flag stays up until diversity passes this
TWINS_MAX = 0.5
DROP_FRACTION, DROP_BELOW = 0.5, 0.5
WARMUP_EPOCHS = 2
WARMUP_STEPS = 200
RECOVERY = 0.25  # a D-wins stretch is excused when G's loss came this share of the way back to its threshold



@dataclass(frozen=True)
class Flag:
    code: str
    title: str
    meaning: str
    what_to_try: str


FLAGS = {
    "mode_collapse": Flag(
        "mode_collapse", "Mode collapse",
        "The generator has stopped producing a variety of pictures: whatever noise it gets, it draws "
        "the same image, or one of only a handful.",
        "Go back to the last epoch before the flag (its generator is saved) and train again from the start "
        "with a lower learning rate (for example --lr-g 1e-4 --lr-d 1e-4), more images, or a different "
        "--seed. Training on usually does not bring the variety back.",
    ),
    "diverging": Flag(
        "diverging", "Training diverged",
        "The discriminator wins outright: it tells real from generated images almost perfectly, so the "
        "generator's loss keeps climbing and it gets no useful signal to learn from (or a loss became NaN).",
        "Train again with lower learning rates, the discriminator's especially (for example --lr-d 1e-4), "
        "or with more images. The generator from the last epoch before the flag is saved and still usable.",
    ),
}


def collapse_reason(scores: dict, best_diversity: float | None = None, flagged_before: bool = False) -> str | None:
    """Why `scores` (from `epoch_scores`) mean mode collapse, in plain words; None if they do not.

    `best_diversity`: the highest diversity of the run's earlier epochs, if known; `flagged_before`: the
    run's previous scored epoch was flagged (the flag then holds until diversity passes `DIVERSITY_RELEASE`).
    """
    if not scores or scores.get("diversity") is None:
        return None
    diversity = scores["diversity"]
    if flagged_before and DIVERSITY_MIN <= diversity < DIVERSITY_RELEASE:
        return (f"the samples are still mostly alike (diversity {diversity:.2f}; the flag stays until it "
                f"passes {DIVERSITY_RELEASE})")
    twins = scores.get("near_duplicates", 0.0) - scores.get("near_duplicates_real", 0.0)
    if diversity < DIVERSITY_MIN:
        return f"the samples are nearly all alike (diversity {diversity:.2f}, where real images score 1)"
    if twins >= TWINS_MAX:
        return (f"{scores['near_duplicates']:.0%} of the samples have a near-identical twin: only a few "
                f"distinct pictures")
    if best_diversity is not None and diversity < DROP_BELOW and diversity < DROP_FRACTION * best_diversity:
        return f"the variety of the samples fell from {best_diversity:.2f} to {diversity:.2f} (diversity)"
    return None


def in_warmup(epoch: int | None, step: int | None) -> bool:
    """The first epochs, when every generator still draws near-identical blobs."""
    if epoch is None:
        return False
    return epoch <= WARMUP_EPOCHS or (step is not None and step < WARMUP_STEPS)


def _finite(value) -> bool:
    return isinstance(value, int | float) and math.isfinite(value)


def divergence_stretches(rows: list[dict], steps_per_epoch: int | None = None,
                         rule: DivergenceRule | None = None) -> list[dict]:
    """Every sign of divergence in loss-log rows (`step`, `epoch`, `g_loss`, `d_loss`), oldest first.

    `rule`: the run's family's (`models.of_run(config).divergence`); None: the default family's, which is
    what a run written before families existed was trained with.

    Each is {"kind": "nan" | "d_wins", "start_step", "start_epoch", "step", "epoch", "end_step", "end_epoch",
    "message"}: where the stretch began, where it became sustained enough to flag, and where it ended (the
    last row of the log if it still goes on). A NaN row ends the log's usefulness and is the last entry.
    """
    rule = rule or models.get(None).divergence
    found, start = [], None

    def close(k_end: int) -> None:
        if found and found[-1]["kind"] == "d_wins" and found[-1].get("end_step") is None:
            found[-1]["end_step"], found[-1]["end_epoch"] = rows[k_end]["step"], rows[k_end]["epoch"]

    for k, row in enumerate(rows):
        g, d = row.get("g_loss"), row.get("d_loss")
        if not (_finite(g) and _finite(d)):
            close(max(k - 1, 0))
            found.append({"kind": "nan", "start_step": row.get("step"), "start_epoch": row.get("epoch"),
                          "step": row.get("step"), "epoch": row.get("epoch"), "end_step": row.get("step"),
                          "end_epoch": row.get("epoch"),
                          "message": f"the losses became NaN or infinite at step {row.get('step')}"})
            return found
        if not (d < rule.d_loss_below and g > rule.g_loss_above):
            if start is not None:
                close(k - 1)
            start = None
            continue
        start = k if start is None else start
        if found and found[-1]["kind"] == "d_wins" and found[-1].get("end_step") is None:
            continue  # this stretch is flagged already
        first = rows[start]
        steps = row["step"] - first["step"]
        epochs = (steps / steps_per_epoch) if steps_per_epoch else (row["epoch"] - first["epoch"])
        if steps < rule.min_steps or epochs < rule.min_epochs:
            continue
        g_losses = [r["g_loss"] for r in rows[start : k + 1]]
        half = len(g_losses) // 2
        before, after = np.mean(g_losses[:half]), np.mean(g_losses[half:])
        if before - after < RECOVERY * (before - rule.g_loss_above):  # climbing, stuck, or barely coming down
            found.append({"kind": "d_wins", "start_step": first["step"], "start_epoch": first["epoch"],
                          "step": row["step"], "epoch": row["epoch"], "end_step": None, "end_epoch": None,
                          "message": (f"from step {first['step']} (epoch {first['epoch']}) the discriminator's "
                                      f"loss stayed below {rule.d_loss_below} while the generator's rose to "
                                      f"{row['g_loss']:.3g}")})
    if rows:
        close(len(rows) - 1)
    return found


def divergence(rows: list[dict], steps_per_epoch: int | None = None,
               rule: DivergenceRule | None = None) -> dict | None:
    """The first sign of divergence in the rows (see `divergence_stretches`), or None."""
    stretches = divergence_stretches(rows, steps_per_epoch, rule)
    return stretches[0] if stretches else None


def diverging_at(rows: list[dict], epoch: int, steps_per_epoch: int | None = None,
                 rule: DivergenceRule | None = None) -> dict | None:
    """The divergence going on in `epoch` (flagged by its end and not over before it began), or None."""
    for stretch in reversed(divergence_stretches(rows, steps_per_epoch, rule)):
        if stretch["epoch"] <= epoch <= stretch["end_epoch"]:
            return stretch
    return None


def flags_for(scores: dict | None = None, metrics_rows: list[dict] | None = None, *, epoch: int | None = None,
              step: int | None = None, steps_per_epoch: int | None = None,
              best_diversity: float | None = None, rule: DivergenceRule | None = None,
              flagged_before: bool = False) -> list[str]:
    """Flag codes (keys of FLAGS) for one epoch: its sample scores and the loss log up to its end.

    `metrics_rows` should end with the epoch's last row (the trainer passes the log as it stands);
    `flagged_before`: the previous scored epoch was flagged mode_collapse (see `collapse_reason`).
    """
    flags = []
    if scores and not in_warmup(epoch, step) and collapse_reason(scores, best_diversity, flagged_before):
        flags.append("mode_collapse")
    if metrics_rows and epoch is not None and diverging_at(metrics_rows, epoch, steps_per_epoch, rule):
        flags.append("diverging")
    return flags
