"""An offline geocoder: addresses to the town-level (大字・町丁目) points of the
Geolonia 住所データ (built on 国土交通省 位置参照情報; CC BY 4.0), with a match
level and a confidence per row, and never a silent guess.

Both sides are brought to one spelling (:func:`address_key`): NFKC, old
character forms, ヶ as ケ, no spaces, kanji numerals before 条/丁目/線/番/号/区/
地割 as digits, 丁目/番地/番/号/の after a number as ``-``, no 大字 and no 字
where a town name starts. A town then matches when its key is the longest
one that starts the rest of the address after the municipality (regular
lookups per key length, longest first, so pandas does the loop); a town
named later in the address (京都's 通 names) is a weaker match.
"""
import json
import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from ._common import PREFECTURES, ReadReport, attach, field_error, io_error, prefecture_code
from ._matching import _OLD_FORMS, _kanji_number

_UNITS = r"(?=条|丁目|丁|線|番地|番|号|区|地割|の\d|$)"
_KANJI_NUM = re.compile(r"[〇一二三四五六七八九十百千]+" + _UNITS)
_DASHES = re.compile(r"[‐‑‒–—―−ーｰ－-]")

# Confidence per match (distance-free: how much of the address the point
# stands for, not how far it may be).
CONFIDENCE = {
    "town": 1.0,            # the town's key, then a number, 字, a house-number sign or nothing
    "town_prefix": 0.8,     # the town's key, then more letters (本町 in 本町通)
    "town_base": 0.7,       # the town without its 丁目 (several 丁目 points, their mean)
    "town_inside": 0.6,     # a town key (3+ letters, no number) inside the address (京都)
    "municipality": 0.3,    # the municipality only (its most central town point)
    "none": 0.0,
}


def address_key(text):
    """One spelling for an address or a town name (see the module doc).

    Examples
    --------
    >>> from zaitaku.official import address_key
    >>> address_key("南一条西十六丁目２９１番地"), address_key("南1条西16-291")
    ('南1条西16-291-', '南1条西16-291-')
    >>> address_key("字ペンケクンベツ原野"), address_key("北十三線９号")
    ('ペンケクンベツ原野', '北13線9-')
    """
    return _keys(pd.Series([text], dtype=str)).iloc[0]


def _keys(s):
    """address_key over a Series (vectorised string operations)."""
    t = s.fillna("").astype(str).str.normalize("NFKC").str.translate(_OLD_FORMS)
    t = t.str.replace(r"\s+", "", regex=True).str.replace("通り", "通", regex=False)
    t = t.str.replace(_KANJI_NUM, lambda m: str(_kanji_number(m.group(0))), regex=True)
    t = t.str.replace(_DASHES, "-", regex=True)
    t = t.str.replace(r"(?<=\d)(?:丁目|丁|番地の|番地|番|号|の)(?=\d|$|[^\d])", "-", regex=True)
    t = t.str.replace(r"(?<=\d)$", "-", regex=True)   # a final number ends with -, as in a town key
    t = t.str.replace(r"-+", "-", regex=True)
    t = t.str.replace("大字", "", regex=False)
    return t.str.replace(r"^字", "", regex=True)


def read_geolonia_towns(folder, prefecture=None):
    """Reads the Geolonia 住所データ API files (``api/ja/<都道府県>/<市区町村>.json``,
    lists of ``{town, koaza, lat, lng}``) as one table of town points.

    Parameters
    ----------
    folder : path
        The ``api`` folder, its ``ja`` folder, or the dataset's root.
    prefecture : str, int or list, optional
        Only these prefectures (name or code); all by default.

    Returns
    -------
    pandas.DataFrame
        ``pref_code, prefecture, municipality, town, koaza, lon, lat`` and
        ``key`` (:func:`address_key` of the town), with the report in
        ``.attrs["report"]``.
    """
    root = Path(folder)
    for cand in (root, root / "ja", root / "api" / "ja"):
        if cand.is_dir() and any((cand / p).is_dir() for p in PREFECTURES):
            root = cand
            break
    else:
        raise io_error(f"{folder}: no Geolonia api/ja/<都道府県>/ folders here")
    wanted = prefecture if isinstance(prefecture, (list, tuple, set)) else (
        [prefecture] if prefecture is not None else PREFECTURES)
    codes = [prefecture_code(p) for p in wanted]
    report = ReadReport(str(root))
    frames = []
    for code in codes:
        name = PREFECTURES[int(code) - 1]
        for path in sorted((root / name).glob("*.json")):
            try:
                rows = json.loads(path.read_text(encoding="utf-8"))
            except (ValueError, UnicodeDecodeError) as e:
                raise field_error(f"{path}: not a Geolonia town list ({e})") from None
            if not rows:
                continue
            if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
                raise field_error(f"{path}: not a Geolonia town list (a JSON list of records)")
            f = pd.DataFrame(rows)
            for name in ("town", "lat", "lng"):
                lack = f[name].isna() if name in f else pd.Series(True, index=f.index)
                if name == "town" and lack.any() or name not in f:
                    i = int(lack.to_numpy().nonzero()[0][0])
                    raise field_error(f"{path}: record {i + 1}: no field {name!r} "
                                      f"(fields: {', '.join(map(str, rows[i]))})")
            f["koaza"] = f.get("koaza", "")
            report.read += len(f)
            f = f.assign(pref_code=code, prefecture=name, municipality=path.stem)
            frames.append(f)
    if not frames:
        raise io_error(f"{root}: no town files for {', '.join(codes)}")
    out = pd.concat(frames, ignore_index=True).rename(columns={"lng": "lon"})
    out["lon"] = pd.to_numeric(out.lon, errors="coerce")
    out["lat"] = pd.to_numeric(out.lat, errors="coerce")
    bad = out.lon.isna() | out.lat.isna()
    for r in out[bad].itertuples():
        report.reject(r.municipality, r.Index + 1, "", r.town, "no coordinates")
    out = out[~bad].reset_index(drop=True)
    out["town"] = out.town.fillna("").astype(str)
    out["koaza"] = out.koaza.fillna("").astype(str)
    out["key"] = _keys(out.town)
    return attach(out[["pref_code", "prefecture", "municipality", "town", "koaza", "lon", "lat",
                       "key"]], report)


def _municipality_table(towns):
    """Per municipality: its point (the town point nearest the median of
    its towns) and the keys an address may start with."""
    g = towns.groupby(["pref_code", "municipality"], sort=False)
    med = g[["lon", "lat"]].transform("median")
    d = (towns.lon - med.lon) ** 2 + (towns.lat - med.lat) ** 2
    centre = towns.loc[d.groupby([towns.pref_code, towns.municipality], sort=False).idxmin()]
    munis = centre[["pref_code", "municipality", "town", "lon", "lat"]].reset_index(drop=True)
    full = pd.DataFrame({"pref_code": munis.pref_code, "key": _keys(munis.municipality),
                         "municipality": munis.municipality})
    short = munis.municipality.str.extract(r"^.+?郡(.+[町村])$")[0]
    short = pd.DataFrame({"pref_code": munis.pref_code, "key": short,
                          "municipality": munis.municipality})[short.notna()]
    keys = pd.concat([full, short], ignore_index=True)
    # a short name shared by two municipalities of a prefecture is no key
    keys = keys.drop_duplicates().drop_duplicates(["pref_code", "key"], keep=False)
    return munis, keys


def _with_cities(towns):
    """The towns plus, for each city made of wards (政令指定都市), the city
    itself holding the towns of all its wards whose key is unique among
    them: addresses written with a ward the data do not know yet (浜松市中央区,
    2024) or without the ward still find their town."""
    m = towns.municipality.str.extract(r"^(.+?市)(.+区)$")
    wards = towns[m[0].notna()].assign(municipality=m[0][m[0].notna()])
    if not len(wards):
        return towns, set()
    wards = wards.drop_duplicates(["pref_code", "municipality", "key"], keep=False)
    return pd.concat([towns, wards], ignore_index=True), set(wards.municipality)


def _longest_prefix(text, group, table_group, table_key):
    """Per text, the position in the table of the longest key that starts
    it among the keys of its group (-1 when none): one vectorised lookup per
    key length, longest first."""
    lookup = pd.Series(np.arange(len(table_key)),
                       index=pd.Index(table_group.to_numpy() + "\x00" + table_key.to_numpy()))
    lookup = lookup[~lookup.index.duplicated() & (table_key.str.len().to_numpy() > 0)]
    found = np.full(len(text), -1)
    lengths = [n for n in np.sort(table_key.str.len().unique())[::-1] if n > 0]
    size = text.str.len().to_numpy()
    head = group.to_numpy() + "\x00"
    for n in lengths:
        todo = (found < 0) & (size >= n)
        if not todo.any():
            continue
        probe = head[todo] + text[todo].str[:n].to_numpy()
        got = lookup.reindex(probe).to_numpy()
        idx = np.nonzero(todo)[0]
        hit = ~np.isnan(got)
        found[idx[hit]] = got[hit].astype(int)
    return pd.Series(found, index=text.index)


def locate_addresses(rows, towns, *, address="address", prefecture=None, prefecture_field=None):
    """Locates addresses at the town (大字・町丁目) level, offline.

    Parameters
    ----------
    rows : pandas.DataFrame
    towns : pandas.DataFrame
        From :func:`read_geolonia_towns`.
    address : str
        The column of addresses (with or without the prefecture; with or
        without the 郡; kanji or arabic numerals; 条/丁目/線/番地/号 or
        hyphens; 字/大字 or not).
    prefecture : str or int, optional
        The prefecture of every row, when the addresses omit it (厚生局
        lists do).
    prefecture_field : str, optional
        A column holding each row's prefecture (name or code, or a code
        whose first two digits are the prefecture's, like 医療機関コード).

    Returns
    -------
    pandas.DataFrame
        ``rows`` with ``lon, lat`` (NaN when not located), ``match_level``
        (``town``, ``municipality`` or ``none``), ``match`` (the rule that
        matched: see :data:`CONFIDENCE`), ``confidence`` (0 to 1),
        ``matched_municipality`` and ``matched_town``. The report lists
        every row not located at town level with its address (reason
        ``municipality only`` or ``not located``), and notes the shares.

    Examples
    --------
    >>> import pandas as pd
    >>> from zaitaku.official import address_key, locate_addresses
    >>> towns = pd.DataFrame({"pref_code": "01", "prefecture": "北海道",
    ...     "municipality": ["札幌市中央区", "札幌市中央区", "虻田郡倶知安町"],
    ...     "town": ["南一条西十六丁目", "北三条西六丁目", "北一条東一丁目"], "koaza": "",
    ...     "lon": [141.330, 141.349, 140.760], "lat": [43.058, 43.063, 42.900]})
    >>> towns["key"] = towns.town.map(address_key)
    >>> rows = pd.DataFrame({"address": ["札幌市中央区南１条西１６丁目２９１番地", "倶知安町北1条東1-2",
    ...                                  "札幌市中央区宮の森1条", "どこか"]})
    >>> import warnings
    >>> with warnings.catch_warnings(record=True):
    ...     warnings.simplefilter("always")
    ...     out = locate_addresses(rows, towns, prefecture="北海道")
    >>> out[["match_level", "matched_town", "confidence"]].values.tolist()
    [['town', '南一条西十六丁目', 1.0], ['town', '北一条東一丁目', 1.0], ['municipality', '', 0.3], ['none', '', 0.0]]
    """
    if address not in rows.columns:
        raise field_error(f"locate_addresses: no column {address!r} (columns: "
                          f"{', '.join(map(str, rows.columns))})")
    out = rows.reset_index(drop=True).copy()
    out.attrs = {}   # pandas deep-copies attrs on every operation
    towns = towns.copy(deep=False)
    towns.attrs = {}
    n = len(out)
    key = _keys(out[address])
    key = key.str.replace(r"^〒?\d{3}-?\d{4}-?", "", regex=True)
    named = key.str.extract("^(" + "|".join(PREFECTURES) + ")", expand=False)
    codes = {p: f"{i:02d}" for i, p in enumerate(PREFECTURES, 1)}
    pref = named.map(codes).fillna("").astype(str)
    key = key.str.replace("^(?:" + "|".join(PREFECTURES) + ")", "", regex=True)
    if prefecture_field is not None:
        given = out[prefecture_field].fillna("").astype(str).str.normalize("NFKC").str.strip()
        named = given.map({p: f"{i:02d}" for i, p in enumerate(PREFECTURES, 1)})
        coded = given.str.extract(r"^(\d{2})")[0]
        pref = pref.where(pref != "", named.fillna(coded).fillna(""))
    elif prefecture is not None:
        pref = pref.where(pref != "", prefecture_code(prefecture))
    towns, cities = _with_cities(towns)
    munis, mkeys = _municipality_table(towns)
    hit = _longest_prefix(key, pref, mkeys.pref_code, mkeys.key)
    ok = hit >= 0
    muni = pd.Series("", index=out.index, dtype=str)
    muni[ok] = mkeys.municipality.to_numpy()[hit[ok]]
    cut = mkeys.key.str.len().to_numpy()[hit[ok]]
    rest = pd.Series("", index=out.index, dtype=str)
    rest[ok] = [k[c:] for k, c in zip(key[ok], cut)]
    city = muni.isin(cities)
    rest[city] = rest[city].str.replace(r"^[^\d区]{1,4}区", "", regex=True)   # a ward the data lack
    rest = rest.str.replace(r"^字", "", regex=True)
    place = pref + "|" + muni
    lon = np.full(n, np.nan)
    lat = np.full(n, np.nan)
    how = np.array(["none"] * n, dtype=object)
    town = np.array([""] * n, dtype=object)
    pts = towns.drop_duplicates(["pref_code", "municipality", "key"]).reset_index(drop=True)
    tplace = pts.pref_code + "|" + pts.municipality
    hit = _longest_prefix(rest, place, tplace, pts.key).where(ok, -1)
    got = (hit >= 0).to_numpy()
    ix = hit[got].to_numpy()
    after = [r[len(k):] for r, k in zip(rest[got], pts.key.to_numpy()[ix])]
    clean = pd.Series(after, dtype=str).str.match(r"^(?:\d|-|字|[左右]\d|$)").to_numpy()  # 旭川: 左7号
    lon[got], lat[got] = pts.lon.to_numpy()[ix], pts.lat.to_numpy()[ix]
    town[got] = pts.town.to_numpy()[ix]
    how[got] = np.where(clean, "town", "town_prefix")
    # the town written without its 丁目 (several points: their mean)
    based = pts[pts.key.str.contains(r"\d+-$")].assign(
        base=lambda f: f.key.str.replace(r"\d+-$", "", regex=True),
        name=lambda f: f.town.str.replace(r"[〇一二三四五六七八九十百千]+丁目$", "", regex=True))
    means = based.groupby(["pref_code", "municipality", "base"], as_index=False).agg(
        lon=("lon", "mean"), lat=("lat", "mean"), town=("name", "first"))
    left = pd.Series(ok.to_numpy() & ~got, index=out.index)
    hit = _longest_prefix(rest.where(left, ""), place, means.pref_code + "|" + means.municipality,
                          means.base)
    got2 = (hit >= 0).to_numpy() & left.to_numpy()
    ix = hit[got2].to_numpy()
    lon[got2], lat[got2] = means.lon.to_numpy()[ix], means.lat.to_numpy()[ix]
    town[got2], how[got2] = means.town.to_numpy()[ix], "town_base"
    # a town named inside the address (京都: 通 names first, then the 町)
    left = ok.to_numpy() & (how == "none") & ~rest.str.match(r"^[\d-]").to_numpy()
    if left.any():
        cand = pts.assign(place=tplace)
        cand = cand[cand.place.isin(set(place[left])) & (cand.key.str.len() >= 3)
                    & ~cand.key.str.contains(r"\d")]
        cand = cand.assign(size=cand.key.str.len()).sort_values("size", ascending=False, kind="stable")
        by_place = {}
        for p, k, i in zip(cand.place, cand.key, cand.index):
            by_place.setdefault(p, []).append((k, i))
        for j in np.nonzero(left)[0]:
            r = rest.iat[j]
            i = next((i for k, i in by_place.get(place.iat[j], ()) if k in r), None)
            if i is not None:
                lon[j], lat[j], town[j], how[j] = pts.lon[i], pts.lat[i], pts.town[i], "town_inside"
    only = (muni != "").to_numpy() & (how == "none")
    centre = munis.set_index(["pref_code", "municipality"])
    if only.any():
        where = list(zip(pref[only], muni[only]))
        lon[only] = centre.lon.reindex(where).to_numpy()
        lat[only] = centre.lat.reindex(where).to_numpy()
        how[only] = "municipality"
    out["lon"], out["lat"] = lon, lat
    out["match_level"] = pd.Series(how).map(lambda h: "town" if h.startswith("town") else h)
    out["match"] = how
    out["confidence"] = pd.Series(how).map(CONFIDENCE).to_numpy()
    out["matched_municipality"] = muni.to_numpy()
    out["matched_town"] = town
    report = ReadReport("locate_addresses")
    report.read = n
    col = lambda c: out[c].astype(str).to_numpy() if c in out else np.array([""] * n)  # noqa: E731
    files, lines = col("file"), (col("line") if "line" in out else np.arange(1, n + 1))
    ids, names, level = col("institution_code"), col("name"), out.match_level.to_numpy()
    for i in np.nonzero(level != "town")[0]:
        report.reject(files[i], lines[i], ids[i], names[i],
                      "municipality only" if level[i] == "municipality" else "not located",
                      str(out[address].iloc[i]))
    if n:
        shares = out.match_level.value_counts()
        report.notes.append("located: " + ", ".join(
            f"{lvl} {int(shares.get(lvl, 0))} ({shares.get(lvl, 0) / n:.1%})"
            for lvl in ("town", "municipality", "none")))
    return _attach_all(out, report)


def _attach_all(out, report):
    """attach() counts kept rows; here every row is kept, located or not."""
    frame = attach(out, report, stacklevel=5)
    report.kept = int((out.match_level == "town").sum())
    return frame


STRONG_METHODS = ("code", "name+address", "name+municipality", "address")


def locate_facilities(rows, towns, facilities=None, *, address="address", prefecture=None,
                      prefecture_field=None, methods=STRONG_METHODS, **match_options):
    """Coordinates for listed institutions (厚生局 lists, code lists): the
    published ones of a located facility table (医療情報ネット) where an
    institution matches one, else the town point of its address.

    Parameters
    ----------
    rows : pandas.DataFrame
        With ``name`` and an address column (and ``institution_code`` for
        the report).
    towns : pandas.DataFrame
        From :func:`read_geolonia_towns`.
    facilities : pandas.DataFrame, optional
        Located facilities (``facility_id, name, address, lon, lat``), e.g.
        from :func:`read_iryojoho_facilities`; matched with
        :func:`match_facilities`.
    methods : tuple of str
        The match methods whose coordinates win (default: code, name and
        address, name and municipality, address; the weaker name-only and
        similar-name matches are listed but not used).
    address, prefecture, prefecture_field
        As for :func:`locate_addresses`.
    **match_options
        Passed to :func:`match_facilities` (e.g. ``code=``, ``facility_code=``).

    Returns
    -------
    pandas.DataFrame
        ``rows`` with ``lon, lat``, ``located_by`` (``facility``, ``town``,
        ``municipality`` or ``none``), ``match_level``, ``match``,
        ``confidence`` (1 for a facility match), ``matched_municipality``,
        ``matched_town``, ``facility_id`` and ``match_method``. The report
        lists every row located less well than its town, with its address,
        and notes the shares.
    """
    import warnings

    from ._matching import match_facilities
    from ..errors import CoverageWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CoverageWarning)
        out = locate_addresses(rows, towns, address=address, prefecture=prefecture,
                               prefecture_field=prefecture_field)
    report = out.attrs["report"]
    out["located_by"] = out.match_level
    out["facility_id"] = ""
    out["match_method"] = ""
    if facilities is not None and len(out):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CoverageWarning)
            m = match_facilities(rows.reset_index(drop=True), facilities, address=address,
                                 **match_options).attrs["matches"]
        use = m.match_method.isin(methods).to_numpy() & m.lon.notna().to_numpy()
        out.loc[use, ["lon", "lat"]] = m.loc[use, ["lon", "lat"]].to_numpy(dtype=float)
        out.loc[use, "facility_id"] = m.facility_id[use].astype(str).to_numpy()
        out["match_method"] = m.match_method.to_numpy()
        out.loc[use, "located_by"] = "facility"
        out.loc[use, "confidence"] = 1.0
        weak = (m.match_method != "").to_numpy() & ~use
        report.notes.append(f"{int(use.sum())} located by a matching facility "
                            f"({', '.join(methods)}); {int(weak.sum())} weaker matches not used")
        # a row the facility table locates is no longer "not located"
        keep = [r for r in report._rows
                if not (r[2] and r[2] in set(out.institution_code[use].astype(str)))] \
            if "institution_code" in out else report._rows
        report._rows = keep
    shares = out.located_by.value_counts()
    report.notes.append("located by: " + ", ".join(
        f"{k} {int(shares.get(k, 0))}" for k in ("facility", "town", "municipality", "none")))
    report.kept = int(out.located_by.isin(["facility", "town"]).sum())
    report.warn(stacklevel=3)
    return out
