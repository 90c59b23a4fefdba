"""What every official-data reader shares: the read report, encoding
detection, CSV rows with their line numbers, and the prefecture check.

The readers themselves live in ``_official_*.py``; :mod:`zaitaku.official`
is the public face.
"""
import csv
import io
import os
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .._libcoverage import lib
from ..errors import (CoverageWarning, EncodingError, FieldError, FileFormatError,
                     InputFileError, InvalidValueError)



def _err(cls, status, message):
    return cls(message, code=getattr(lib, status), status=status)


def io_error(message):
    return _err(InputFileError, "COV_ERR_IO", message)


def format_error(message):
    return _err(FileFormatError, "COV_ERR_FORMAT", message)


def value_error(message):
    return _err(InvalidValueError, "COV_ERR_VALUE", message)


def field_error(message):
    return _err(FieldError, "COV_ERR_FIELD", message)


@dataclass
class ReadReport:
    """What a reader did with its input: rows read, kept and rejected.

    Attributes
    ----------
    source : str
        The file (or files) read.
    read, kept : int
        Data rows read and rows kept in the result.
    rejected : pandas.DataFrame
        One row per rejected input row: ``file``, ``line`` (1-based
        physical line, or record number for JSON and shapefiles), ``id``,
        ``name``, ``reason`` and ``detail``.
    notes : list of str
        Other things worth knowing (e.g. cells merged by e-Stat's secrecy
        rules, which are not lost but counted elsewhere).

    Examples
    --------
    >>> from zaitaku.official import ReadReport
    >>> r = ReadReport("x.csv")
    >>> r.reject("x.csv", 3, "A1", "病院", "no coordinates (0.0/0.0)")
    >>> r.read, r.kept = 2, 1
    >>> r.counts()
    {'no coordinates (0.0/0.0)': 1}
    >>> print(r)
    x.csv: 2 rows read, 1 kept, 1 rejected (1 no coordinates (0.0/0.0))
    """

    source: str
    read: int = 0
    kept: int = 0
    notes: list = field(default_factory=list)
    _rows: list = field(default_factory=list, repr=False)

    def reject(self, file, line, id_, name, reason, detail=""):
        """Records one rejected row."""
        self._rows.append((str(file), line, "" if id_ is None else str(id_),
                           "" if name is None else str(name), reason, detail))

    @property
    def rejected(self):
        return pd.DataFrame(self._rows, columns=["file", "line", "id", "name", "reason", "detail"])

    @property
    def n_rejected(self):
        return len(self._rows)

    def counts(self):
        """Rejected rows per reason, most frequent first."""
        out = {}
        for row in self._rows:
            out[row[4]] = out.get(row[4], 0) + 1
        return dict(sorted(out.items(), key=lambda kv: -kv[1]))

    def summary(self):
        """One line: rows read, kept, rejected per reason."""
        text = f"{self.source}: {self.read} rows read, {self.kept} kept, {self.n_rejected} rejected"
        if self._rows:
            text += " (" + "; ".join(f"{n} {r}" for r, n in self.counts().items()) + ")"
        return text

    def __str__(self):
        return self.summary() + "".join(f"\n  note: {n}" for n in self.notes)

    def _repr_html_(self):
        head = (f"<b>{_html(self.source)}</b>: {self.read} rows read, {self.kept} kept, "
                f"{self.n_rejected} rejected")
        notes = "".join(f"<br>note: {_html(n)}" for n in self.notes)
        table = self.rejected.head(20).to_html(index=False) if self._rows else ""
        more = f"<br>… {self.n_rejected - 20} more" if self.n_rejected > 20 else ""
        return f"<div>{head}{notes}{table}{more}</div>"

    def warn(self, stacklevel=3):
        """A CoverageWarning summarising the rejected rows (none when none)."""
        if self._rows:
            warnings.warn(f"{self.summary()}; the rows are listed in .attrs['report'].rejected",
                          CoverageWarning, stacklevel=stacklevel)


def _html(text):
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def attach(frame, report, stacklevel=4):
    """Puts the report on the frame (``frame.attrs["report"]``) and warns
    about rejected rows."""
    report.kept = len(frame)
    frame.attrs["report"] = report
    report.warn(stacklevel=stacklevel)
    return frame


# ---------------------------------------------------------------- bytes and text

def read_bytes(path):
    """The bytes of a file, or InputFileError naming it."""
    path = os.fspath(path)
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        raise io_error(f"{path}: no such file") from None
    except OSError as e:
        raise io_error(f"{path}: cannot be read ({e.strerror})") from None


def detect_encoding(data):
    """``"utf-8-sig"`` (BOM), ``"utf-8"`` when the bytes are valid UTF-8,
    else ``"cp932"`` when valid CP932 (Shift_JIS with Microsoft's
    extensions), else None.

    Examples
    --------
    >>> from zaitaku.official import detect_encoding
    >>> detect_encoding("訪問看護".encode("cp932")), detect_encoding("訪問看護".encode())
    ('cp932', 'utf-8')
    >>> detect_encoding(b"\\xef\\xbb\\xbfID")
    'utf-8-sig'
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    for enc in ("utf-8", "cp932"):
        try:
            data.decode(enc)
            return enc
        except UnicodeDecodeError:
            pass
    return None


def decode(data, label, encoding=None):
    """Text of a file's bytes, in the given or the detected encoding; an
    EncodingError naming the line and column of the first bad byte."""
    enc = encoding or detect_encoding(data)
    try:
        return data.decode(enc or "cp932"), enc or "cp932"
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        column = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        tried = enc or "UTF-8 or CP932"
        raise _err(EncodingError, "COV_ERR_ENCODING",
                   f"{label}: line {line}, column {column} (byte {e.start}): "
                   f"not valid {tried} text ({data[e.start:e.start + 4]!r})") from None


def csv_rows(text):
    """``(line, fields)`` for each record of CSV text: line is the 1-based
    physical line the record starts on; blank lines are skipped."""
    reader = csv.reader(io.StringIO(text, newline=""))
    start = 1
    for fields in reader:
        line, start = start, reader.line_num + 1
        if fields and any(f.strip() for f in fields):
            yield line, fields


# Resource bound of one archive member (issue 16): the largest real one, a
# 厚生局 sheet, inflates to 35 MB; a few-MB zip inflating to gigabytes is a
# zip bomb or a damaged file, refused before it is inflated.
MAX_MEMBER_BYTES = 512 * 1024 * 1024


def read_member(z, name, label):
    """Member ``name`` of the open ZipFile ``z`` as bytes, refusing one that
    inflates beyond MAX_MEMBER_BYTES (checked against the header, then
    while inflating, since a header can lie): FileFormatError naming the
    archive and the member."""
    info = z.getinfo(name)
    too_big = (f"{label}!{name}: inflates to more than {MAX_MEMBER_BYTES // 2 ** 20} MB "
               f"({info.compress_size:,} bytes compressed): not read (a damaged file or a zip "
               "bomb)")
    if info.file_size > MAX_MEMBER_BYTES:
        raise format_error(too_big)
    with z.open(info) as f:
        data = f.read(MAX_MEMBER_BYTES + 1)
    if len(data) > MAX_MEMBER_BYTES:
        raise format_error(too_big)
    return data


def zip_member(path, suffixes):
    """The one member of a zip archive ending with one of suffixes, as
    ``(name, bytes)``; FileFormatError when there is none or several."""
    label = os.fspath(path)
    try:
        with zipfile.ZipFile(label) as z:
            names = [n for n in z.namelist() if n.lower().endswith(suffixes)]
            if len(names) != 1:
                raise format_error(f"{label}: expected one {'/'.join(suffixes)} file in the zip "
                                   f"archive, found {len(names)} ({', '.join(names[:5])})")
            return names[0], read_member(z, names[0], label)
    except zipfile.BadZipFile as e:
        raise format_error(f"{label}: not a zip archive ({e})") from None
    except FileNotFoundError:
        raise io_error(f"{label}: no such file") from None


def header_index(header, wanted, label, line=1, optional=False):
    """Position of a column by name (names compared after NFKC and without
    spaces), or FieldError listing the columns."""
    key = lambda s: re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(s)))  # noqa: E731
    keys = [key(h) for h in header]
    for name in (wanted if isinstance(wanted, (list, tuple)) else [wanted]):
        if key(name) in keys:
            return keys.index(key(name))
    if optional:
        return None
    raise field_error(f"{label}: line {line}: no column {wanted!r} (columns: "
                      f"{', '.join(map(str, header[:30]))})")


def number(text):
    """A float from a published cell (full-width digits, commas allowed),
    or None when it is not a number."""
    t = unicodedata.normalize("NFKC", str(text)).replace(",", "").strip()
    try:
        return float(t)
    except ValueError:
        return None


# ---------------------------------------------------------------- prefectures

PREFECTURES = ("北海道 青森県 岩手県 宮城県 秋田県 山形県 福島県 茨城県 栃木県 群馬県 埼玉県 千葉県 東京都 "
               "神奈川県 新潟県 富山県 石川県 福井県 山梨県 長野県 岐阜県 静岡県 愛知県 三重県 滋賀県 京都府 "
               "大阪府 兵庫県 奈良県 和歌山県 鳥取県 島根県 岡山県 広島県 山口県 徳島県 香川県 愛媛県 高知県 "
               "福岡県 佐賀県 長崎県 熊本県 大分県 宮崎県 鹿児島県 沖縄県").split()

# Bounding boxes (west, south, east, north; degrees) a point must fall in.
# Japan: from GSI's extreme points (与那国島 122.93 E, 南鳥島 153.99 E,
# 沖ノ鳥島 20.42 N, 択捉島 45.56 N). Hokkaido: 渡島大島 139.3 E to 択捉島 149.0 E,
# 渡島小島 41.3 N to 弁天島/択捉島 45.6 N. Other prefectures: give ``bounds``.
JAPAN_BOX = (122.9, 20.4, 154.0, 45.6)
PREFECTURE_BOXES = {"01": (139.3, 41.3, 149.0, 45.6)}


def prefecture_code(prefecture):
    """'01' from 1, '1', '01' or '北海道'."""
    if prefecture is None:
        return None
    text = unicodedata.normalize("NFKC", str(prefecture)).strip()
    if text in PREFECTURES:
        return f"{PREFECTURES.index(text) + 1:02d}"
    if text.isdigit() and (1 <= int(text) <= 47 or int(text) == 99):  # 99: the fictional sample
        return f"{int(text):02d}"
    raise ValueError(f"unknown prefecture {prefecture!r}: give its code (1-47) or name (e.g. 北海道)")


class PointCheck:
    """Decides whether a lon/lat point may belong to a prefecture: within a
    polygon (plus a tolerance) when ``bounds`` is a geometry, GeoDataFrame or
    Regions, within a box when it is ``(west, south, east, north)``, else
    within the prefecture's built-in box (Hokkaido) or Japan's."""

    def __init__(self, prefecture, bounds=None, tolerance_m=1000.0):
        self.describe = ""
        self.polygon = None
        self.box = None
        if bounds is None:
            code = prefecture_code(prefecture)
            self.box = PREFECTURE_BOXES.get(code, JAPAN_BOX)
            if code is not None and code not in PREFECTURE_BOXES:
                warnings.warn(f"no built-in bounds for prefecture {code}: points are only checked "
                              "against Japan's extent; pass bounds= (e.g. its N03 polygons) for a "
                              "real check", CoverageWarning, stacklevel=4)
            self.describe = "outside the prefecture" if code in PREFECTURE_BOXES else "outside Japan"
        elif isinstance(bounds, tuple) and len(bounds) == 4:
            self.box = tuple(float(b) for b in bounds)
            self.describe = "outside the given bounds"
        else:
            import shapely

            if hasattr(bounds, "to_geodataframe"):  # zaitaku.Regions
                bounds = bounds.to_geodataframe()
            geom = bounds.geometry.union_all() if hasattr(bounds, "geometry") else bounds
            # degrees of latitude per metre; longitude degrees are shorter, so
            # this tolerance is generous in longitude, never too tight
            self.polygon = shapely.buffer(geom, tolerance_m / 111_000.0 / 0.70)
            shapely.prepare(self.polygon)
            self.describe = f"outside the prefecture's polygons (+{tolerance_m:g} m)"

    def inside(self, lon, lat):
        """Boolean array: which points pass."""
        import numpy as np

        lon = np.asarray(lon, dtype=float)
        lat = np.asarray(lat, dtype=float)
        if self.box is not None:
            w, s, e, n = self.box
            return (lon >= w) & (lon <= e) & (lat >= s) & (lat <= n)
        import shapely

        return shapely.contains_xy(self.polygon, lon, lat)


def coordinate_problem(lon, lat):
    """The reason a coordinate pair is unusable, or None."""
    if lon is None or lat is None or lon != lon or lat != lat:
        return "no coordinates (empty)"
    if lon == 0.0 and lat == 0.0:
        return "no coordinates (0.0/0.0)"
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        return "coordinates out of range"
    return None


def expand_sources(source, patterns):
    """A list of files from a path, a folder (files matching patterns) or a
    list of paths."""
    if isinstance(source, (str, os.PathLike)):
        p = Path(source)
        if p.is_dir():
            files = sorted(f for pat in patterns for f in p.glob(pat))
            if not files:
                raise io_error(f"{p}: no {' or '.join(patterns)} files in this folder")
            return files
        return [p]
    return [Path(s) for s in source]
