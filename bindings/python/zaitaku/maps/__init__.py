"""Maps: :mod:`zaitaku.maps.plot` (one analysis on a matplotlib axes, or a
PNG/SVG file), :mod:`zaitaku.maps.mapstyle` (the report's print maps) and
:mod:`zaitaku.maps.interactive` (a folium map). matplotlib is imported
only when a map is drawn."""
