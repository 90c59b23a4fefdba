"""The README's commands run as written on a fresh clone (issue 18).

Every fenced ```sh block of README.md is read here, and each command in it
(a line, with its backslash continuations) runs through ``bash -c`` exactly
as written, from the root of a fresh copy of the project: the files git
lists (tracked, and untracked but not ignored) copied into a temporary
folder, with ``.venv`` linked to the real one and ``../shared/data`` beside
the copy linked to the real data (``COV_SHARED_DATA``, tests/python/realdata.py)
when they are present. So relative paths mean what they mean to a user in
the project folder, and every output (zaitaku-demo/, out/, sample-report/,
hokkaido-report/) lands in the copy, never in the working tree. The
environment has ``.venv/bin`` first on PATH (the README: ``.venv/bin/zaitaku``
is the command line), no ``COV_SHARED_DATA`` (the commands that need it set
it themselves), no progress bars and a file-only matplotlib backend.

Rules (each recognised here, none by editing the command):

- a block whose info string is ``sh illustrative`` (a synopsis with ``...``
  or alternatives) is shown, not run;
- ``scripts/test.sh`` is not run: it runs every test, this one included
  (recursion). CI runs it as written (``.ci/run``), which
  :func:`test_scripts_test_sh_is_what_ci_runs` checks instead;
- ``scripts/demo.sh`` runs as written, with its setup step
  (``scripts/python-env.sh``: Debian packages and ``pip install .``)
  replaced in the copy by a check that ``.venv/bin/zaitaku`` exists: the
  test runs inside the environment that step makes, and ``pip install .``
  would replace the editable install and compile libcoverage again;
- a command naming ``../shared/data`` needs the real data, and skips with a
  message naming the folder when it is absent.

A command fails the test when it exits non-zero, naming its README line, or
when an output the README says it writes is missing.
"""
import csv
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from realdata import DATA, ROOT

README = ROOT / "README.md"
SHARED = "../shared/data"
NOT_RUN = {"scripts/test.sh": "runs every test, this one included (recursion); "
                              "CI runs it as written (.ci/run)"}
# what the README says each command writes, beyond its table of the demo's
# files (read from the README itself, see _demo_files)
WRITES = {
    "zaitaku coverage": ["out/coverage.csv", "out/reach.csv", "out/gaps.shp",
                         "out/service_areas.shp"],
    "zaitaku report examples/sample_report.toml": [
        "sample-report/report.html", "sample-report/tables", "sample-report/tables.xlsx",
        "sample-report/maps"],
    "COV_SHARED_DATA=../shared/data zaitaku report examples/hokkaido_report.toml": [
        "hokkaido-report/report.html", "hokkaido-report/tables", "hokkaido-report/maps"],
}


def readme_commands(text):
    """``(line, command, info)`` for every command of the fenced ```sh
    blocks of a README text: line is the README line (from 1) where the
    command starts; continuation lines (ending in a backslash) are joined
    as the shell joins them; blank and comment-only lines are left out."""
    commands, info, start, parts = [], None, None, []
    for number, line in enumerate(text.splitlines(), start=1):
        fence = re.match(r"^```(.*)$", line)
        if fence:
            info = None if info is not None else fence[1].strip()
            continue
        if info is None or info.split()[:1] != ["sh"]:
            continue
        if not parts and (not line.strip() or line.lstrip().startswith("#")):
            continue
        start = start if parts else number
        parts.append(line[:-1] if line.endswith("\\") else line)
        if not line.endswith("\\"):
            commands.append((start, " ".join(p.strip() for p in parts), info))
            parts = []
    return commands


def _demo_files(text):
    """The files of the Quick start's table of what the demo writes."""
    quick = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([^`]+)` \|", quick, re.M)


COMMANDS = readme_commands(README.read_text(encoding="utf-8"))


def _bin_dir():
    venv = ROOT / ".venv" / "bin"
    return venv if (venv / "zaitaku").exists() else Path(sys.executable).parent


def _fresh_copy(tmp_path):
    """A copy of the project as a fresh clone has it, in tmp_path/clone,
    with .venv linked and ../shared/data beside it when present."""
    clone = tmp_path / "clone"
    try:
        listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others",
                                 "--exclude-standard"], cwd=ROOT, capture_output=True,
                                check=True).stdout.decode().split("\0")
    except (OSError, subprocess.CalledProcessError):
        listed = None  # not a git checkout (an unpacked archive): everything but builds
    if listed is None:
        shutil.copytree(ROOT, clone, symlinks=True, ignore=shutil.ignore_patterns(
            ".git", ".venv*", "build*", "__pycache__", "*.so", "*-report*", "zaitaku-demo"))
    else:
        for name in filter(None, listed):
            source, target = ROOT / name, clone / name
            if source.is_file():  # listed but deleted in the working tree: as committed later
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target)
    (clone / ".venv").symlink_to(_bin_dir().parent, target_is_directory=True)
    if DATA.is_dir():
        (tmp_path / "shared").mkdir()
        (tmp_path / "shared" / "data").symlink_to(DATA.resolve(), target_is_directory=True)
    return clone


def _without_setup(clone):
    """scripts/python-env.sh of the copy replaced by a check that the
    environment it would make is there (see the module's rules)."""
    stub = clone / "scripts" / "python-env.sh"
    stub.write_text("#!/usr/bin/env bash\n# test_readme.py: setup skipped, the test runs "
                    "inside it\n[ -x .venv/bin/zaitaku ] || { echo 'no .venv/bin/zaitaku' >&2; "
                    "exit 1; }\n", encoding="utf-8")
    stub.chmod(0o755)


def _env():
    env = dict(os.environ, ZAITAKU_PROGRESS="0", MPLBACKEND="Agg")
    env.pop("COV_SHARED_DATA", None)
    env["PATH"] = f"{_bin_dir()}{os.pathsep}{env.get('PATH', '')}"
    return env


def _id(command):
    line, text, _ = command
    return f"README.md:{line} {text.split('#')[0].strip()[:76]}"


@pytest.mark.parametrize("command", COMMANDS, ids=[_id(c) for c in COMMANDS])
def test_readme_command_runs_as_written(command, tmp_path):
    line, text, info = command
    if "illustrative" in info.split():
        pytest.skip(f"README.md:{line}: a block marked ```sh illustrative (a synopsis)")
    first = text.split()[0]
    if first in NOT_RUN:
        pytest.skip(f"README.md:{line}: {first} is not run here: {NOT_RUN[first]}")
    if SHARED in text and not DATA.is_dir():
        pytest.skip(f"README.md:{line} needs the real data: {DATA} not found "
                    "(set COV_SHARED_DATA)")
    clone = _fresh_copy(tmp_path)
    if first == "scripts/demo.sh":
        _without_setup(clone)
    result = subprocess.run(["bash", "-c", text], cwd=clone, env=_env(), capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, (
        f"README.md line {line}: `{text}` exited {result.returncode} in a fresh copy of the "
        f"project:\n{result.stderr[-3000:] or result.stdout[-3000:]}")
    readme = README.read_text(encoding="utf-8")
    if first == "scripts/demo.sh" or text.split()[:2] == ["zaitaku", "demo"]:
        expected = [f"zaitaku-demo/{name}" for name in _demo_files(readme)]
        assert expected, "the README's table of the demo's files was not found"
    else:
        expected = next((files for start, files in WRITES.items()
                         if text.startswith(start)), [])
    missing = [name for name in expected if not (clone / name).exists()]
    assert not missing, (f"README.md line {line}: `{text}` did not write "
                         f"{', '.join(missing)} (the README says it does)")
    if text.startswith("zaitaku coverage") and SHARED in text:
        _check_demand_conserved(clone, result.stderr)


def _check_demand_conserved(clone, stderr):
    """Hokkaido's coverage: the people of the areas plus those the warning
    says are left out are the mesh file's total (read here with the csv
    module, column 2 of a header-less file)."""
    import pandas as pd

    mesh = DATA / "raw" / "census2010_mesh500m_hokkaido_colspan" / "population_mesh_third_half.csv"
    with open(mesh, encoding="utf-8") as f:
        total = sum(float(row[1]) for row in csv.reader(f) if row)
    coverage = pd.read_csv(clone / "out" / "coverage.csv", dtype={"region_id": str})
    nursing = coverage[coverage.kind == "nursing"]
    assert len(nursing) == 21  # the 21 二次医療圏 of the nesting table
    left = re.search(r'left out of coverage \(weight "2" ([\d.]+)\)', stderr)
    left_out = float(left[1]) if left else 0.0
    assert nursing.demand_total.sum() + left_out == pytest.approx(total, abs=0.5)


def test_readme_parser_joins_continuations_and_keeps_line_numbers():
    text = "a\n```sh\n# comment\none \\\n  two\nthree  # note\n```\n```python\nx\n```\n"
    assert readme_commands(text) == [(4, "one two", "sh"), (6, "three  # note", "sh")]
    assert readme_commands("```sh illustrative\nz ...\n```\n") == [
        (2, "z ...", "sh illustrative")]


def test_readme_has_the_commands_this_test_runs():
    """The rules name commands of the README: if one left it, the rule is
    stale (and the quick start's demo must still be run)."""
    firsts = [text.split()[0] for _, text, _ in COMMANDS]
    assert "scripts/demo.sh" in firsts
    for name in NOT_RUN:
        assert name in firsts, f"{name} is no longer in the README: drop its rule"
    for start in WRITES:
        assert any(text.startswith(start) for _, text, _ in COMMANDS), (
            f"no README command starts with {start!r}: update WRITES")


def test_scripts_test_sh_is_what_ci_runs():
    """scripts/test.sh is not run here (recursion); CI runs it as written."""
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^\s*(exec\s+)?scripts/test\.sh\b", ci, re.M), ci
