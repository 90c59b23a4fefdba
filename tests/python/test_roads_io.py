"""Road layers as users have them: GeoJSON, GeoJSONSeq (gzip too) and
GeoPackage read in bulk (zaitaku._roads_io), checked against the same lines
through geopandas and the WKB path, and lengths against pyproj's geodesic."""
import gzip
import json

import numpy as np
import pytest

import zaitaku
from zaitaku import _roads_io

geopandas = pytest.importorskip("geopandas")
shapely = pytest.importorskip("shapely")
from pyproj import Geod  # noqa: E402

GEOD = Geod(ellps="GRS80")
LON0, LAT0 = 141.35, 43.06


def _pt(east_m, north_m):
    lon, lat, _ = GEOD.fwd(LON0, LAT0, 90, east_m) if east_m else (LON0, LAT0, 0)
    if north_m:
        lon, lat, _ = GEOD.fwd(lon, lat, 0, north_m)
    return [lon, lat]


def _features(bridge=True):
    """A through road (a bridge, or not), a stem stopping 3 m short of it,
    a one-way ramp and a MultiLineString of two service roads."""
    through = {"class": "primary", "oneway": 0, "ramp": 0}
    if bridge:
        through["brunnel"] = "bridge"
    return [
        {"type": "Feature", "properties": through,
         "geometry": {"type": "LineString", "coordinates": [_pt(0, 0), _pt(1000, 0)]}},
        {"type": "Feature", "properties": {"class": "minor", "oneway": 0},
         "geometry": {"type": "LineString", "coordinates": [_pt(500, 3), _pt(500, 500)]}},
        {"type": "Feature", "properties": {"class": "motorway", "oneway": 1, "ramp": 1},
         "geometry": {"type": "LineString", "coordinates": [_pt(1000, 0), _pt(1500, 0)]}},
        {"type": "Feature", "properties": {"class": "service"},
         "geometry": {"type": "MultiLineString",
                      "coordinates": [[_pt(1500, 0), _pt(1500, 300)],
                                      [_pt(0, 0), _pt(0, -400)]]}},
    ]


def _write(path, feats):
    name = str(path)
    if name.endswith((".ndjson", ".ndjson.gz")):
        text = "".join(json.dumps(f) + "\n" for f in feats)
    else:
        text = json.dumps({"type": "FeatureCollection", "features": feats})
    if name.endswith(".gz"):
        with gzip.open(name, "wt", encoding="utf-8") as f:
            f.write(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _frame(feats):
    return geopandas.GeoDataFrame.from_features(feats, crs="EPSG:4326")


def _line_lengths(feats):
    out = []
    for f in feats:
        g = f["geometry"]
        parts = [g["coordinates"]] if g["type"] == "LineString" else g["coordinates"]
        for p in parts:
            lon, lat = zip(*p)
            out.append(GEOD.line_length(lon, lat))
    return out


@pytest.mark.parametrize("name", ["roads.ndjson", "roads.ndjson.gz", "roads.geojson",
                                  "roads.gpkg"])
def test_formats_agree_with_geopandas_path(tmp_path, name):
    feats = _features(bridge=False)
    path = tmp_path / name
    if name.endswith(".gpkg"):
        pytest.importorskip("pyogrio")
        _frame(feats).to_file(path, driver="GPKG")
    else:
        _write(path, feats)
    net = zaitaku.read_network(path, node_tolerance="5m")
    # the independent path: geopandas reads, WKB crosses (no levels there,
    # and none in this layer); OpenMapTiles ramps are renamed by hand
    frame = _frame(feats)
    frame["fclass"] = [c + "_link" if r == 1 else c
                       for c, r in zip(frame["class"], frame["ramp"].fillna(0))]
    frame["oneway"] = frame["oneway"].fillna(0).astype(int).astype(str)
    ref = zaitaku.read_network(frame[["fclass", "oneway", "geometry"]], node_tolerance="5m")
    assert (net.n_nodes, net.n_edges, net.n_components) == (ref.n_nodes, ref.n_edges, 1)
    a, b = net.edges(), ref.edges()
    assert np.allclose(np.sort(a.length_m), np.sort(b.length_m), atol=1e-6)
    assert np.allclose(np.sort(a.forward_s), np.sort(b.forward_s), atol=1e-6)
    ca = net.classes().set_index("class")
    assert ca.loc["motorway_link", "speed_kmh"] == ref.classes().set_index(
        "class").loc["motorway_link", "speed_kmh"]
    assert ca.loc["minor", "n_edges"] == 1
    # the stem's 3 m gap is closed by a split of the through road
    j = net.joins()
    assert len(j) == 1 and j.line[0] == 1 and j.target_line[0] == 0 and j.split[0] == 1
    foot = _pt(500, 0)
    stem = _pt(500, 3)
    assert j.gap_m[0] == pytest.approx(GEOD.inv(*stem, *foot)[2], abs=0.02)
    # total length: the input lines plus the gap closed
    assert a.length_m.sum() == pytest.approx(sum(_line_lengths(feats)) + j.gap_m[0], abs=0.05)


def test_bridge_level_blocks_the_join(tmp_path):
    path = _write(tmp_path / "roads.ndjson.gz", _features(bridge=True))
    rl = _roads_io.read_road_lines(path)
    assert list(rl.level) == [1, 0, 0, 0, 0]
    assert list(rl.feature) == [0, 1, 2, 3, 3]
    net = zaitaku.read_network(path, node_tolerance="5m")
    rep = net.repair_report().iloc[0]
    assert rep.n_joins == 0 and rep.n_refused_level == 1
    assert net.n_components == 2
    comps = net.components()
    stem = GEOD.line_length(*zip(_pt(500, 3), _pt(500, 500)))
    assert comps.length_km.iloc[1] * 1000 == pytest.approx(stem, abs=0.01)
    assert rep.largest_share_length == pytest.approx(1 - comps.length_km.iloc[1] /
                                                     comps.length_km.sum(), abs=1e-9)
    # without the level field the join is made
    net = zaitaku.read_network(path, node_tolerance="5m", level_field="")
    assert net.repair_report().n_joins[0] == 1 and net.n_components == 1


def test_multilinestring_joins_name_the_feature(tmp_path):
    feats = _features(bridge=False)
    # the second part of feature 3 starts 2 m from the through road's start
    feats[3]["geometry"]["coordinates"][1] = [_pt(-2, 0), _pt(-2, -400)]
    path = _write(tmp_path / "roads.ndjson", feats)
    j = zaitaku.read_network(path, node_tolerance="5m").joins()
    # the through road's start (line 0, processed first) joins the part's
    # first vertex; the part's end, now taken, is not joined again
    row = j[(j.line == 0) & (j.end == 0)]
    assert len(row) == 1 and row.target_line.iloc[0] == 3 and row.split.iloc[0] == 0
    assert not ((j.line == 3) & (j.target_line == 0)).any()
    assert row.gap_m.iloc[0] == pytest.approx(GEOD.inv(*_pt(-2, 0), *_pt(0, 0))[2], abs=0.01)


def _bad(tmp_path, lines):
    path = tmp_path / "bad.ndjson"
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def test_bad_input_names_file_line_and_field(tmp_path):
    good = json.dumps(_features()[1])
    with pytest.raises(zaitaku.FileFormatError, match=r"bad.ndjson line 2: not valid JSON"):
        zaitaku.read_network(_bad(tmp_path, [good, "{oops"]))
    point = json.dumps({"type": "Feature", "properties": {},
                        "geometry": {"type": "Point", "coordinates": [1, 2]}})
    with pytest.raises(zaitaku.GeometryError, match=r"line 3: field geometry: Point"):
        zaitaku.read_network(_bad(tmp_path, [good, "", point]))
    f = _features()[1]
    f["properties"]["oneway"] = "sideways"
    with pytest.raises(zaitaku.InvalidValueError, match=r"line 2: field oneway: 'sideways'"):
        zaitaku.read_network(_bad(tmp_path, [good, json.dumps(f)]))
    f = _features()[1]
    f["geometry"]["coordinates"][1] = ["x", 43.0]
    with pytest.raises(zaitaku.GeometryError, match=r"line 2: field geometry.coordinates"):
        zaitaku.read_network(_bad(tmp_path, [good, json.dumps(f)]))
    with pytest.raises(zaitaku.FieldError, match=r"no feature has the property 'kind'"):
        zaitaku.read_network(_bad(tmp_path, [good]), class_field="kind")
    with pytest.raises(zaitaku.InputFileError, match="no such file"):
        zaitaku.read_network(tmp_path / "missing.ndjson.gz")
    f = _features()[1]
    f["geometry"]["coordinates"][1] = [400.0, 43.0]
    with pytest.raises(zaitaku.CoverageError, match=r"road lines line 1 point 1"):
        zaitaku.read_network(_bad(tmp_path, [good, json.dumps(f)]))
    with pytest.raises(zaitaku.FileFormatError, match="not a GeoJSON FeatureCollection"):
        p = tmp_path / "x.geojson"
        p.write_text("[1, 2]", encoding="utf-8")
        zaitaku.read_network(p)


def test_empty_layer_is_an_error(tmp_path):
    path = tmp_path / "empty.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": []}), encoding="utf-8")
    with pytest.raises(zaitaku.EmptyInputError):
        zaitaku.read_network(path)


def test_shapefile_bridge_flag_blocks_the_join(tmp_path):
    """Geofabrik shapefiles flag bridges and tunnels with T/F fields; the C
    reader takes them as levels."""
    feats = _features(bridge=False)[:2]
    frame = _frame(feats)
    frame["fclass"] = ["primary", "residential"]
    frame["bridge"] = ["T", "F"]
    frame["tunnel"] = ["F", "F"]
    path = tmp_path / "roads.shp"
    frame[["fclass", "bridge", "tunnel", "geometry"]].to_file(path)
    net = zaitaku.read_network(path, node_tolerance="5m")
    rep = net.repair_report().iloc[0]
    assert rep.n_joins == 0 and rep.n_refused_level == 1 and net.n_components == 2
    net = zaitaku.read_network(path, node_tolerance="5m", level_field="")
    j = net.joins()
    assert len(j) == 1 and j.line[0] == 1 and j.target_line[0] == 0 and j.level[0] == 0
    assert net.n_components == 1
    frame["bridge"] = ["F", "F"]
    frame["tunnel"] = ["T", "T"]  # both tunnels: the same level, joined
    frame[["fclass", "bridge", "tunnel", "geometry"]].to_file(path)
    j = zaitaku.read_network(path, node_tolerance="5m").joins()
    assert len(j) == 1 and j.level[0] == 2 and j.target_level[0] == 2


def test_pieces_concatenate_to_the_whole(tmp_path, monkeypatch):
    """GeoJSONSeq is read in pieces; a piece of 2 features gives the same
    arrays as one piece (classes and speeds that appear in later pieces
    only, a MultiLineString across the cut)."""
    feats = _features(bridge=True)
    feats[3]["properties"]["maxspeed"] = 40
    feats.append({"type": "Feature", "properties": {"class": "track"},
                  "geometry": {"type": "LineString", "coordinates": [_pt(0, 0), _pt(0, 90)]}})
    path = _write(tmp_path / "roads.ndjson", feats)
    whole = _roads_io.read_road_lines(path)
    monkeypatch.setattr(_roads_io, "_PIECE", 2)
    cut = _roads_io.read_road_lines(path)
    assert cut.class_names == whole.class_names == sorted(
        {"primary", "minor", "motorway_link", "service", "track"})
    for name in ("offsets", "x", "y", "feature", "class_codes", "oneway", "level"):
        assert np.array_equal(getattr(cut, name), getattr(whole, name)), name
    assert np.array_equal(cut.maxspeed, whole.maxspeed, equal_nan=True)
    assert list(whole.maxspeed[3:5]) == [40, 40] and np.isnan(whole.maxspeed[:3]).all()
    # an error in a later piece still names its line
    path.write_text(path.read_text(encoding="utf-8") + "{bad\n", encoding="utf-8")
    with pytest.raises(zaitaku.FileFormatError, match=r"line 6: not valid JSON"):
        _roads_io.read_road_lines(path)
