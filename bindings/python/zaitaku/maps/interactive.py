"""An interactive map for notebooks (folium, optional): the regions coloured
by coverage, the land within reach, and the facilities by kind with their
names. folium is imported only here, when asked for; the tiles of the base
map load from the internet when the map is shown (the HTML report never
needs this).

Examples
--------
>>> import zaitaku
>>> from zaitaku.maps.interactive import folium_map
>>> m = folium_map(zaitaku.Analysis.sample())  # doctest: +SKIP
"""
from ..errors import InvalidArgumentError
from ..kinds import DOCTOR_AND_NURSING
from .plot import KIND_STYLES, _OKABE_ITO, kind_label


def folium_map(analysis, kind=DOCTOR_AND_NURSING, radius=None, tiles="OpenStreetMap"):
    """A folium.Map of the analysis: regions (tooltip: name and share of
    demand within reach of kind), reached land, and a circle marker per
    facility coloured by kind (popup: name, kind). ``tiles=None`` gives a
    map without a base layer (offline)."""
    try:
        import folium
    except ImportError:
        raise ImportError("the interactive map needs folium: pip install folium") from None
    from .mapstyle import SHARE_BREAKS, share_class, share_colours
    from matplotlib.colors import to_hex

    cov = analysis.coverage(radius=radius, area=False)
    share = cov[cov.kind == kind].set_index("region_id")["share_covered"]
    regions = analysis.regions.to_geodataframe()
    regions["share_pct"] = [round(float(share.get(r, float("nan"))) * 100, 1)
                            for r in regions.region_id]
    colours = [to_hex(c) for c in share_colours()]
    minx, miny, maxx, maxy = regions.total_bounds
    m = folium.Map(tiles=tiles)
    m.fit_bounds([[miny, minx], [maxy, maxx]])

    def region_style(feature):
        c = share_class(feature["properties"]["share_pct"] / 100)
        return {"fillColor": colours[c] if c is not None else "#ffffff", "color": "#333333",
                "weight": 1.5, "fillOpacity": 0.45}

    folium.GeoJson(regions.to_json(), name="圏域", style_function=region_style,
                   tooltip=folium.GeoJsonTooltip(["region_id", "region_name", "share_pct"],
                                                 aliases=["圏域コード", "圏域名", "圏内の割合 %"])
                   ).add_to(m)
    try:
        reached = analysis.service_areas(radius, by="region", kind=kind)
    except InvalidArgumentError:  # a kind none of the facilities has reaches nothing
        reached = regions.iloc[:0]
    if len(reached):
        folium.GeoJson(reached.to_json(), name="圏内",
                       style_function=lambda f: {"fillColor": "#56B4E9", "color": "none",
                                                 "fillOpacity": 0.25}).add_to(m)
    fac = analysis.facilities.to_geodataframe()
    for i, k in enumerate(sorted(set(fac.kind))):
        colour = KIND_STYLES.get(k, (_OKABE_ITO[i % len(_OKABE_ITO)],))[0]
        layer = folium.FeatureGroup(name=kind_label(k))
        for _, row in fac[fac.kind == k].iterrows():
            name = row.get("name") or row["facility_id"]
            folium.CircleMarker([row.geometry.y, row.geometry.x], radius=5, color="#1a1a1a",
                                weight=1, fill=True, fill_color=colour, fill_opacity=0.9,
                                popup=folium.Popup(f"{name}<br>{kind_label(k)}",
                                                   max_width=250)).add_to(layer)
        layer.add_to(m)
    folium.LayerControl().add_to(m)
    m.get_root().html.add_child(folium.Element(
        "<div style='position:fixed;bottom:8px;left:8px;z-index:9999;background:white;"
        "padding:4px;font-size:11px'>圏内の割合: " + " / ".join(
            f"<span style='background:{c};padding:0 6px'>&nbsp;</span> ≥{b * 100:g}%"
            for c, b in zip(colours, SHARE_BREAKS)) + "</div>"))
    return m
