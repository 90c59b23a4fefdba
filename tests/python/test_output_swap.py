"""The output set is swapped in as one step (issue 16): a `zaitaku coverage
--out X` killed (SIGKILL) at any moment leaves X holding exactly the old set
or exactly the new one, never a mix, with the user's own files untouched; a
later run settles what the killed one left beside X; a second writer into X
fails clearly instead of mixing."""
import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import zaitaku
from zaitaku.outputs import OutputSet

from test_cli import _env, sample_coverage_args

SET = ["coverage.csv", "reach.csv"] + [f"{stem}.{ext}" for stem in ("gaps", "service_areas")
                                       for ext in ("shp", "shx", "dbf", "prj", "cpg")]
MINE = {"mine.txt": b"the user's notes\n", "keep/deeper.txt": b"the user's folder\n"}


def _command(out, radius):
    return [sys.executable, "-m", "zaitaku", *map(str, sample_coverage_args(out, radius=radius))]


def _run(out, radius):
    result = subprocess.run(_command(out, radius), capture_output=True, text=True, env=_env(),
                            timeout=300)
    assert result.returncode == 0, result.stderr
    return result


def _hashes(folder):
    """Every file under folder (its relative path: sha256), the lock file
    aside."""
    folder = Path(folder)
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in folder.rglob("*") if p.is_file() and p.name != ".zaitaku.lock"}


def _leftovers(out):
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.zaitaku-"))


@pytest.fixture(scope="module")
def references(tmp_path_factory):
    """Two reference sets (16 km, 5 km), each written twice to show the
    bytes are the same from run to run, and the time one run takes."""
    root = tmp_path_factory.mktemp("refs")
    sets, seconds = {}, []
    for radius in ("16km", "5km"):
        runs = []
        for k in range(2):
            start = time.monotonic()
            _run(root / f"{radius}-{k}", radius)
            seconds.append(time.monotonic() - start)
            runs.append(_hashes(root / f"{radius}-{k}"))
        assert runs[0] == runs[1]
        assert sorted(runs[0]) == sorted(SET)
        sets[radius] = runs[0]
    assert sets["16km"]["coverage.csv"] != sets["5km"]["coverage.csv"]
    return sets, max(seconds)


def test_a_killed_writer_leaves_the_old_set_or_the_new_one(tmp_path, references):
    sets, seconds = references
    mine = {name: hashlib.sha256(data).hexdigest() for name, data in MINE.items()}
    out = tmp_path / "out"
    _run(out, "16km")
    for name, data in MINE.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes(data)
    rng = random.Random(16)
    # the whole run, and its last half second (the commit) more densely
    delays = [seconds * f for f in (0.2, 0.4, 0.6, 0.8)]
    delays += [max(0.0, seconds - rng.uniform(0.0, 0.6)) for _ in range(8)]
    held = "16km"
    outcomes = []
    for delay in delays:
        target = "5km" if held == "16km" else "16km"
        proc = subprocess.Popen(_command(out, target), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, env=_env())
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        found = _hashes(out)
        ours = {k: v for k, v in found.items() if k not in MINE}
        assert ours in (sets["16km"], sets["5km"]), f"a mix after a kill at {delay:.2f} s"
        assert {k: found.get(k) for k in MINE} == mine
        held = "16km" if ours == sets["16km"] else "5km"
        outcomes.append((delay, proc.returncode, held, len(_leftovers(out))))
    # a later run settles whatever the killed ones left beside the folder
    _run(out, "5km")
    assert _leftovers(out) == []
    found = _hashes(out)
    assert {k: v for k, v in found.items() if k not in MINE} == sets["5km"]
    assert {k: found.get(k) for k in MINE} == mine
    # the delays span the run: some kills land before the commit, and the
    # killed runs that got that far left a staging folder for the next run
    assert any(code == -signal.SIGKILL for _, code, _, _ in outcomes)
    print("kills (delay s, exit, set held, leftovers):", outcomes)


def test_a_second_writer_fails_instead_of_mixing(tmp_path, references):
    sets, _ = references
    out = tmp_path / "out"
    _run(out, "16km")
    with OutputSet(None, out) as first:
        first.path("coverage.csv").write_text("being written\n")
        result = subprocess.run(_command(out, "5km"), capture_output=True, text=True,
                                env=_env(), timeout=300)
        assert result.returncode == 2
        assert (f"cannot write into {out.resolve()}: another writer is writing an output set "
                f"into it now ({out.resolve()}/.zaitaku.lock is locked); nothing was written"
                in result.stderr)
        assert _hashes(out) == sets["16km"]
    # the first writer never committed: its staging folder is gone
    assert _leftovers(out) == [] and _hashes(out) == sets["16km"]


def test_the_set_replaces_only_its_own_names(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.csv").write_text("old\n")
    (out / "theirs.csv").write_text("theirs\n")
    os.symlink("theirs.csv", out / "link.csv")
    before = os.stat(out).st_ino
    with OutputSet(None, out) as s:
        s.path("a.csv").write_text("new\n")
        s.path("maps/m.txt").write_text("map\n")
        written = s.commit()
    assert written == [out / "a.csv", out / "maps/m.txt"]
    assert (out / "a.csv").read_text() == "new\n"
    assert (out / "maps/m.txt").read_text() == "map\n"
    assert (out / "theirs.csv").read_text() == "theirs\n"
    assert os.readlink(out / "link.csv") == "theirs.csv"
    assert os.stat(out).st_ino != before  # one rename of the folder
    assert _leftovers(out) == []


def test_a_failed_writer_leaves_the_folder_as_it_was(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.csv").write_text("old\n")
    with pytest.raises(RuntimeError):
        with OutputSet(None, out) as s:
            s.path("a.csv").write_text("new\n")
            raise RuntimeError("the writer failed")
    assert (out / "a.csv").read_text() == "old\n"
    assert _leftovers(out) == []


def test_a_working_directory_inside_the_folder_follows_the_swap(tmp_path, monkeypatch):
    """A notebook saving into "." keeps working in the folder it sees, not
    in the emptied old one."""
    out = tmp_path / "out"
    (out / "sub").mkdir(parents=True)
    monkeypatch.chdir(out / "sub")
    with OutputSet(None, "..") as s:
        s.path("a.csv").write_text("new\n")
        s.commit()
    assert Path("../a.csv").read_text() == "new\n"
    assert os.stat(".").st_ino == os.stat(out / "sub").st_ino
    Path("after.txt").write_text("x")
    assert (out / "sub" / "after.txt").read_text() == "x"
