"""The matcher that finds coordinates of listed institutions (地方厚生局
届出受理 lists, read by :mod:`._official_kouseikyoku`) in 医療情報ネット: by
medical-institution code, else by normalised name and address."""
import difflib
import re
import unicodedata

import pandas as pd

from ._common import PREFECTURES, ReadReport, attach, field_error

# ---------------------------------------------------------------- normalisation

_OLD_FORMS = str.maketrans("髙﨑德邉邊濱澤齋齊櫻廣國塚嶋槇ヶヵ", "高崎徳辺辺浜沢斎斎桜広国塚島槙ケカ")
_LEGAL = ("社会医療法人", "特定医療法人", "医療法人社団", "医療法人財団", "医療法人", "社会福祉法人",
          "一般社団法人", "一般財団法人", "公益社団法人", "公益財団法人", "地方独立行政法人",
          "独立行政法人", "国立大学法人", "公立大学法人", "学校法人", "宗教法人", "社団法人",
          "財団法人", "株式会社", "有限会社", "合同会社", "特定非営利活動法人", "NPO法人")
_KANJI_DIGIT = dict(zip("〇一二三四五六七八九", "0123456789"))
_KANJI_NUM = re.compile(r"[〇一二三四五六七八九十百千]+(?=丁目|条|番地|番|号|線|地割|区|の\d)")
_DASH = re.compile(r"(?<=\d)[‐‑‒–—―−ーｰ－-](?=\d)")


def _nfkc(text):
    t = unicodedata.normalize("NFKC", "" if text is None else str(text))
    return t.translate(_OLD_FORMS)


def _kanji_number(s):
    """Kanji numerals (一 .. 九千九百九十九, or digit by digit) as an int."""
    if all(c in _KANJI_DIGIT for c in s):
        return int("".join(_KANJI_DIGIT[c] for c in s))
    total, current = 0, 0
    for c in s:
        if c in _KANJI_DIGIT:
            current = int(_KANJI_DIGIT[c])
        else:
            unit = {"十": 10, "百": 100, "千": 1000}[c]
            total += (current or 1) * unit
            current = 0
    return total + current


def name_keys(name):
    """Normalised forms of a facility name, any of which may match: NFKC
    (full/half width), old character forms, no spaces, and without legal
    prefixes (医療法人社団 ○○会 ...).

    Examples
    --------
    >>> from zaitaku.official import name_keys
    >>> sorted(name_keys("医療法人社団　恵和会　宮の森病院"))
    ['医療法人社団恵和会宮の森病院', '宮の森病院', '恵和会宮の森病院']
    >>> name_keys("ＪＡ北海道厚生連　帯広厚生病院") >= {"JA北海道厚生連帯広厚生病院"}
    True
    """
    t = _nfkc(name)
    t = re.sub(r"[（(][^）)]*[）)]", " ", t).strip()
    tokens = t.split()
    keys = {"".join(tokens)}
    while tokens and any(tokens[0].startswith(p) for p in _LEGAL):
        prefix = next(p for p in _LEGAL if tokens[0].startswith(p))
        rest = tokens[0][len(prefix):]
        if rest:
            tokens = tokens[1:] if len(tokens) > 1 else [rest]
            m = re.match(r"^.+?会(.+)$", rest)  # 医療法人社団恵和会宮の森病院: the name after ○○会
            if len(tokens) == 1 and m and len(m.group(1)) >= 2:
                keys.add(m.group(1))
        else:
            tokens = tokens[1:]
        keys.add("".join(tokens))
        if len(tokens) > 1:  # the corporation's own name (○○会) usually follows the prefix
            keys.add("".join(tokens[1:]))
    return {k for k in keys if k}


def normalize_address(address):
    """An address in one spelling: NFKC, no prefecture, no 郡 or 大字/字,
    kanji numerals as digits, and 丁目/番地/番/号/の between numbers as
    hyphens, cut after the house number (building names dropped).

    Examples
    --------
    >>> from zaitaku.official import normalize_address
    >>> normalize_address("北海道札幌市中央区南一条西十六丁目２９１番地")
    '札幌市中央区南1条西16-291'
    >>> normalize_address("函館市港町1丁目10番1号　3階")
    '函館市港町1-10-1'
    >>> normalize_address("北海道虻田郡倶知安町字北１条東１丁目２") == normalize_address("倶知安町北1条東1-2")
    True
    """
    t = _nfkc(address)
    t = re.sub(r"\s+", "", t)
    t = re.sub(r"^〒?\d{3}-?\d{4}", "", t)
    for p in PREFECTURES:
        if t.startswith(p):
            t = t[len(p):]
            break
    t = re.sub(r"^[^市区町村]{1,6}?郡(?=[^郡]+?[町村])", "", t)
    t = t.replace("大字", "")
    t = re.sub(r"(?<=[市区町村])字", "", t)
    t = re.sub(r"^字", "", t)
    t = _KANJI_NUM.sub(lambda m: str(_kanji_number(m.group(0))), t)
    t = _DASH.sub("-", t)
    t = re.sub(r"(?<=\d)(?:丁目|番地の|番地|番|の)(?=\d)", "-", t)
    m = re.search(r"(?:\d+(?:条|線|丁目)[東西南北通]*)*\d+(?:-\d+)*", t)
    if m:
        t = t[:m.end()]
    return t


def municipality_of(address):
    """The municipality part of a normalised address (札幌市中央区, 倶知安町)."""
    m = re.match(r"^(.+?市.+?区|.+?[市町村])", normalize_address(address))
    return m.group(1) if m else ""


def institution_number(code):
    """The 7-digit 医療機関番号 of a 7- or 10-digit code (or None)."""
    digits = re.sub(r"\D", "", _nfkc(code))
    if len(digits) == 10:
        return digits[3:]
    if len(digits) == 7:
        return digits
    return None


def _similar(a, b, threshold):
    """Names alike: difflib ratio at least threshold, or one ending with
    the other (札幌田中病院, 医療法人タナカメディカル札幌田中病院)."""
    if min(len(a), len(b)) >= 4 and (a.endswith(b) or b.endswith(a)):
        return True
    m = difflib.SequenceMatcher(None, a, b)
    # the quick ratios are upper bounds of ratio (as in difflib.get_close_matches)
    return m.real_quick_ratio() >= threshold and m.quick_ratio() >= threshold \
        and m.ratio() >= threshold


# ---------------------------------------------------------------- 届出受理状況

def shien_kind(symbol):
    """The kind of a 受理記号: 支援診１/支援病１ (機能強化型 単独型) ->
    ``enhanced_single``; 支援診２(ア/イ)/支援病２ (機能強化型 連携型) ->
    ``enhanced_network``; 支援診３ -> ``zaishin``; 支援病３ -> ``zaibyo``;
    anything else None.

    Examples
    --------
    >>> from zaitaku.official import shien_kind
    >>> [shien_kind(s) for s in ("（支援診１）", "支援診２イ", "支援病３", "在医総管")]
    ['enhanced_single', 'enhanced_network', 'zaibyo', None]
    """
    t = re.sub(r"[\s()（）]", "", _nfkc(symbol))
    m = re.match(r"^支援(診|病)([123])", t)
    if not m:
        return None
    if m.group(2) == "1":
        return "enhanced_single"
    if m.group(2) == "2":
        return "enhanced_network"
    return "zaishin" if m.group(1) == "診" else "zaibyo"


# ---------------------------------------------------------------- matching

METHODS = ("code", "name+address", "name+municipality", "address", "name",
           "similar name+municipality")


def match_facilities(rows, facilities, *, name="name", address="address", code=None,
                     facility_id="facility_id", facility_name="name",
                     facility_address="address", facility_code=None, similarity=0.8):
    """Finds each row (e.g. of a 届出受理 list) among located facilities (e.g.
    医療情報ネット), and gives it the facility's id and coordinates.

    Methods, tried in this order for all rows; a method that finds more
    than one facility does not match (ambiguity is never resolved by
    guessing), and methods 4-6 only consider facilities that no row has
    matched yet:

    1. ``code``: equal 医療機関番号 (7 digits, or the last 7 of 10), when both
       sides have a code column;
    2. ``name+address``: a normalised name (:func:`name_keys`) and the
       normalised address (:func:`normalize_address`) both equal;
    3. ``name+municipality``: name equal, same municipality;
    4. ``address``: the only facility at that address (renamed ones);
    5. ``name``: the only facility of that name (moved ones);
    6. ``similar name+municipality``: the only facility in the municipality
       whose name is at least ``similarity`` alike (difflib ratio), or
       ends with the other's name.

    Parameters
    ----------
    rows, facilities : pandas.DataFrame
    name, address, code : str
        Columns of ``rows``.
    facility_id, facility_name, facility_address, facility_code : str
        Columns of ``facilities``; its ``lon``, ``lat`` columns are carried
        over when present.

    Returns
    -------
    pandas.DataFrame
        The matched rows with ``facility_id``, ``lon``, ``lat``,
        ``match_method``, ``matched_name`` and ``matched_address`` added;
        ``.attrs["report"]`` lists every unmatched row, and
        ``.attrs["matches"]`` holds all rows with their method ("" when
        unmatched).

    Examples
    --------
    >>> import pandas as pd, warnings
    >>> from zaitaku.official import match_facilities
    >>> net = pd.DataFrame({"facility_id": ["A", "B"], "name": ["医療法人　北の病院", "みなと病院"],
    ...                     "address": ["北海道札幌市中央区南１条西１６丁目２９１番地", "北海道函館市港町１－１０－１"],
    ...                     "lon": [141.33, 140.73], "lat": [43.05, 41.81]})
    >>> rows = pd.DataFrame({"name": ["北の病院", "みなと病院", "どこにもない診療所"],
    ...                      "address": ["札幌市中央区南一条西十六丁目291", "函館市港町1丁目10番1号", "小樽市"]})
    >>> with warnings.catch_warnings(record=True):
    ...     warnings.simplefilter("always")
    ...     m = match_facilities(rows, net)
    >>> m[["name", "facility_id", "match_method"]].values.tolist()
    [['北の病院', 'A', 'name+address'], ['みなと病院', 'B', 'name+address']]
    >>> m.attrs["report"].rejected.name.tolist()
    ['どこにもない診療所']
    """
    for frame, cols, what in ((rows, [name, address] + ([code] if code else []), "rows"),
                              (facilities, [facility_id, facility_name, facility_address]
                               + ([facility_code] if facility_code else []), "facilities")):
        missing = [c for c in cols if c not in frame.columns]
        if missing:
            raise field_error(f"match_facilities: {what} have no column {missing[0]!r} (columns: "
                              f"{', '.join(map(str, frame.columns))})")
    fac = facilities.reset_index(drop=True)
    fac.attrs = {}  # pandas deep-copies attrs (a reader's report) on every column taken
    f_keys = [name_keys(n) for n in fac[facility_name]]
    f_addr = [normalize_address(a) for a in fac[facility_address]]
    f_muni = [municipality_of(a) for a in fac[facility_address]]
    by_name, by_addr, by_code, by_muni = {}, {}, {}, {}
    for i, keys in enumerate(f_keys):
        for k in keys:
            by_name.setdefault(k, set()).add(i)
        by_addr.setdefault(f_addr[i], set()).add(i)
        by_muni.setdefault(f_muni[i], set()).add(i)
        if facility_code:
            c = institution_number(fac[facility_code].iloc[i])
            if c:
                by_code.setdefault(c, set()).add(i)

    def one(s):
        return next(iter(s)) if len(s) == 1 else None

    prepared = []
    for r in rows.to_dict("records"):
        keys = name_keys(r[name])
        addr = normalize_address(r[address])
        prepared.append({
            "keys": keys, "addr": addr, "muni": municipality_of(r[address]),
            "named": set().union(*(by_name.get(k, set()) for k in keys)) if keys else set(),
            "code": institution_number(r[code]) if code else None})

    def candidates(p, method, free):
        if method == "code":
            return by_code.get(p["code"], set()) if p["code"] else set()
        if method == "name+address":
            return p["named"] & by_addr.get(p["addr"], set())
        if method == "name+municipality":
            return {i for i in p["named"] if p["muni"] and f_muni[i] == p["muni"]}
        if method == "address":
            return by_addr.get(p["addr"], set()) & free if re.search(r"\d", p["addr"]) else set()
        if method == "name":
            return p["named"] & free
        if not (p["muni"] and p["keys"]):
            return set()
        return {i for i in by_muni.get(p["muni"], set()) & free
                if any(_similar(a, b, similarity) for a in p["keys"] for b in f_keys[i])}

    # Strong methods first for every row; the weaker ones then only look at
    # facilities no row has claimed, so a renamed or similar-looking
    # neighbour never steals a facility that another row matches exactly.
    found, methods = [None] * len(prepared), [""] * len(prepared)
    claimed = set()
    for method in METHODS:
        free = set(range(len(fac))) - claimed
        for j, p in enumerate(prepared):
            if found[j] is None:
                hit = one(candidates(p, method, free))
                if hit is not None and (method in METHODS[:3] or hit not in claimed):
                    found[j], methods[j] = hit, method
                    claimed.add(hit)
    out = rows.reset_index(drop=True).copy()
    out["facility_id"] = [fac[facility_id].iloc[i] if i is not None else None for i in found]
    for col in ("lon", "lat"):
        if col in fac.columns:
            out[col] = [fac[col].iloc[i] if i is not None else float("nan") for i in found]
    out["match_method"] = methods
    out["matched_name"] = [fac[facility_name].iloc[i] if i is not None else "" for i in found]
    out["matched_address"] = [fac[facility_address].iloc[i] if i is not None else "" for i in found]
    report = ReadReport("match_facilities")
    report.read = len(out)
    for i, r in out.iterrows():
        if not r.match_method:
            report.reject("", int(r["line"]) if "line" in out.columns and str(r["line"]).isdigit()
                          else i + 1, r.get(code, "") if code else "", r[name], "unmatched",
                          str(r[address]))
    counts = out.match_method[out.match_method != ""].value_counts()
    report.notes.append("matched by " + ", ".join(f"{m}: {int(counts.get(m, 0))}" for m in METHODS))
    matched = out[out.match_method != ""].reset_index(drop=True)
    matched.attrs["matches"] = out
    return attach(matched, report)
