"""zaitaku's one atomic writer: outputs are written under a temporary name
and renamed into place, never over an input. :func:`atomic_file` writes
one file; :class:`OutputSet` a set, all or nothing. Every writer of a set
of files (Analysis.save, the report, the planning and roads commands) goes
through :class:`OutputSet`; single files (a map, a table) through
:func:`atomic_file`."""
import csv
import os
import shutil
import tempfile
from pathlib import Path

from ._libcoverage import ffi, lib
from .columns import english_headers, japanese_headers
from .errors import error_for, InvalidArgumentError
from .kinds import kind_name

#: What ``headers=`` takes: the English column ids, or Japanese headings.
HEADERS = ("en", "ja")

# files that come with a shapefile: writing x.shp replaces every one of them
_SHAPEFILE_SET = (".shp", ".shx", ".dbf", ".prj", ".cpg")


def refuse_input(ctx, path):
    """Raises InputFileError when writing path would replace a file that
    ctx (a zaitaku context) read as an input: path itself, or for a
    shapefile any file of its set, either case of extension. ctx None
    checks nothing."""
    if ctx is None:
        return
    path = Path(path)
    exts = _SHAPEFILE_SET if path.suffix.lower() == ".shp" else (path.suffix,)
    for ext in dict.fromkeys([e.lower() for e in exts] + [e.upper() for e in exts]):
        candidate = path.with_suffix(ext)
        with ctx.lock:  # the context's list of inputs
            is_input = lib.cov_is_input_path(ctx.ptr, os.fsencode(candidate))
        if is_input:
            raise error_for("COV_ERR_IO", lib.COV_ERR_IO,
                            f"refusing to write {candidate}: it was read as an input "
                            "(nothing was written)")


def atomic_file(path, write, ctx=None):
    """Writes one file through a temporary file in its folder: ``write``
    is called with the temporary path (its name ends in path's real suffix,
    which writers such as pandas' Excel one check), then the file is renamed
    over ``path``; on any failure the temporary file is removed and
    ``path`` is as it was. A file that exists keeps its permissions, a new
    one is 0644. With ``ctx``, a path that would replace an input of it is
    refused (InputFileError) before anything is written. Returns path.

    >>> import tempfile
    >>> from pathlib import Path
    >>> target = Path(tempfile.mkdtemp()) / "a.txt"
    >>> atomic_file(target, lambda tmp: Path(tmp).write_text("x")).read_text()
    'x'
    """
    path = Path(path)
    refuse_input(ctx, path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=f".tmp{path.suffix}",
                               dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, path.stat().st_mode & 0o7777 if path.exists() else 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


class OutputSet:
    """Files written into a fresh staging folder beside ``folder`` and
    swapped in as one step by :meth:`commit` (libcoverage's
    ``cov_output_set``): whatever else ``folder`` holds is kept, one rename
    exchanges the folders, so a run killed at any point, or a second run
    into the same folder, leaves the old set or the new one, never a mix.
    A second writer while one is writing fails (InputFileError: "another
    writer is writing an output set into it now"). A name that would
    replace an input is refused before its file is written; on any failure
    (or without commit) the staging folder is removed and ``folder`` is as
    it was.

    >>> with OutputSet(None, folder) as out:            # doctest: +SKIP
    ...     frame.to_csv(out.path("tables/a.csv"))
    ...     written = out.commit()
    """

    def __init__(self, ctx, folder):
        self.ctx = ctx
        self.folder = Path(os.fsdecode(folder))
        self.names = []
        self.staging = None
        self._set = None

    def __enter__(self):
        from ._ffi.core import call, context

        ctx = self.ctx if self.ctx is not None else context()
        self._set = ffi.gc(call(ctx, lib.cov_output_set_begin, os.fsencode(self.folder)),
                           lib.cov_output_set_destroy)
        self.staging = Path(os.fsdecode(ffi.string(lib.cov_output_set_staging(self._set))))
        return self

    def path(self, name):
        """Where to write the output ``name`` (relative to the folder, may
        hold subfolders): a path in the staging folder. Raises
        InputFileError when the final file would replace an input."""
        refuse_input(self.ctx, self.folder / name)
        self.names.append(name)
        staged = self.staging / name
        staged.parent.mkdir(parents=True, exist_ok=True)
        return staged

    def commit(self):
        """Swaps the staged files in (the companions of a shapefile
        included); returns the final paths of the names asked for, in
        order."""
        from ._ffi.core import call, context

        ctx = self.ctx if self.ctx is not None else context()
        call(ctx, lib.cov_output_set_commit, self._set, returns="status")
        return [self.folder / name for name in self.names]

    def __exit__(self, *exc):
        if self._set is not None:
            ffi.release(self._set)  # the destructor, now
            self._set = None
        return False


# ---------------------------------------------------------------- tables read alone

def check_headers(headers):
    """headers itself when it is one of :data:`HEADERS`; else
    InvalidArgumentError naming the choices."""
    if headers not in HEADERS:
        raise InvalidArgumentError(f"headers={headers!r}: give one of {', '.join(HEADERS)}")
    return headers


def standalone(frame):
    """frame as a plain table that can be read alone: a point geometry
    becomes lon and lat columns (JGD2011 degrees, EPSG:6668; kept when the
    frame has them already), any other geometry is left out (the
    shapefile beside it holds it).

    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> g = gpd.GeoDataFrame({"id": ["a"]}, geometry=[Point(141.35, 43.06)], crs="EPSG:6668")
    >>> standalone(g).to_dict("records")
    [{'id': 'a', 'lon': 141.35, 'lat': 43.06}]
    """
    import pandas as pd

    # a plain DataFrame's geometry column has no CRS to say what it is in
    geometry = frame.geometry if "geometry" in frame.columns and hasattr(frame, "crs") else None
    out = pd.DataFrame(frame.drop(columns="geometry", errors="ignore"))
    if geometry is None or not len(frame) or "lon" in out.columns:
        return out
    if frame.crs is not None and not frame.crs.equals("EPSG:6668"):
        geometry = geometry.to_crs("EPSG:6668")
    points = geometry.geom_type.eq("Point") & ~geometry.is_empty
    if points.all():
        out["lon"], out["lat"] = geometry.x.to_numpy(), geometry.y.to_numpy()
    return out


# Text Excel would run as a formula (OWASP "CSV injection"): = + - @, and
# tab or carriage return first.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def as_text(table):
    """table with every text cell that Excel would evaluate as a formula
    prefixed with an apostrophe, the spreadsheet's mark for "this is text"
    (names from downloaded files and facility lists are data, never
    formulas). Numbers are untouched.

    Examples
    --------
    >>> import pandas as pd
    >>> as_text(pd.DataFrame({"name": ["=HYPERLINK(1)", "札幌", "-x"], "n": [-1, 2, 3]})).values.tolist()
    [["'=HYPERLINK(1)", -1], ['札幌', 2], ["'-x", 3]]
    """
    import pandas as pd

    out = table
    for col in table.columns:
        if not (table[col].dtype == object or pd.api.types.is_string_dtype(table[col].dtype)):
            continue
        values = table[col]
        bad = values.map(lambda v: isinstance(v, str) and v.startswith(_FORMULA_START))
        if bad.any():
            if out is table:
                out = table.copy()
            out[col] = values.where(~bad, "'" + values.astype(str))
    return out


def write_csv(frame, path, headers="en", weight=None):
    """frame as a CSV at path (into an OutputSet's staging folder or an
    atomic_file's temporary one), made :func:`standalone`: UTF-8 with the
    English column ids, or with ``headers="ja"`` the Japanese headings of
    :func:`zaitaku.columns.japanese_headers` (人口 named by ``weight``) in
    UTF-8 with a BOM, which Excel opens as UTF-8, text Excel would run as
    a formula written as text (:func:`as_text`), and each ``kind`` with
    its Japanese name beside it (``kind_name``)."""
    table = standalone(frame)
    if check_headers(headers) == "ja":
        if "kind" in table.columns and "kind_name" not in table.columns:
            # the kind's Japanese name beside its id, which stays for reading back
            table.insert(table.columns.get_loc("kind") + 1, "kind_name",
                         table["kind"].map(kind_name))
        # for Excel: names from downloaded lists are data, never formulas
        table = as_text(table).rename(columns=japanese_headers(table.columns, weight))
    table.to_csv(path, index=False, encoding="utf-8-sig" if headers == "ja" else "utf-8")


def relabel_csv(path, weight=None):
    """Rewrites the header line of a CSV libcoverage wrote (UTF-8, English
    ids) with the Japanese headings, and a BOM; the rows are copied as
    they are."""
    path = Path(path)
    tmp = path.with_name(path.name + ".ja")
    with open(path, encoding="utf-8", newline="") as src:
        header = next(csv.reader([src.readline()]))
        named = japanese_headers(header, weight)
        with open(tmp, "w", encoding="utf-8-sig", newline="") as dst:
            csv.writer(dst, lineterminator="\n").writerow([named.get(c, c) for c in header])
            shutil.copyfileobj(src, dst, 1 << 20)
    os.replace(tmp, path)


def read_csv(path, **kwargs):
    """A CSV zaitaku wrote, by its column ids whichever ``headers`` it was
    written with (pandas.read_csv's keywords; ``dtype`` and ``usecols`` by
    id)."""
    import pandas as pd

    with open(path, encoding="utf-8-sig", newline="") as f:
        header = next(csv.reader([f.readline()]), [])
    ids = english_headers(header)
    to_heading = {ids.get(h, h): h for h in header}
    if "dtype" in kwargs and isinstance(kwargs["dtype"], dict):
        kwargs["dtype"] = {to_heading.get(k, k): v for k, v in kwargs["dtype"].items()}
    if "usecols" in kwargs:
        kwargs["usecols"] = [to_heading.get(c, c) for c in kwargs["usecols"]]
    if isinstance(kwargs.get("na_values"), dict):
        kwargs["na_values"] = {to_heading.get(k, k): v for k, v in kwargs["na_values"].items()}
    return pd.read_csv(path, encoding="utf-8-sig", **kwargs).rename(columns=ids)
