"""Wrong-shaped JSON in any file the app reads never crashes a reader, a page or a command line (issue 25).

Hypothesis writes random wrong-shaped values (a list, text, a number or null where an object belongs, a key
dropped, a value of the wrong type, a number out of range, an extra level of nesting) into each file kind of a
copy of the real tiny run and dataset, then calls the readers, opens every page (AppTest) and runs the command
lines in-process: nothing may raise except a one-line `error:` exit, no page may show an exception, and no
reader may change a file. The examples run per file kind are printed at the end (`-s`) and in docs/reliability.md.

Also here: the issue's own case (a 2-epoch run, `7` appended to metrics.jsonl, resumed to 3 epochs) and the check
that docs/run-directory.md agrees with the schemas.
"""

import contextlib
import hashlib
import io
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from unittest import mock

import pytest
from helpers import cli, pages_hold
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from gan_core.core import schemas
from gan_core.core.errors import UsageError, run_cli

ROOT = Path(__file__).resolve().parents[1]
RUN, DATASET = "tiny", "cartoon-faces"
PAGES = ["app.py", "pages/datasets.py", "pages/train.py", "pages/epochs.py", "pages/latent.py", "pages/curves.py",
         "pages/compare.py"]

# file kind -> (path under the copied folder, whole file or JSON lines, the pages that read it)
KINDS = {
    "config.json": (f"checkpoints/{RUN}/config.json", "json", PAGES),
    "status.json": (f"checkpoints/{RUN}/status.json", "json", PAGES),
    "metrics.jsonl": (f"checkpoints/{RUN}/metrics.jsonl", "jsonl", ["pages/train.py", "pages/curves.py"]),
    "epochs.jsonl": (f"checkpoints/{RUN}/epochs.jsonl", "jsonl", ["pages/train.py", "pages/epochs.py",
                                                                  "pages/curves.py", "pages/compare.py"]),
    "state/latest.json": (f"checkpoints/{RUN}/state/latest.json", "json", ["pages/train.py"]),
    "manifest.json": (f"datasets/{DATASET}/manifest.json", "json", PAGES),
    "favourites.json": (f"checkpoints/{RUN}/favourites.json", "json", ["pages/latent.py"]),
    "complexity.json": (f"datasets/{DATASET}/complexity.json", "json", ["pages/compare.py", "pages/datasets.py"]),
    "xla-probe.json": ("cache/xla-probe.json", "json", []),
}
EXAMPLES = int(os.environ.get("SHAPE_EXAMPLES", "4"))  # per file kind; pages open on every one of them
SEED = int(os.environ["SHAPE_SEED"]) if os.environ.get("SHAPE_SEED") else None  # default: the same examples each run
RAN: dict[str, int] = {}
RESUMES = int(os.environ.get("SHAPE_RESUMES", "1"))  # of those, resumed for one more epoch (the slow part)
RESUMED = ("config.json", "status.json", "metrics.jsonl", "epochs.jsonl", "state/latest.json", "manifest.json")

# -- wrong shapes ------------------------------------------------------------------------------------------
leaf = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(allow_nan=True, allow_infinity=True),
                 st.text(max_size=12))
json_value = st.recursive(leaf, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                        st.dictionaries(st.text(max_size=6), inner, max_size=3)),
                          max_leaves=6)
OUT_OF_RANGE = [-1, 0, -(10**20), 10**30, 2**63, math.nan, math.inf, -math.inf, 1.5, "", True]


def wrong_shapes(base: dict):
    """A value of the wrong shape made from `base` (a real one): replaced, cut, retyped, out of range, nested."""
    keys = st.sampled_from(sorted(base) or ["x"])
    return st.one_of(
        json_value.filter(lambda v: not isinstance(v, dict)),
        keys.map(lambda k: {n: v for n, v in base.items() if n != k}),
        st.tuples(keys, json_value).map(lambda kv: {**base, kv[0]: kv[1]}),
        st.tuples(keys, st.sampled_from(OUT_OF_RANGE)).map(lambda kv: {**base, kv[0]: kv[1]}),
        keys.map(lambda k: {**base, k: [base.get(k)]}),
        keys.map(lambda k: {**base, k: {"value": base.get(k)}}),
        st.dictionaries(st.text(max_size=6), json_value, max_size=4),
    )


# -- the folder ----------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def base_copy(tiny_run, tmp_path_factory) -> Path:
    """The tiny run and dataset with every file kind present (a favourite, a complexity cache, an XLA verdict)."""
    base = tmp_path_factory.mktemp("shapes")
    shutil.copytree(tiny_run["datasets_dir"], base / "datasets")
    shutil.copytree(tiny_run["checkpoints_dir"], base / "checkpoints")
    with folder_env(base):
        from gan_core.complexity.profile import profile
        from gan_core.core.runs import Run
        from gan_core.explore import favourites

        run = Run(RUN)
        favourites.save(run, "first", [0.5] * run.config()["latent_dim"])
        profile(DATASET)
    (base / "cache").mkdir()
    (base / "cache" / "xla-probe.json").write_text(json.dumps({"version": 1, "entries": {"k": {"xla": True}}}))
    return base


@contextlib.contextmanager
def folder_env(base: Path):
    """The env pointed at `base`'s folders, no facilitator lock; all of os.environ as it was afterwards."""
    with mock.patch.dict(os.environ, GAN_CHECKPOINTS_DIR=str(base / "checkpoints"),
                         GAN_DATASETS_DIR=str(base / "datasets"), GAN_CACHE_DIR=str(base / "cache")):
        os.environ.pop("GAN_FACILITATOR_PASSCODE", None)
        yield base


def hashes(base: Path) -> dict[str, str]:
    return {str(p.relative_to(base)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(base.rglob("*")) if p.is_file() and not p.name.endswith(".lock")}


def damage(base: Path, kind: str, value, where: float = 1.0) -> None:
    """Write `value` into the kind's file: the whole file, or one line of a log (at a place `where` in 0..1)."""
    path = base / KINDS[kind][0]
    line = json.dumps(value)
    if KINDS[kind][1] == "json":
        path.write_text(line)
    else:
        lines = path.read_text().splitlines(keepends=True)
        lines.insert(round(where * len(lines)), line + "\n")
        path.write_text("".join(lines))


def base_value(base_dir: Path, kind: str) -> dict:
    text = (base_dir / KINDS[kind][0]).read_text()
    return json.loads(text.splitlines()[-1] if KINDS[kind][1] == "jsonl" else text)


# -- what must hold ------------------------------------------------------------------------------------------
def in_process(module: str, *args) -> tuple[int, str]:
    """A command line's `main` under `run_cli`, here: (exit status, stderr). Anything but SystemExit fails."""
    import importlib

    mod = importlib.import_module(module)
    main = getattr(mod, "main", None) or importlib.import_module(f"{module}.__main__").main
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            run_cli(main, [str(a) for a in args])
            code = 0
        except SystemExit as exc:
            code = exc.code or 0
    return code, err.getvalue()


def assert_clean_exit(code: int, stderr: str, what: str) -> None:
    errors = [line for line in stderr.splitlines() if line.startswith("error:")]
    assert "Traceback" not in stderr, (what, stderr)
    assert code == 0 or (code == 2 and len(errors) == 1), (what, code, stderr)


def readers_hold() -> None:
    """Every reader returns values of the right shape, or says (in one line) that the file is damaged."""
    from gan_core.complexity.profile import cached
    from gan_core.core.runs import Run, list_runs
    from gan_core.datasets.store import Dataset, list_datasets
    from gan_core.explore import favourites
    from gan_core.training import xla_probe
    from gan_core.training.trainer import saved_state

    list_runs(), list_runs(damaged=True), list_datasets(), list_datasets(damaged=True)
    run = Run(RUN)
    problem = run.problem()
    config, status = run.config(), run.status()
    if problem is None:
        assert schemas.check(config, schemas.RunConfig) is None and schemas.check(status, schemas.RunStatus) is None
    else:
        assert "\n" not in problem
    for rows, model in ((run.metrics(), schemas.MetricsRow), (run.epochs(), schemas.EpochRow)):
        assert all(schemas.check(r, model) is None for r in rows)
        assert all(s.count(":") >= 2 for s in rows.skipped)
    favourites.load(run, config.get("latent_dim"))
    try:
        saved_state(run)
    except UsageError as exc:
        assert "\n" not in str(exc)
    ds = Dataset(Path(os.environ["GAN_DATASETS_DIR"]) / DATASET)
    if ds.problem() is None:
        assert schemas.check(ds.manifest, schemas.DatasetManifest) is None
        cached(DATASET)
    xla_probe._entries()


def commands_hold(out: Path) -> None:
    """The read-only command lines: done, or one `error:` line."""
    for args in (("gan_core.generate", RUN, "--count", 2, "--out", out / "g"),
                 ("gan_core.evaluate", RUN, "--count", 8, "--json"),
                 ("gan_core.timelapse", RUN, "--out", out / "t.gif"),
                 ("gan_core.datasets", "list"),
                 ("gan_core.datasets", "info", DATASET)):
        assert_clean_exit(*in_process(*args), args)


def check_everything(base_dir: Path, kind: str, value, where: float) -> None:
    RAN[kind] = RAN.get(kind, 0) + 1
    with tempfile.TemporaryDirectory(prefix="shape-") as tmp:
        base = Path(tmp) / "f"
        shutil.copytree(base_dir, base)
        damage(base, kind, value, where)
        before = hashes(base)
        with folder_env(base):
            pages_hold(KINDS[kind][2])
            commands_hold(Path(tmp) / "out")
            readers_hold()
        after = hashes(base)
        assert before == after, {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
        if kind in RESUMED and RAN[kind] <= RESUMES:  # the writer: a resume goes on, or says why not in one line
            with folder_env(base):
                code, stderr = in_process("gan_core.train", "--run", RUN, "--resume", "--epochs", 2)
            assert_clean_exit(code, stderr, "train --resume")
            if KINDS[kind][1] == "jsonl":  # a damaged log line never stops a run
                assert code == 0, stderr
                epochs = [json.loads(line) for line in (base / KINDS["epochs.jsonl"][0]).read_text().splitlines()]
                assert any(isinstance(r, dict) and r.get("epoch") == 2 for r in epochs)


@pytest.mark.parametrize("kind", list(KINDS))
def test_wrong_shapes_never_crash_a_reader_page_or_command(base_copy, kind):
    real = base_value(base_copy, kind)

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=SEED is None,
              suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])  # no shrinking: slow
    @given(value=wrong_shapes(real), where=st.floats(0, 1))
    def examples(value, where):
        check_everything(base_copy, kind, value, where)

    if SEED is not None:
        examples = seed(SEED)(examples)

    examples()
    print(f"\n{kind}: {RAN.get(kind, 0)} examples")


def test_numbers_past_int64_in_the_logs_still_show(base_copy):
    """Found by the property test above: a loss written as an integer past int64 (valid JSON, a valid number)
    broke the Curves page's epoch table (Arrow cannot hold it); an epoch past 2**53 is refused as damaged."""
    real = base_value(base_copy, "epochs.jsonl")
    check_everything(base_copy, "epochs.jsonl", {**real, "g_loss": -10**20, "kid": 10**30}, 0.5)
    check_everything(base_copy, "epochs.jsonl", {**real, "epoch": 10**20}, 0.5)


# -- the case ------------------------------------------------------------------------------------------
def test_resume_goes_past_a_damaged_metrics_line(tiny_dirs):
    """The 1-epoch tiny run (a copy), `7` appended to metrics.jsonl, resumed to 2 epochs: it trains, names the line,
    logs epoch 2."""
    run = tiny_dirs["checkpoints"] / RUN
    assert [json.loads(line)["epoch"] for line in (run / "epochs.jsonl").read_text().splitlines()] == [1]
    with open(run / "metrics.jsonl", "a") as f:
        f.write("7\n")
    bad_line = len((run / "metrics.jsonl").read_text().splitlines())
    p = cli(tiny_dirs, "gan_core.train", "--run", RUN, "--resume", "--epochs", 2)
    assert "Traceback" not in p.stderr + p.stdout
    warnings = [line for line in (p.stdout + p.stderr).splitlines() if "damaged line" in line]
    assert warnings == [f"warning: skipped a damaged line: metrics.jsonl:{bad_line}: should be an object, not a "
                        "number; left in the file as it is"], p.stdout
    assert json.loads((run / "status.json").read_text())["state"] == "finished"
    epochs = [json.loads(line) for line in (run / "epochs.jsonl").read_text().splitlines()]
    assert [r["epoch"] for r in epochs] == [1, 2]
    assert any(json.loads(line) == 7 for line in (run / "metrics.jsonl").read_text().splitlines())
    # and resumed again, it still goes on
    p = cli(tiny_dirs, "gan_core.train", "--run", RUN, "--resume", "--epochs", 3)
    assert json.loads((run / "epochs.jsonl").read_text().splitlines()[-1])["epoch"] == 3


def test_a_wrong_shaped_config_is_refused_in_one_line_naming_the_field(tiny_dirs, tmp_path):
    config = tiny_dirs["checkpoints"] / RUN / "config.json"
    config.write_text(json.dumps({**json.loads(config.read_text()), "epochs": "3"}))
    p = cli(tiny_dirs, "gan_core.train", "--run", RUN, "--resume", "--epochs", 3, check=False)
    assert p.returncode == 2 and p.stderr.strip().count("\n") == 0, p.stderr
    assert "config.json: epochs: input should be a valid integer" in p.stderr, p.stderr


def test_a_wrong_shaped_state_is_refused_in_one_line_naming_the_field(tiny_dirs):
    latest = tiny_dirs["checkpoints"] / RUN / "state" / "latest.json"
    latest.write_text(json.dumps({**json.loads(latest.read_text()), "step": -4}))
    p = cli(tiny_dirs, "gan_core.train", "--run", RUN, "--resume", "--epochs", 3, check=False)
    assert p.returncode == 2 and p.stderr.strip().count("\n") == 0, p.stderr
    assert "latest.json: step: input should be greater than or equal to 0" in p.stderr, p.stderr


def test_a_skipped_log_line_is_named_on_the_pages(tiny_dirs):
    with open(tiny_dirs["checkpoints"] / RUN / "epochs.jsonl", "a") as f:
        f.write(json.dumps({"epoch": "two", "step": 4}) + "\n")
    for page in ("pages/epochs.py", "pages/curves.py", "pages/train.py"):
        at = AppTest.from_file("../app.py", default_timeout=180)
        at.switch_page(page)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        text = "\n".join(str(w.value) for w in at.warning).replace("\\", "")
        assert "1 damaged log line skipped" in text and "epochs.jsonl:2: epoch: input should be a valid integer" \
            in text, (page, text)


# -- the contract in words -----------------------------------------------------------------------------------------
def test_the_run_directory_doc_agrees_with_the_schemas():
    p = subprocess.run([sys.executable, "scripts/schema_docs.py", "--check"], cwd=ROOT, capture_output=True, text=True)
    assert p.returncode == 0, p.stderr


def test_readers_check_100k_metrics_rows_in_reasonable_time(tmp_path):
    """Not a timing test: the cost is printed (docs/reliability.md); only the counts are asserted."""
    import time

    row = {"d_fake": 0.26, "d_loss": 0.42, "d_real": 0.91, "epoch": 1, "g_loss": 1.44, "images_per_sec": 163.2}
    path = tmp_path / "metrics.jsonl"
    path.write_text("".join(json.dumps({**row, "step": i}) + "\n" for i in range(100_000)) + "7\n")
    t0 = time.perf_counter()
    rows = schemas.read_rows(path, schemas.MetricsRow)
    print(f"\nread_rows on 100k metrics rows: {time.perf_counter() - t0:.2f} s")
    assert len(rows) == 100_000 and rows.skipped == ["metrics.jsonl:100001: should be an object, not a number"]
