"""The optional interactive map (folium): what it holds, checked against the
analysis it shows."""
import json
import warnings

import pytest

folium = pytest.importorskip("folium")

import zaitaku  # noqa: E402
from zaitaku.maps.interactive import folium_map  # noqa: E402


def test_folium_map_has_every_region_and_facility():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", zaitaku.CoverageWarning)
        an = zaitaku.Analysis.sample()
    m = folium_map(an, tiles=None)
    layers = [c for c in m._children.values()]
    geojson = [c for c in layers if isinstance(c, folium.GeoJson)]
    regions = json.loads(geojson[0].data) if isinstance(geojson[0].data, str) else geojson[0].data
    shares = {f["properties"]["region_id"]: f["properties"]["share_pct"]
              for f in regions["features"]}
    cov = an.coverage(area=False)
    both = cov[cov.kind == "doctor_and_nursing"].set_index("region_id").share_covered
    assert shares == {r: round(float(s) * 100, 1) for r, s in both.items()}
    groups = [c for c in layers if isinstance(c, folium.FeatureGroup)]
    markers = sum(len([x for x in g._children.values() if isinstance(x, folium.CircleMarker)])
                  for g in groups)
    assert markers == len(an.facilities) == 41
    html = m.get_root().render()
    assert json.dumps("中央在宅医療圏")[1:-1] in html or "中央在宅医療圏" in html
