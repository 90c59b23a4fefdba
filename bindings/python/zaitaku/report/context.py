"""What report sections are made of and get: :class:`Section` (a part of
the report), :class:`ReportContext` (what a section builder is called
with), :class:`ReportResult` (the paths written), and the registry of
section builders other code adds (:func:`register_section`)."""
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd


@dataclass
class Section:
    """A part of the report another module supplies.

    Attributes
    ----------
    key : str
        Unique id (also the anchor in the HTML and the sheet name of its
        table).
    title : str
    text : str
        Plain text shown above the table (escaped; blank lines separate
        paragraphs).
    table : pandas.DataFrame, optional
        Shown (Japanese headings from :data:`zaitaku.report.tables.COLUMN_NAMES`)
        and written to CSV and Excel; with a ``region_id`` column it is also
        shown, filtered, on each region's page.
    figures : list of matplotlib.figure.Figure
        Embedded as PNG.
    html : str
        A trusted HTML fragment added as is (for what a table cannot say).
    where : str
        ``"main"`` (after the coverage tables) or ``"methods"``.
    html_rows : int, optional
        Show only this many rows in the HTML (whole and per region); CSV
        and Excel keep every row.
    region_pages : bool
        Show the table, filtered, on each region's page (when it has a
        ``region_id`` column).
    """

    key: str
    title: str
    text: str = ""
    table: pd.DataFrame = None
    figures: list = field(default_factory=list)
    html: str = ""
    where: str = "main"
    html_rows: int = None
    region_pages: bool = True


#: Section builders added with :func:`register_section`: name ->
#: callable(ReportContext) returning a Section or None (when it has nothing
#: to say). The report's own (planning, roads) are
#: :data:`zaitaku.report.sections.BUILDERS`, called first.
SECTIONS = {}


def register_section(name, builder):
    """Registers a section builder, called with the :class:`ReportContext`
    of every report (e.g. the planning module adds its policy checks)."""
    SECTIONS[name] = builder


@dataclass
class ReportContext:
    """What a section builder gets: the analysis, the configuration (a dict
    from :func:`zaitaku.report.load_config`, or None), the coverage table,
    and the map data (:class:`zaitaku.maps.mapstyle.MapData`)."""

    analysis: object
    config: dict
    coverage: pd.DataFrame
    maps: object
    #: the demand weight the report counts (a name, or None: the first)
    weight: object = None
    #: planning settings (the ``[planning]`` table, defaults filled), or None
    planning: dict = None
    #: what build_analysis noted (dropped rows, the road network, ...)
    notes: dict = None
    #: what one section leaves for another (e.g. a second table)
    store: dict = field(default_factory=dict)
    #: the kinds the report's tables show
    kinds: list = None


@dataclass
class ReportResult:
    """Paths written: ``html``, ``summary`` (the summary edition, when
    asked), ``csv`` (key -> path), ``xlsx``, ``maps``
    (list), the tables themselves (key -> DataFrame), and ``map_meta``
    (map name -> its legend entries, dropped labels and label collisions,
    as :func:`zaitaku.report.drawing.draw_maps` gives them)."""

    html: Path = None
    summary: Path = None
    csv: dict = field(default_factory=dict)
    xlsx: Path = None
    maps: list = field(default_factory=list)
    tables: dict = field(default_factory=dict)
    map_meta: dict = field(default_factory=dict)

    def paths(self):
        out = ([p for p in [self.html, self.summary, self.xlsx] if p] + list(self.csv.values())
               + self.maps)
        return out
