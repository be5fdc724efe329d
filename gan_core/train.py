"""`python -m gan_core.train`: train a GAN on a stored dataset into `checkpoints/<run>/`, or resume one.

    python -m gan_core.train --dataset cartoon-faces --run faces-demo --epochs 30 --resolution 32
    python -m gan_core.train --dataset cartoon-faces --run faces-dcgan --arch dcgan --epochs 30
    python -m gan_core.train --run faces-demo --resume --epochs 60
    python -m gan_core.train --dataset cartoon-faces --run faces-hour --epochs 1000 --minutes 60
    python -m gan_core.train --run faces-hour --resume --until 17:30

Stop cleanly with Ctrl-C, SIGTERM, or by creating `checkpoints/<run>/stop.request`.
"""

from gan_core import models
from gan_core.core.errors import CliParser, UsageError, finite_arg, run_cli, seed_arg
from gan_core.training.config import PRECISIONS
from gan_core.training.jobs import APP_NICENESS
from gan_core.training.time_box import TimeBox, minutes_arg, until_arg


def parser() -> CliParser:
    p = CliParser(prog="python -m gan_core.train", description=__doc__.split("\n")[0])
    p.add_argument("--dataset", help="a stored dataset (python -m gan_core.datasets list)")
    p.add_argument("--run", required=True, help="name of the run directory under checkpoints/")
    p.add_argument("--resume", action="store_true", help="continue a stopped or finished run")
    p.add_argument("--arch", help=f"GAN family: {', '.join(models.names())} (default {models.DEFAULT}); "
                   "settings left out take the family's defaults")
    p.add_argument("--epochs", type=int, help="total epochs to reach (default 30)")
    box = p.add_mutually_exclusive_group()
    box.add_argument("--minutes", type=minutes_arg, metavar="N",
                     help="stop by itself N minutes after training starts (fractions allowed), at the end of the "
                     "epoch in progress, with a checkpoint; --resume continues")
    box.add_argument("--until", type=until_arg, metavar="HH:MM",
                     help="stop by itself at this local clock time (today, or tomorrow if it has passed), at the "
                     "end of the epoch in progress, with a checkpoint")
    p.add_argument("--resolution", type=int, help="32, 64, 128 or 256 (default: the dataset's)")
    p.add_argument("--channels", type=int, choices=(1, 3), help="3 for RGB, 1 for grey (default: the dataset's)")
    p.add_argument("--batch-size", type=int, help="images per step (default: the family's, 64 for dcgan)")
    p.add_argument("--max-images", type=int, help="train on at most this many images of the dataset")
    p.add_argument("--save-every", type=int, help="keep generator weights every K epochs (default: ~30 kept)")
    p.add_argument("--seed", type=seed_arg, help="random seed: same seed and settings, same epoch-0 grid")
    p.add_argument("--lr-g", type=finite_arg, help="generator learning rate (default: the family's, 2e-4 for dcgan)")
    p.add_argument("--lr-d", type=finite_arg,
                   help="discriminator learning rate (default: the family's, 2e-4 for dcgan)")
    p.add_argument("--beta1", type=finite_arg, help="Adam beta1 (default: the family's, 0.5 for dcgan)")
    p.add_argument("--latent-dim", type=int, help="size of z (default: the family's, 100 for dcgan)")
    p.add_argument("--width", type=int, help="filters in D's first layer, G mirrors it (default: the family's, "
                   "64 for dcgan)")
    p.add_argument("--xla", choices=("auto", "on", "off"), help="XLA compilation (default auto: on)")
    p.add_argument("--precision", choices=PRECISIONS,
                   help="default auto: mixed_float16 on a GPU; on a CPU, mixed_bfloat16 where it has AMX, else float32")
    p.add_argument("--steps-per-execution", type=int, help="train steps per Python call (default 8)")
    small = "sngan-da only; default"
    p.add_argument("--loss", help=f"D and G loss: hinge or nonsaturating (cross-entropy) ({small} hinge)")
    p.add_argument("--spectral-norm", metavar="on|off",
                   help="spectral normalisation in D; off gives DCGAN's batch-normalised D "
                   f"({small} off: measured better)")
    p.add_argument("--augment", metavar="POLICY", help="DiffAugment on real and generated images: none, or "
                   f"comma-separated color,translation,cutout ({small} all three)")
    p.add_argument("--augment-strength", type=float, help=f"scales every augmentation; 1 = the paper's ({small} 0.5: "
                   "measured better)")
    p.add_argument("--ema", type=float, help="moving average of G's weights for every picture: per-step decay, "
                   f"0 = off ({small} 0.999)")
    p.add_argument("--ema-rampup", type=float, help="the average's half-life is at most this fraction of the "
                   f"steps so far, so short runs are not blurred; 0 = none ({small} 0.05)")
    p.add_argument("--r1", type=float, help=f"R1 gradient penalty on real images, gamma; 0 = off ({small} 0)")
    p.add_argument("--r1-every", type=int, help=f"apply R1 every k steps, k times as strong ({small} 4)")
    p.add_argument("--g-block", help=f"generator blocks: plain (DCGAN's), residual or skip (FastGAN-like "
                   f"skip-layer excitation) ({small} plain)")
    p.add_argument("--queue", action="store_true",
                   help="wait in the queue until fewer than GAN_MAX_RUNNING (default 1) runs are training")
    p.add_argument("--nice", type=int, default=0, metavar="0-19",
                   help="lower this trainer's CPU priority so the app's pages stay quick (the app starts its "
                   f"trainers at {APP_NICENESS}; default 0: unchanged)")
    return p


def lower_priority(niceness: int) -> None:
    """Pages drawn beside a trainer on two cores wait for it unless the trainer yields (`os.nice`)."""
    import os

    if not 0 <= niceness <= 19:
        raise UsageError(f"--nice must be 0 to 19, not {niceness}")
    if niceness:
        os.nice(niceness)


def main(argv=None) -> int:
    args = vars(parser().parse_args(argv))
    resume, queue = args.pop("resume"), args.pop("queue")
    time_box = TimeBox.from_args(args.pop("minutes"), args.pop("until"))
    lower_priority(args.pop("nice"))
    if resume:
        unused = [k for k, v in args.items() if v is not None and k not in ("run", "epochs")]
        if unused:
            raise UsageError(f"--resume continues a run with its own settings; drop {', '.join(unused)}")
    elif not args.get("dataset"):
        raise UsageError("--dataset is required for a new run (or pass --resume to continue one)")
    elif args.get("epochs") is None:
        args["epochs"] = 30

    from gan_core.core.paths import check_name

    name = check_name(args["run"], "run name")
    from gan_core.training import cluster

    if not cluster.is_chief():  # the chief alone writes the run; this worker writes into a scratch copy
        scratch = cluster.use_scratch(name, resume)
        kind, index = cluster.task()
        print(f"{kind} {index} of {cluster.workers()}: the chief writes run {name!r}; this worker's own files "
              f"go to {scratch}, deleted when it ends")
        try:
            return _train(args, name, resume, queue, time_box)
        finally:
            import shutil

            shutil.rmtree(scratch, ignore_errors=True)
    return _train(args, name, resume, queue, time_box)


def _train(args: dict, name: str, resume: bool, queue: bool, time_box: TimeBox) -> int:
    from gan_core.core import runlock
    from gan_core.core.runs import Run

    if runlock.acquire(name) is None and not _holder_is_leaving(Run(name)):  # held until this process ends
        raise UsageError(refusal(Run(name)))
    from gan_core.core.quiet_tf import import_tensorflow
    from gan_core.training.trainer import Trainer, prepare

    config = prepare(args, resume=resume)
    runlock.note_dataset(name, config.dataset)  # seen by `datasets delete` before the run has any file
    run = Run(config.run)
    run.stop_file.unlink(missing_ok=True)  # a stale request from an earlier session
    if queue:
        from gan_core.training import jobs

        with jobs.queue_lock():
            jobs.enqueue(run, config.epochs, dataset=config.dataset)
        if not jobs.wait_for_turn(run):
            print(f"{run.name}: left the queue on a stop request")
            return 0
    try:
        trainer = Trainer(config, resume=resume, time_box=time_box)
    except Exception as exc:  # e.g. the dataset was deleted while the run waited in the queue
        if run.status_file.exists():
            from gan_core.core.runs import now

            run.write_status(state="failed", error=str(exc), finished=now(), pid=None)
        raise
    import_tensorflow()
    status = trainer.train()
    runlock.release(name)  # the last status is written: a Resume need not wait for TensorFlow's teardown
    return 0 if status["state"] in ("finished", "stopped") else 1


LEAVING_WAIT_S = 60


def _holder_is_leaving(run) -> bool:
    """The lock's holder has written its own last status ("stopped", "finished", "failed") and is on its
    way out: wait for its lock (a Resume clicked right after Stop) instead of refusing; True once held."""
    from gan_core.core import runlock
    from gan_core.core.schemas import RunStatus, read_checked

    status, holder = read_checked(run.status_file, RunStatus, {}), runlock.holder(run.name)
    if status.get("state") not in ("stopped", "finished", "failed") or holder is None or status.get("pid") != holder:
        return False
    return runlock.acquire(run.name, wait=LEAVING_WAIT_S) is not None


def refusal(run) -> str:
    """The one line for a second trainer on a run that another process owns."""
    from gan_core.core import runlock
    from gan_core.core.schemas import RunStatus, read_checked

    pid = runlock.holder(run.name)
    state = read_checked(run.status_file, RunStatus, {}).get("state")
    what = "is queued" if state == "queued" else "is already training"
    return f"run {run.name!r} {what} (pid {pid if pid and pid > 0 else 'unknown'}); stop it first or wait"


def cli() -> None:
    """The installed command (pyproject.toml); the same as `python -m`."""
    run_cli(main)


if __name__ == "__main__":
    cli()
