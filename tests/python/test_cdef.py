"""The cffi cdef (bindings/python/zaitaku/_cdef.h) against the public headers
(include/libcoverage/*.h), compile-free: the same functions, the same enum
values, the same prototypes and struct members.

cffi in API mode checks at build time that what the cdef declares exists
with a compatible type, but not that the cdef declares *everything*: a
function added to a header and forgotten in the cdef, or an enum value
renumbered in one place only, goes unnoticed until somebody needs it.
"""
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEADERS = sorted((ROOT / "include" / "libcoverage").glob("*.h"))
CDEF = ROOT / "bindings" / "python" / "zaitaku" / "_cdef.h"


def _strip_comments(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return re.sub(r"//[^\n]*", " ", text)


def _normalise(decl):
    """A declaration with one space between words and none around
    punctuation, so that line breaks and alignment do not matter."""
    decl = re.sub(r"\s+", " ", decl).strip()
    return re.sub(r"\s*([(),*;\[\]])\s*", r"\1", decl)


def _header_text():
    return {h.name: _strip_comments(h.read_text(encoding="utf-8")) for h in HEADERS}


def _cdef_text():
    return _strip_comments(CDEF.read_text(encoding="utf-8"))


# -- functions ---------------------------------------------------------------

_API_DECL = re.compile(r"\bCOV_API\s+([^;{}#]*?\b(cov_\w+)\s*\([^;{}]*\))\s*;", re.S)


def header_functions():
    """name -> normalised prototype (without COV_API) of every COV_API
    function of the headers."""
    out = {}
    for name, text in _header_text().items():
        for m in _API_DECL.finditer(text):
            assert m.group(2) not in out, f"{m.group(2)} declared twice ({name})"
            out[m.group(2)] = _normalise(m.group(1))
    return out


def cdef_functions():
    """name -> normalised prototype of every function the cdef declares
    (typedefs, enums, structs and extern "Python" callbacks left out)."""
    text = _cdef_text()
    text = re.sub(r"\b(?:typedef\s+)?(?:struct|enum)\s+\w*\s*\{.*?\}\s*\w*\s*;", " ", text, flags=re.S)
    out = {}
    for stmt in text.split(";"):
        stmt = stmt.strip()
        if not stmt or stmt.startswith("typedef") or stmt.startswith('extern "Python"'):
            continue
        m = re.search(r"\b(cov_\w+)\s*\(", stmt)
        assert m, f"unexpected statement in the cdef: {stmt!r}"
        assert m.group(1) not in out, f"{m.group(1)} declared twice in the cdef"
        out[m.group(1)] = _normalise(stmt)
    return out


def test_parsers_find_the_api():
    """The regexes really see the API (a parser that finds nothing would
    make the comparisons below pass vacuously)."""
    h, c = header_functions(), cdef_functions()
    assert len(h) >= 70, sorted(h)  # 78 when written
    for name in ("cov_ctx_create", "cov_version_number", "cov_mesh_decode",
                 "cov_analysis_gaps", "cov_geodesic_distance_m", "cov_table_write_shp"):
        assert name in h and name in c
    # every COV_API in the text was parsed (none hidden by an odd layout)
    n_api = sum(len(re.findall(r"\bCOV_API\b", t)) for n, t in _header_text().items()
                if n != "export.h")
    assert n_api == len(h)


def test_every_public_function_is_in_the_cdef():
    missing = sorted(set(header_functions()) - set(cdef_functions()))
    assert not missing, f"COV_API functions missing from _cdef.h: {missing}"


def test_the_cdef_declares_only_public_functions():
    extra = sorted(set(cdef_functions()) - set(header_functions()))
    assert not extra, f"_cdef.h declares functions that are not COV_API: {extra}"


def test_prototypes_match():
    h, c = header_functions(), cdef_functions()
    differ = {name: (h[name], c[name]) for name in set(h) & set(c) if h[name] != c[name]}
    assert not differ, "prototypes differ (header, cdef):\n" + "\n".join(
        f"  {a}\n  {b}" for a, b in differ.values())


# -- enums -------------------------------------------------------------------

_ENUM_BLOCK = re.compile(r"\benum\s+(\w+)\s*\{(.*?)\}", re.S)
_ENUM_MEMBER = re.compile(r"\b(COV_\w+)\s*=\s*(-?\d+)")


def header_enums():
    """enum name -> {member: value}, cov_status from core.h's
    COV_STATUS_MAP X-macro table."""
    texts = _header_text()
    # the X-macro table: backslash-continued lines of XX(NAME, value, "...")
    core = HEADERS[0].parent.joinpath("core.h").read_text(encoding="utf-8")
    table = re.search(r"#define\s+COV_STATUS_MAP\(XX\)((?:[^\n]*\\\n)*[^\n]*)", core).group(1)
    status = {f"COV_{n}": int(v) for n, v in re.findall(r"XX\(\s*(\w+)\s*,\s*(-?\d+)\s*,\s*\"", table)}
    out = {"cov_status": status}
    for name, text in texts.items():
        for m in _ENUM_BLOCK.finditer(text):
            if m.group(1) == "cov_status":
                continue  # generated from the table above
            out[m.group(1)] = {k: int(v) for k, v in _ENUM_MEMBER.findall(m.group(2))}
    return out


def cdef_enums():
    return {m.group(1): {k: int(v) for k, v in _ENUM_MEMBER.findall(m.group(2))}
            for m in _ENUM_BLOCK.finditer(_cdef_text())}


def test_status_table_parsed():
    status = header_enums()["cov_status"]
    # the bands documented in core.h
    assert status["COV_OK"] == 0
    assert status["COV_ERR_IO"] == 100 and status["COV_ERR_CRS"] == 200
    assert status["COV_ERR_INTERNAL"] == 900
    assert len(status) == len(re.findall(r"^\s*XX\(", (HEADERS[0].parent / "core.h").read_text(),
                                         flags=re.M))


def test_enums_match():
    h, c = header_enums(), cdef_enums()
    assert len(h) >= 8
    assert sorted(h) == sorted(c), "enum types differ"
    for name in h:
        assert c[name] == h[name], f"enum {name}: cdef {c[name]} != header {h[name]}"


def test_enum_values_as_compiled():
    """The values the compiled module reports agree with the headers (cffi
    API mode would refuse to build with a wrong value; this also catches a
    stale extension)."""
    from zaitaku._libcoverage import lib

    for members in header_enums().values():
        for member, value in members.items():
            assert getattr(lib, member) == value, member


def test_status_names_and_python_errors_cover_the_table():
    """Every error status has a name in the library and a Python exception
    class of its own (not the catch-all CoverageError)."""
    from zaitaku import errors
    from zaitaku._libcoverage import ffi, lib

    for member, value in header_enums()["cov_status"].items():
        assert ffi.string(lib.cov_status_name(value)).decode() == member
        if member != "COV_OK":
            cls = type(errors.error_for(member, value, "x"))
            assert cls is not errors.CoverageError, member


# -- structs -----------------------------------------------------------------

_STRUCT = re.compile(r"typedef\s+struct\s+(\w+)\s*\{(.*?)\}\s*\w+\s*;", re.S)


def _members(body):
    return [_normalise(m) for m in body.split(";") if m.strip()]


@pytest.mark.parametrize("struct", ["cov_mesh_cell", "cov_facility_fields",
                                    "cov_analysis_options"])
def test_struct_members_match(struct):
    headers = {}
    for text in _header_text().values():
        headers.update({m.group(1): _members(m.group(2)) for m in _STRUCT.finditer(text)})
    cdef = {m.group(1): _members(m.group(2)) for m in _STRUCT.finditer(_cdef_text())}
    assert struct in headers and struct in cdef
    assert cdef[struct] == headers[struct]
