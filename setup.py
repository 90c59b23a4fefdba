"""setuptools entry for the parts pyproject.toml cannot say: the cffi
extension, and copying the bundled sample into the package."""
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


class BuildPyWithSample(build_py):
    """Ships data/sample inside the package as zaitaku/sample."""

    def run(self):
        super().run()
        target = Path(self.build_lib) / "zaitaku" / "sample"
        shutil.copytree(ROOT / "data" / "sample", target, dirs_exist_ok=True)
        # official-data tables (issue 6): zaitaku/tables/, found by zaitaku.official
        tables = Path(self.build_lib) / "zaitaku" / "tables"
        tables.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / "data" / "hokkaido_municipality_2ji_iryoken.csv", tables)


setup(
    cffi_modules=["bindings/python/zaitaku/_build.py:ffibuilder"],
    cmdclass={"build_py": BuildPyWithSample},
)
