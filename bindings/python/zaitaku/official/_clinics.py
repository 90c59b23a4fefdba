"""保険医療機関 (医科) code lists, all of Japan: every clinic and hospital with
its code, name and address (compiled from the eight 地方厚生局
「コード内容別医療機関一覧表」), as facilities of kind ``clinic`` (or
``hospital``) once located."""
import io
import os
import zipfile
from pathlib import Path

import pandas as pd

from ._common import PREFECTURES, ReadReport, attach, decode, format_error, io_error, read_member

_COLUMNS = ["code9", "number", "name", "postal_code", "address"]


def read_med_inst_codes(source, prefecture=None):
    """Reads the 医療機関コード list (one header-less CSV, UTF-8 or CP932,
    alone or in a zip): 9-digit code (prefecture 2 + 7), 7-digit
    医療機関番号, name, postcode, address without the prefecture.

    Parameters
    ----------
    source : path
        The ``.csv`` or the ``.zip`` holding it.
    prefecture : str, int or list, optional
        Keep these prefectures only (name or code).

    Returns
    -------
    pandas.DataFrame
        ``institution_code`` (10 digits: prefecture, 1 for 医科, 医療機関番号,
        as :func:`read_kouseikyoku_todokede` gives), ``pref_code, name,
        postal_code, address, prefecture``, ``institution`` (``hospital``
        when the name says 病院, else ``clinic``: the list gives no beds) and
        ``kind`` (the same), ``line``; the report in ``.attrs["report"]``.
    """
    path = Path(source)
    label = os.fspath(path)
    if not path.exists():
        raise io_error(f"{label}: no such file")
    if path.suffix.lower() == ".zip":
        try:
            with zipfile.ZipFile(path) as z:
                names = [n for n in z.namelist() if n.lower().endswith(".csv")]
                if len(names) != 1:
                    raise format_error(f"{label}: expected one .csv in the zip archive, found "
                                       f"{len(names)}")
                label, data = f"{label}!{names[0]}", read_member(z, names[0], label)
        except zipfile.BadZipFile as e:
            raise format_error(f"{label}: not a zip archive ({e})") from None
    else:
        data = path.read_bytes()
    text, _ = decode(data, label)
    try:
        raw = pd.read_csv(io.StringIO(text), header=None, dtype=str, keep_default_na=False)
    except pd.errors.ParserError as e:
        raise format_error(f"{label}: {e}") from None
    if raw.shape[1] != 5:
        raise format_error(f"{label}: line 1: {raw.shape[1]} fields; expected 5 (医療機関コード 9 "
                           f"digits, 医療機関コード 7 digits, 名称, 郵便番号, 住所)")
    raw.columns = _COLUMNS
    raw["line"] = range(1, len(raw) + 1)
    report = ReadReport(label)
    report.read = len(raw)
    code9 = raw.code9.str.strip()
    ok = code9.str.fullmatch(r"\d{9}") & (code9.str[2:] == raw.number.str.strip())
    ok &= pd.to_numeric(code9.str[:2], errors="coerce").between(1, 47)
    for r in raw[~ok].itertuples():
        report.reject(label, r.line, r.code9, r.name,
                      "not a 9-digit code ending with the 7-digit number", f"{r.code9} / {r.number}")
    raw = raw[ok].copy()
    raw["pref_code"] = code9[ok].str[:2]
    if prefecture is not None:
        from ._common import prefecture_code

        wanted = prefecture if isinstance(prefecture, (list, tuple, set)) else [prefecture]
        raw = raw[raw.pref_code.isin([prefecture_code(p) for p in wanted])]
    raw["institution_code"] = raw.pref_code + "1" + raw.number.str.strip()
    raw["prefecture"] = raw.pref_code.astype(int).map(lambda i: PREFECTURES[i - 1])
    raw["institution"] = raw.name.str.contains("病院").map({True: "hospital", False: "clinic"})
    raw["kind"] = raw.institution
    out = raw[["institution_code", "pref_code", "prefecture", "name", "postal_code", "address",
               "institution", "kind", "line"]].reset_index(drop=True)
    return attach(out, report)
