"""Runs and datasets that travel (gan_core/transfer/): round trips, resume elsewhere, and hostile archives.

Every import goes into other data folders than the export came from, as on another machine. Hostile archives are
made from a real export, changed one way each, with the manifest's hashes recomputed where the change is not the
point, so the refusal tested is the one named; each must be one line on stderr and leave nothing behind.
"""

import hashlib
import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest
from helpers import EVERY_PAGE, assert_one_line_error, cli, open_page, read_json, read_jsonl

T = "gan_core.transfer"
MANIFEST = "gan-explorer.json"


@pytest.fixture(scope="module")
def archives(tiny_run, tmp_path_factory) -> dict:
    """The session's tiny run and its dataset, exported once by the command line (read-only for the originals)."""
    out = tmp_path_factory.mktemp("archives")
    src = {"datasets": tiny_run["datasets_dir"], "checkpoints": tiny_run["checkpoints_dir"]}
    run = out / "tiny.run.zip"
    printed = json.loads(cli(src, T, "export-run", "tiny", "--out", run, "--json").stdout)
    assert printed == {"kind": "run", "name": "tiny", "archive": str(run), "bytes": run.stat().st_size}
    cli(src, T, "export-dataset", "cartoon-faces", "--out", out)  # a folder: NAME.dataset.zip inside
    return {"run": run, "dataset": out / "cartoon-faces.dataset.zip", "src": src, "dir": out}


def other_machine(tmp_path: Path) -> dict:
    return {"datasets": tmp_path / "there" / "datasets", "checkpoints": tmp_path / "there" / "checkpoints"}


def files_under(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def everything(dirs: dict) -> list[str]:
    """Every path under both data folders, hidden ones included (what a refused import must not change)."""
    return sorted(str(p) for d in dirs.values() if Path(d).exists() for p in Path(d).rglob("*"))


# -- round trips ------------------------------------------------------------------------------------------
def test_a_run_and_its_dataset_arrive_byte_for_byte_and_open_everywhere(archives, tiny_run, tmp_path, monkeypatch,
                                                                         capsys):
    there = other_machine(tmp_path)
    assert "imported run 'tiny'" in cli(there, T, "import", archives["run"]).stdout
    assert json.loads(cli(there, T, "import", archives["dataset"], "--json").stdout)["name"] == "cartoon-faces"

    original = tiny_run["checkpoints_dir"] / "tiny"
    sent = {k: v for k, v in files_under(original).items() if not k.startswith("tensorboard/")}
    got = files_under(there["checkpoints"] / "tiny")
    assert set(got) == set(sent)  # TensorBoard's logs stay behind; everything else came
    assert {k for k in got if got[k] != sent[k]} == {"status.json"}
    status, before = json.loads(got["status.json"]), json.loads(sent["status.json"])
    assert "pid" not in status and "host" not in status and status["state"] == before["state"] == "finished"
    assert status["imported"]["with_state"] is True and status["imported"]["from_host"] == before["host"]
    assert files_under(there["datasets"] / "cartoon-faces") == files_under(tiny_run["datasets_dir"] / "cartoon-faces")

    # the commands through their main() in this process, like the pages below (their command lines run in
    # test_cli_errors, test_evaluate, test_damaged_files): one TensorFlow start instead of three
    from gan_core import evaluate, generate, timelapse

    monkeypatch.setenv("GAN_CHECKPOINTS_DIR", str(there["checkpoints"]))
    monkeypatch.setenv("GAN_DATASETS_DIR", str(there["datasets"]))
    monkeypatch.delenv("GAN_FACILITATOR_PASSCODE", raising=False)
    assert generate.main(["tiny", "--count", "4", "--seed", "3", "--out", str(tmp_path / "faces")]) == 0
    assert len(list((tmp_path / "faces").glob("*.png"))) == 4
    assert timelapse.main(["tiny", "--out", str(tmp_path / "film.gif")]) == 0
    assert (tmp_path / "film.gif").stat().st_size > 1000
    capsys.readouterr()
    assert evaluate.main(["tiny", "--count", "32", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)
    for page in EVERY_PAGE:
        open_page(page)


def test_resumed_elsewhere_it_trains_on_exactly_as_at_home(archives, tiny_dirs, tmp_path):
    """Resume is deterministic on a CPU (same seed, same state): the moved run's new epochs are the same
    pictures, losses and scores, to the byte, as the original's continued the same way; old epochs are untouched."""
    there = other_machine(tmp_path)
    cli(there, T, "import", archives["run"], "--name", "moved")
    cli(there, T, "import", archives["dataset"])
    assert read_json(there["checkpoints"] / "moved" / "config.json")["run"] == "moved"
    before = files_under(there["checkpoints"] / "moved" / "samples")
    cli(there, "gan_core.train", "--run", "moved", "--resume", "--epochs", "3")
    cli(tiny_dirs, "gan_core.train", "--run", "tiny", "--resume", "--epochs", "3")

    moved, home = there["checkpoints"] / "moved", tiny_dirs["checkpoints"] / "tiny"
    assert read_json(moved / "status.json")["state"] == "finished" and read_json(moved / "status.json")["epoch"] == 3
    after = files_under(moved / "samples")
    assert {k: after[k] for k in before} == before  # the grids of the epochs it came with are unchanged
    for epoch in (2, 3):
        name = f"samples/epoch_{epoch:04d}.png"
        assert (moved / name).read_bytes() == (home / name).read_bytes()
    timing = {"images_per_sec", "seconds", "score_seconds", "time"}
    rows = [[{k: v for k, v in r.items() if k not in timing} for r in read_jsonl(d / "epochs.jsonl")]
            for d in (moved, home)]
    assert len(rows[0]) == 3 and rows[0] == rows[1]


def test_a_run_moved_without_its_state_opens_but_refuses_to_resume(tiny_run, tiny_dirs, tmp_path):
    cli(tiny_dirs, T, "export-run", "tiny", "--no-state", "--out", tmp_path / "light.zip")
    with zipfile.ZipFile(tmp_path / "light.zip") as z:
        assert not [n for n in z.namelist() if n.startswith("state/")]
    there = other_machine(tmp_path)
    cli(there, T, "import", tmp_path / "light.zip")
    cli(there, "gan_core.generate", "tiny", "--count", "2", "--out", tmp_path / "g")
    shutil.copytree(tiny_run["datasets_dir"], there["datasets"])
    p = cli(there, "gan_core.train", "--run", "tiny", "--resume", "--epochs", "3", check=False)
    assert_one_line_error(p, "without its training state", "not resumed")


def test_a_run_saved_under_mixed_float16_on_a_gpu_resumes_in_float32_on_a_laptop(tiny_run, tmp_path):
    """A GPU run (`--precision auto` meant mixed float16 there, with loss scaling) moved to a CPU, where auto means
    float32: the state has 8 more variables (each LossScaleOptimizer's own 4) and still resumes."""
    home = {"datasets": tiny_run["datasets_dir"], "checkpoints": tmp_path / "gpu"}
    cli(home, "gan_core.train", "--dataset", "cartoon-faces", "--run", "gpu", "--epochs", "1", "--resolution", "32",
        "--batch-size", "32", "--precision", "mixed_float16", "--xla", "off")
    config = read_json(home["checkpoints"] / "gpu" / "config.json")
    assert config["precision_used"] == "mixed_float16"
    (home["checkpoints"] / "gpu" / "config.json").write_text(json.dumps({**config, "precision": "auto"}))  # as on a GPU
    cli(home, T, "export-run", "gpu", "--out", tmp_path / "gpu.zip")
    there = other_machine(tmp_path)
    cli(there, T, "import", tmp_path / "gpu.zip")
    shutil.copytree(tiny_run["datasets_dir"], there["datasets"])
    cli(there, "gan_core.train", "--run", "gpu", "--resume", "--epochs", "2")
    run = there["checkpoints"] / "gpu"
    assert read_json(run / "config.json")["precision_used"] == "float32"
    assert read_json(run / "status.json")["state"] == "finished" and len(read_jsonl(run / "epochs.jsonl")) == 2


# -- refusals on export -----------------------------------------------------------------------------------
def test_a_training_run_is_not_exported(tiny_dirs, tmp_path):
    status = tiny_dirs["checkpoints"] / "tiny" / "status.json"
    status.write_text(json.dumps({**json.loads(status.read_text()), "state": "running", "pid": os.getpid()}))
    p = cli(tiny_dirs, T, "export-run", "tiny", "--out", tmp_path / "x.zip", check=False)
    assert_one_line_error(p, "is running", "stop it")
    assert not list(tmp_path.glob("*.zip")) and not list(tmp_path.glob(".*tmp"))
    assert_one_line_error(cli(tiny_dirs, T, "export-run", "nope", check=False), "no run named 'nope'")
    assert_one_line_error(cli(tiny_dirs, T, "export-dataset", "nope", check=False), "no dataset named 'nope'")


# -- refusals on import -----------------------------------------------------------------------------------
def rewrite(src: Path, dst: Path, change, *, rehash: bool = True, manifest_change=None) -> Path:
    """A copy of archive `src` with `change(members: dict[name, bytes])` applied; the manifest lists the members
    with fresh sizes and hashes (unless `rehash=False`), then `manifest_change(manifest)` may edit it."""
    with zipfile.ZipFile(src) as z:
        members = {n: z.read(n) for n in z.namelist() if n != MANIFEST}
        manifest = json.loads(z.read(MANIFEST))
    change(members)
    if rehash:
        manifest["members"] = [{"name": n, "size": len(b), "sha256": hashlib.sha256(b).hexdigest()}
                               for n, b in members.items()]
    if manifest_change:
        manifest_change(manifest)
    with zipfile.ZipFile(dst, "w") as z:
        for name, data in members.items():
            z.writestr(name, data, compress_type=zipfile.ZIP_STORED if name.endswith(".u8") else zipfile.ZIP_DEFLATED)
        z.writestr(MANIFEST, json.dumps(manifest))
    return dst


def _move(old: str, new: str):
    def change(members):
        members[new] = members.pop(old)
    return change


def _flip_a_byte(members):
    data = bytearray(members["shard-00000.u8"])
    data[100] ^= 0xFF
    members["shard-00000.u8"] = bytes(data)


def _set(key, value):
    return lambda manifest: manifest.__setitem__(key, value)


HOSTILE = {  # name -> (archive kind, change, rehash, manifest change, words in the one line)
    "path escape": ("dataset", _move("shard-00000.u8", "../shard-00000.u8"), True, None, ["unsafe path"]),
    "absolute path": ("dataset", _move("shard-00000.u8", "/tmp/shard-00000.u8"), True, None, ["unsafe path"]),
    "backslash": ("dataset", _move("shard-00000.u8", "x\\shard-00000.u8"), True, None, ["unsafe path"]),
    "outside the layout": ("run", _move("config.json", "samples/config.json"), True, None, ["does not belong"]),
    "newer format": ("run", lambda m: None, True, _set("format_version", 2), ["format 2", "reads format 1"]),
    "wrong kind": ("run", lambda m: None, True, _set("kind", "model"), ["kind 'model'"]),
    "kind swapped": ("dataset", lambda m: None, True, _set("kind", "run"), ["does not belong in a run"]),
    "hash mismatch": ("dataset", _flip_a_byte, False, None, ["does not match its sha256"]),
    "extra member": ("dataset", lambda m: m.update({"shard-00001.u8": b"x" * 10}), False, None,
                     ["'shard-00001.u8' is not in gan-explorer.json"]),
    "missing member": ("run", lambda m: m.pop("samples/noise.npy"), False, None, ["'samples/noise.npy' is missing"]),
    "declared size wrong": ("dataset", lambda m: None, True,
                            lambda mf: mf["members"][1].__setitem__("size", 2**40), ["says 1,099,511,627,776"]),
    "no manifest": ("dataset", lambda m: None, True, None, []),  # the manifest is dropped below
    "renamed to an unsafe name": ("dataset", lambda m: None, True, _set("name", "../up"), ["not allowed"]),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_archives_are_refused_in_one_line_and_leave_nothing(archives, tmp_path, case):
    kind, change, rehash, manifest_change, words = HOSTILE[case]
    bad = rewrite(archives[kind], tmp_path / "bad.zip", change, rehash=rehash, manifest_change=manifest_change)
    if case == "no manifest":
        with zipfile.ZipFile(archives[kind]) as z, zipfile.ZipFile(bad, "w") as out:
            for info in z.infolist():
                if info.filename != MANIFEST:
                    out.writestr(info, z.read(info))
        words = ["not a GAN Explorer archive", "no gan-explorer.json"]
    there = other_machine(tmp_path)
    p = cli(there, T, "import", bad, check=False)
    assert_one_line_error(p, *words)
    assert everything(there) == []


def test_a_zip_bomb_is_refused_before_it_is_read(archives, tmp_path):
    """A 64 MB shard of zeros, deflated to under 100 KB, honestly declared: refused from its header alone."""
    with zipfile.ZipFile(archives["dataset"]) as z:
        members = {n: z.read(n) for n in z.namelist() if n != MANIFEST}
        manifest = json.loads(z.read(MANIFEST))
    members["shard-00001.u8"] = bytes(64 * 2**20)
    manifest["members"] = [{"name": n, "size": len(b), "sha256": hashlib.sha256(b).hexdigest()}
                           for n, b in members.items()]
    with zipfile.ZipFile(tmp_path / "bomb.zip", "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in members.items():
            out.writestr(name, data)
        out.writestr(MANIFEST, json.dumps(manifest))
    assert (tmp_path / "bomb.zip").stat().st_size < 2**20
    there = other_machine(tmp_path)
    assert_one_line_error(cli(there, T, "import", tmp_path / "bomb.zip", check=False), "zip bomb")
    assert everything(there) == []


def test_total_size_and_member_count_limits(archives, tmp_path, monkeypatch):
    monkeypatch.setenv("GAN_DATASETS_DIR", str(tmp_path / "datasets"))
    from gan_core.core.errors import UsageError
    from gan_core.transfer import import_archive, unpack

    monkeypatch.setattr(unpack, "MAX_TOTAL_BYTES", 1000)
    with pytest.raises(UsageError, match="more than the 0 GB limit"):
        import_archive(archives["dataset"])
    monkeypatch.setattr(unpack, "MAX_TOTAL_BYTES", 2**40)
    monkeypatch.setattr(unpack, "MAX_MEMBERS", 1)
    with pytest.raises(UsageError, match="more than the 1 an archive may hold"):
        import_archive(archives["dataset"])
    monkeypatch.setattr(unpack, "MAX_MEMBERS", 100)
    monkeypatch.setattr(unpack, "DISK_MARGIN", 2**60)
    with pytest.raises(UsageError, match="not enough free space"):
        import_archive(archives["dataset"])
    assert not (tmp_path / "datasets").exists()


def test_truncated_not_a_zip_and_symlink_members(archives, tmp_path):
    there = other_machine(tmp_path)
    data = archives["run"].read_bytes()
    (tmp_path / "cut.zip").write_bytes(data[: len(data) // 2])
    assert_one_line_error(cli(there, T, "import", tmp_path / "cut.zip", check=False), "truncated, damaged or not a zip")
    (tmp_path / "faces.zip").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(2000))
    assert_one_line_error(cli(there, T, "import", tmp_path / "faces.zip", check=False), "not a zip")
    assert_one_line_error(cli(there, T, "import", tmp_path / "missing.zip", check=False), "no such archive")
    link = rewrite(archives["dataset"], tmp_path / "link.zip", lambda m: None)
    with zipfile.ZipFile(link) as z, zipfile.ZipFile(tmp_path / "link2.zip", "w") as out:
        for info in z.infolist():
            if info.filename == "shard-00000.u8":
                info.external_attr = 0o120777 << 16  # a symbolic link
            out.writestr(info, z.read(info))
    assert_one_line_error(cli(there, T, "import", tmp_path / "link2.zip", check=False), "symbolic link")
    assert everything(there) == []


def test_an_existing_name_is_kept_unless_replaced_and_never_while_in_use(archives, tmp_path):
    there = other_machine(tmp_path)
    cli(there, T, "import", archives["dataset"])
    cli(there, T, "import", archives["run"])
    listing = everything(there)
    for kind in ("dataset", "run"):
        p = cli(there, T, "import", archives[kind], check=False)
        assert_one_line_error(p, "already exists", "--replace")
    assert everything(there) == listing
    status = there["checkpoints"] / "tiny" / "status.json"
    status.write_text(json.dumps({**json.loads(status.read_text()), "state": "running", "pid": os.getpid()}))
    assert_one_line_error(cli(there, T, "import", archives["run"], "--replace", check=False), "is running")
    assert_one_line_error(cli(there, T, "import", archives["dataset"], "--replace", check=False),
                          "in use by tiny")
    status.write_text(json.dumps({**json.loads(status.read_text()), "state": "stopped"}))
    (there["datasets"] / "cartoon-faces" / "shard-00000.u8").write_bytes(b"changed")
    cli(there, T, "import", archives["dataset"], "--replace")
    cli(there, T, "import", archives["run"], "--replace")
    assert read_json(status)["state"] == "finished"
    assert (there["datasets"] / "cartoon-faces" / "shard-00000.u8").stat().st_size > 1000
    assert not [p for p in there["datasets"].iterdir() if p.name.startswith(".")]  # no trash or temporary folder
    (there["checkpoints"] / "plain-file").write_text("not a run")
    assert_one_line_error(cli(there, T, "import", archives["run"], "--name", "plain-file", check=False),
                          "is not a run")


def test_a_run_exported_while_it_said_running_arrives_stopped(archives, tmp_path):
    """A status of the old machine (a trainer that died there, or an archive made by hand) is never live here."""
    def running(members):
        status = json.loads(members["status.json"])
        members["status.json"] = json.dumps({**status, "state": "running", "pid": 1, "host": "gpu-box"}).encode()

    there = other_machine(tmp_path)
    cli(there, T, "import", rewrite(archives["run"], tmp_path / "r.zip", running))
    status = read_json(there["checkpoints"] / "tiny" / "status.json")
    assert status["state"] == "stopped" and "pid" not in status and status["imported"]["from_host"] == "gpu-box"


def test_a_member_whose_zip_header_understates_its_size_is_never_read_past_it(archives, tmp_path):
    """The zip header and the manifest both say 1,000 bytes; the member inflates to 1 MB. Reading stops at the
    declared size (zipfile's CRC check then fails): one line, nothing written."""
    with zipfile.ZipFile(archives["dataset"]) as z:
        members = {n: z.read(n) for n in z.namelist() if n != MANIFEST}
        manifest = json.loads(z.read(MANIFEST))
    real = bytes(2**20)
    members["shard-00001.u8"] = real
    manifest["members"] = [{"name": n, "size": len(b), "sha256": hashlib.sha256(b).hexdigest()}
                           for n, b in members.items()]
    manifest["members"][-1].update(size=1000, sha256=hashlib.sha256(real[:1000]).hexdigest())
    path = tmp_path / "liar.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in members.items():
            out.writestr(name, data)
        out.writestr(MANIFEST, json.dumps(manifest))
    data = bytearray(path.read_bytes())
    name = b"shard-00001.u8"
    local = data.index(name) - 30  # the local header comes first, the central directory's entry at the end
    central = data.index(name, local + 31) - 46
    assert data[local:local + 4] == b"PK\x03\x04" and data[central:central + 4] == b"PK\x01\x02"
    data[local + 22:local + 26] = (1000).to_bytes(4, "little")
    data[central + 24:central + 28] = (1000).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    with zipfile.ZipFile(path) as z:
        assert z.getinfo("shard-00001.u8").file_size == 1000
    there = other_machine(tmp_path)
    assert_one_line_error(cli(there, T, "import", path, check=False), "'shard-00001.u8'")
    assert everything(there) == []
