"""The Python API's polygon calls on the real Hokkaido job (issue 15): after
the analysis is built, coverage with areas, gaps, service areas, a map
(plot) and save, each timed on its first call and again (repeated calls
reuse what earlier ones built), and ``import zaitaku`` in a fresh process.

    COV_SHARED_DATA=../shared/data .venv/bin/python bench/bench_api_hokkaido.py [--runs 3]

The inputs are those of examples/hokkaido_report.toml (the 北海道厚生局 届出
list's doctors located offline, the visiting-nurse stations, the 2020 census
500 m mesh's people 75+, the 21 areas from the N03 municipalities), read
once through zaitaku.report.build_analysis. Prints one line per call
(wall-clock seconds: first call, best repeated call) and exits 77 when the
data is absent.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    data = Path(os.environ.get("COV_SHARED_DATA", ROOT.parent / "shared" / "data"))
    if not (data / "hokkaido_n03_shapefile_cp932").is_dir():
        print(f"bench_api_hokkaido: no Hokkaido data in {data} (set COV_SHARED_DATA)")
        sys.exit(77)
    os.environ["COV_SHARED_DATA"] = str(data)
    imports = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import zaitaku"], check=True)
        imports.append(time.perf_counter() - t0)
    probe = subprocess.run([sys.executable, "-X", "importtime", "-c", "import zaitaku"],
                           capture_output=True, text=True).stderr.splitlines()
    own = next((int(line.split("|")[1]) for line in reversed(probe)
                if line.rstrip().endswith(" zaitaku")), 0) / 1e6
    print(f"import zaitaku (fresh process, interpreter start included): best {min(imports):.3f} s; "
          f"the import alone {own:.3f} s")

    import matplotlib

    matplotlib.use("Agg")
    import zaitaku
    from zaitaku.report import build_analysis, load_config

    warnings.simplefilter("ignore", zaitaku.CoverageWarning)
    cfg = load_config(ROOT / "examples" / "hokkaido_report.toml")
    with tempfile.TemporaryDirectory() as work:
        t_build, (an, _) = timed(lambda: build_analysis(cfg, work_dir=work))
    print(f"inputs read and analysis built: {t_build:.2f} s ({an!r})")
    out = tempfile.mkdtemp(prefix="zaitaku-bench-")
    calls = [
        ("coverage() with areas", lambda: an.coverage()),
        ("gaps()", lambda: an.gaps()),
        ("service_areas()", lambda: an.service_areas()),
        ("plot() and draw", lambda: an.plot().figure.canvas.draw()),
        ("save(folder)", lambda: an.save(out)),
    ]
    for name, fn in calls:
        first, _ = timed(fn)
        again = min(timed(fn)[0] for _ in range(args.runs))
        print(f"{name:<24} first {first:7.3f} s, again {again:7.3f} s", flush=True)


if __name__ == "__main__":
    main()
