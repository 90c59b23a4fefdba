"""Threads: analyses in parallel give what they give serially; one analysis
shared between threads gives the same answers (zaitaku serialises calls on
a context with a lock); inputs from different threads are refused.

libcoverage contexts are one-thread-at-a-time; zaitaku gives each thread
its own default context, and cffi releases the GIL during C calls, so these
tests run C code on several threads at once.
"""
import threading
import warnings
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest

import zaitaku
from zaitaku import sample_path

# warnings.catch_warnings is not thread-safe: silence the sample's expected
# CoverageWarning (one unassigned cell) for the whole module instead
pytestmark = pytest.mark.filterwarnings("ignore::zaitaku.CoverageWarning")

RADII = ["4km", "6km", "8km", "10km", "12km", "16km", "20km", "25km"]


def read_sample():
    """The sample's inputs, read in the calling thread (its context)."""
    munis = zaitaku.read_regions(sample_path("municipalities.shp"), "muni_code", "muni_name")
    areas = munis.dissolve(sample_path("areas.csv"), "muni_code", "area_code", "area_name")
    fac = zaitaku.read_facilities(sample_path("facilities.csv"), kind_field="kind",
                                  name_field="name", capacity_field="capacity")
    dem = zaitaku.read_demand(sample_path("population_mesh1km.csv"), mesh_field="mesh_code",
                              weight_fields=["total", "age65", "age75"])
    return areas, fac, dem


# Inputs and contexts of the analyses made here, kept for the session (see
# test_api.py's _KEEP): a failing test then fails rather than crashing the run.
_KEEP = []
_KEEP_LOCK = threading.Lock()


def keep(an):
    with _KEEP_LOCK:
        _KEEP.append((an.regions, an.facilities, an.demand, an._ctx))
    return an


def analyse(radius):
    """A whole analysis, start to finish, in the calling thread."""
    an = keep(zaitaku.Analysis(*read_sample(), radius=radius))
    gaps = an.gaps(weight="age65")
    return {
        "thread": threading.get_ident(),
        "coverage": an.coverage(weight="age75"),
        "reach": an.reach(),
        "gaps": pd.DataFrame(gaps.drop(columns="geometry")).assign(wkb=gaps.geometry.to_wkb()),
    }


def assert_same(got, expected, label):
    for key in ("coverage", "reach", "gaps"):
        pd.testing.assert_frame_equal(got[key], expected[key], check_exact=True,
                                      obj=f"{label} {key}")


@pytest.fixture(scope="module")
def serial():
    return {r: analyse(r) for r in RADII}


def test_parallel_analyses_match_serial(serial):
    # the radii really change the answers (so equality below is not trivial)
    shares = [serial[r]["coverage"]["share_covered"].sum() for r in RADII]
    assert shares == sorted(shares) and shares[0] < shares[-1]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(analyse, RADII))
    assert len({res["thread"] for res in results}) > 1  # it ran on several threads
    for radius, got in zip(RADII, results):
        assert_same(got, serial[radius], radius)


def test_one_analysis_shared_between_threads(serial):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", zaitaku.CoverageWarning)
        an = keep(zaitaku.Analysis(*read_sample(), radius="16km"))
    start = threading.Barrier(8)

    def work(i):
        # alternate radii, so that the analysis's per-radius cache is
        # invalidated between calls from different threads
        radius = RADII[i % 2 * 5]  # "4km" or "16km"
        start.wait()
        out = []
        for _ in range(3):
            out.append((radius, an.coverage(radius=radius, weight="age75"), an.reach(radius=radius)))
        return out

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = [r for batch in pool.map(work, range(8)) for r in batch]
    assert len(results) == 24
    for radius, cov, reach in results:
        pd.testing.assert_frame_equal(cov, serial[radius]["coverage"], check_exact=True)
        pd.testing.assert_frame_equal(reach, serial[radius]["reach"], check_exact=True)


def test_objects_outlive_the_thread_that_made_them(serial):
    """An analysis made in a worker thread that has ended still works (its
    context lives as long as the objects made with it)."""
    box = {}
    t = threading.Thread(target=lambda: box.setdefault("inputs", read_sample()))
    t.start()
    t.join()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", zaitaku.CoverageWarning)
        an = keep(zaitaku.Analysis(*box.pop("inputs"), radius="10km"))
    pd.testing.assert_frame_equal(an.coverage(weight="age75"), serial["10km"]["coverage"],
                                  check_exact=True)


def test_inputs_from_different_threads_are_refused():
    regions, fac, dem = read_sample()
    with ThreadPoolExecutor(max_workers=1) as pool:
        other_fac = pool.submit(lambda: zaitaku.read_facilities(
            sample_path("facilities.csv"), kind_field="kind")).result()
        other_dem = pool.submit(lambda: zaitaku.read_demand(
            sample_path("population_mesh1km.csv"), mesh_field="mesh_code")).result()
    for args in ((regions, other_fac, dem), (regions, fac, other_dem)):
        with pytest.raises(ValueError, match="thread") as info:
            zaitaku.Analysis(*args)
        assert not isinstance(info.value, zaitaku.CoverageError)  # refused before any C call
    # the same objects from one thread are fine
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", zaitaku.CoverageWarning)
        assert len(zaitaku.Analysis(regions, fac, dem).coverage(area=False)) > 0


def test_errors_in_a_thread_pool_name_their_own_input(tmp_path):
    """Sixteen readers fail at once, each on its own file and line: every
    exception names exactly its own (no message leaks between contexts),
    while good reads on other threads go on succeeding."""
    lines = open(sample_path("facilities.csv"), encoding="utf-8").read().splitlines()
    paths = []
    for k in range(16):
        bad = list(lines)
        row = 2 + k  # data row k: line k + 2 of the file
        cells = bad[row - 1].split(",")
        cells[4] = f"not-a-lon-{k}"
        bad[row - 1] = ",".join(cells)
        path = tmp_path / f"bad_{k}.csv"
        path.write_text("\n".join(bad) + "\n", encoding="utf-8")
        paths.append((path, row, cells[4]))

    def read_bad(item):
        path, row, text = item
        with pytest.raises(zaitaku.InvalidValueError) as info:
            zaitaku.read_facilities(path, kind_field="kind")
        return str(info.value), item

    def read_good(_):
        return len(zaitaku.read_facilities(sample_path("facilities.csv"), kind_field="kind"))

    with ThreadPoolExecutor(max_workers=8) as pool:
        bad = pool.map(read_bad, paths)
        good = pool.map(read_good, range(16))
        results, counts = list(bad), list(good)
    assert counts == [41] * 16
    for message, (path, row, text) in results:
        assert message == f'{path} line {row} column "lon": "{text}" is not a number'


def test_saves_from_a_thread_pool_equal_a_serial_save(tmp_path):
    """Analyses saved from several threads at once (each its own folder)
    write byte for byte what one thread alone writes, and nothing else."""
    def save(folder):
        an = keep(zaitaku.Analysis(*read_sample(), radius="12km"))
        return [p.name for p in an.save(folder, weight="age65")]

    save(tmp_path / "serial")
    expected = {p.name: p.read_bytes() for p in (tmp_path / "serial").iterdir()}
    assert len(expected) == 12  # 2 CSV + 2 shapefile sets of 5
    folders = [tmp_path / f"t{k}" for k in range(6)]
    with ThreadPoolExecutor(max_workers=6) as pool:
        names = list(pool.map(save, folders))
    assert all(n == ["coverage.csv", "reach.csv", "gaps.shp", "service_areas.shp"]
               for n in names)
    for folder in folders:
        got = {p.name: p.read_bytes() for p in folder.iterdir()}
        assert got.keys() == expected.keys()
        for name in expected:
            assert got[name] == expected[name], (folder, name)


def test_one_road_analysis_shared_between_threads():
    """Issue 16: a shared Analysis with a road network gave wrong answers
    across threads (64-69 of 120 concurrent coverage() calls differed from
    the serial ones: a 16 km distance read as 16,000 s of driving, winter
    speeds for a summer call). 120 concurrent calls mixing the straight
    line, summer and winter drives equal the serial answers, and the
    three kinds of call really answer differently."""
    import geopandas as gpd

    land = gpd.read_file(sample_path("municipalities.shp"))
    an = zaitaku.Analysis.sample()
    an = keep(an.with_network(zaitaku.read_network(zaitaku.road_grid(land, "2km")), metric="time"))
    calls = [("16km", False), ("30min", False), ("30min", True), ("15min", False)]

    def call(spec):
        threshold, winter = spec
        kw = {"winter": True} if winter else {}
        return an.coverage(threshold, area=False, weight="age75", **kw)

    serial = {spec: call(spec) for spec in calls}
    covered = [serial[s].demand_covered.sum() for s in calls]
    assert len(set(covered)) == len(calls), covered  # each call answers its own question
    assert covered[2] < covered[1]  # winter reaches fewer people in 30 minutes
    specs = [calls[i % len(calls)] for i in range(120)]
    start = threading.Barrier(8)

    def work(k):
        start.wait()
        return [(s, call(s)) for s in specs[k::8]]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = [r for batch in pool.map(work, range(8)) for r in batch]
    assert len(results) == 120
    for spec, got in results:
        pd.testing.assert_frame_equal(got, serial[spec], check_exact=True, obj=str(spec))
