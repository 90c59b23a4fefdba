#!/usr/bin/env python3
"""Writes the seed corpus of the fuzz targets, tests/fuzz/corpus/<target>/,
from data/sample (ours, fictional) and from shapes written here. Standard
library only; deterministic, so rerunning it changes nothing.

Usage: tests/fuzz/make_corpus.py [OUT_DIR]   (default tests/fuzz/corpus)
"""
import csv
import io
import pathlib
import shutil
import struct
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample"
SEP = b"\n#%%PART%%#\n"  # FUZZ_SEP of fuzz_util.h


# ---- shapefiles --------------------------------------------------------------

def read_shp(path):
    """Records of a polygon or point shapefile as (type, parts, points)."""
    data = path.read_bytes()
    out, off = [], 100
    while off < len(data):
        _, clen = struct.unpack(">ii", data[off:off + 8])
        rec = data[off + 8:off + 8 + 2 * clen]
        off += 8 + 2 * clen
        (t,) = struct.unpack("<i", rec[:4])
        if t == 5:
            npart, npts = struct.unpack("<ii", rec[36:44])
            parts = list(struct.unpack(f"<{npart}i", rec[44:44 + 4 * npart]))
            xy = struct.unpack(f"<{2 * npts}d", rec[44 + 4 * npart:44 + 4 * npart + 16 * npts])
            out.append((t, parts, list(zip(xy[0::2], xy[1::2]))))
    return out


def shp_record(t, parts, pts):
    if t == 0:
        return struct.pack("<i", 0)
    if t == 1:
        return struct.pack("<idd", 1, *pts[0])
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    body = struct.pack("<i4d2i", t, min(xs), min(ys), max(xs), max(ys), len(parts), len(pts))
    body += struct.pack(f"<{len(parts)}i", *parts)
    body += b"".join(struct.pack("<2d", *p) for p in pts)
    return body


def write_shp(shape_type, records):
    """(.shp, .shx) bytes for records [(type, parts, points)]."""
    bodies = [shp_record(*r) for r in records]
    pts = [p for r in records for p in r[2]] or [(0.0, 0.0)]
    bbox = (min(p[0] for p in pts), min(p[1] for p in pts),
            max(p[0] for p in pts), max(p[1] for p in pts))

    def header(total_bytes):
        return (struct.pack(">7i", 9994, 0, 0, 0, 0, 0, total_bytes // 2)
                + struct.pack("<2i", 1000, shape_type) + struct.pack("<8d", *bbox, 0, 0, 0, 0))

    shp, shx, off = b"", b"", 100
    for i, b in enumerate(bodies):
        shp += struct.pack(">2i", i + 1, len(b) // 2) + b
        shx += struct.pack(">2i", off // 2, len(b) // 2)
        off += 8 + len(b)
    return header(100 + len(shp)) + shp, header(100 + len(shx)) + shx


def write_dbf(fields, rows, ldid=0):
    """dBASE III bytes; fields [(name, type, width, decimals)], rows of
    byte strings or numbers."""
    rec_len = 1 + sum(f[2] for f in fields)
    head_len = 32 + 32 * len(fields) + 1
    out = struct.pack("<4BIHH17xB2x", 3, 124, 1, 1, len(rows), head_len, rec_len, ldid)
    for name, typ, width, dec in fields:
        out += struct.pack("<11sc4xBB14x", name.encode(), typ.encode(), width, dec)
    out += b"\r"
    for row in rows:
        out += b" "
        for (name, typ, width, dec), v in zip(fields, row):
            if typ == "C":
                b = v if isinstance(v, bytes) else str(v).encode()
                out += b[:width].ljust(width, b" ")
            else:
                out += (b"" if v is None else f"{v:.{dec}f}".encode()).rjust(width, b" ")[:width]
    return out + b"\x1a"


def joined(*parts):
    return SEP.join(parts)


# ---- seeds -------------------------------------------------------------------

def sample_rows(name, n):
    with open(SAMPLE / name, encoding="utf-8", newline="") as f:
        return list(csv.reader(f))[: n + 1]


def shapefile_seeds():
    munis = read_shp(SAMPLE / "municipalities.shp")
    dbf_rows = [r for r in sample_rows("areas.csv", 20)[1:]]
    mfields = [("muni_code", "C", 5, 0), ("muni_name", "C", 40, 0)]

    def names(enc, k):
        return [(row[0].encode(), row[2].encode(enc)) for row in dbf_rows[:k]]

    seeds = {}
    # two municipalities of the sample; the small one (record 7) and the first
    shp, shx = write_shp(5, [munis[7], munis[10]])
    seeds["polygons_utf8"] = joined(shp, shx, write_dbf(mfields, names("utf-8", 2)), b"UTF-8")
    seeds["polygons_cp932_ldid"] = joined(shp, shx, write_dbf(mfields, names("cp932", 2), 0x13))
    seeds["polygons_cp932_scan"] = joined(shp, shx, write_dbf(mfields, names("cp932", 2)))
    # a square with a hole, a bow-tie, and a second part of the same id
    sq = [(140.0, 40.0), (140.0, 40.1), (140.1, 40.1), (140.1, 40.0), (140.0, 40.0)]
    hole = [(140.02, 40.02), (140.08, 40.02), (140.08, 40.08), (140.02, 40.08), (140.02, 40.02)]
    bow = [(141.0, 40.0), (141.1, 40.1), (141.1, 40.0), (141.0, 40.1), (141.0, 40.0)]
    far = [(142.0, 41.0), (142.0, 41.1), (142.1, 41.1), (142.1, 41.0), (142.0, 41.0)]
    recs = [(5, [0, 5], sq + hole), (5, [0], bow), (5, [0], far), (0, [], [])]
    shp, shx = write_shp(5, recs)
    rows = [(b"99901", "四角".encode()), (b"99902", b"bowtie"), (b"99901", b""), (b"99903", b"")]
    seeds["polygons_hole_bowtie_null"] = joined(shp, shx, write_dbf(mfields, rows), b"UTF-8")
    # points: three facilities of the sample
    fac = sample_rows("facilities.csv", 3)[1:]
    shp, shx = write_shp(1, [(1, [], [(float(r[4]), float(r[5]))]) for r in fac])
    ffields = [("id", "C", 8, 0), ("name", "C", 60, 0), ("kind", "C", 20, 0),
               ("capacity", "N", 10, 2)]
    frows = [(r[0], r[1].encode(), r[2], float(r[3])) for r in fac]
    seeds["points_utf8"] = joined(shp, shx, write_dbf(ffields, frows), b"UTF-8")
    frows932 = [(r[0], r[1].encode("cp932"), r[2], None) for r in fac]
    seeds["points_cp932"] = joined(shp, shx, write_dbf(ffields, frows932, 0x13))
    # harden3: 50 copies of one ring, 20 overlapping shifted squares, and a
    # record the .dbf marks deleted (text with spaces at both ends)
    copies = [(5, [5 * i for i in range(50)], sq * 50)]
    shifted = [(140.5 + 1e-5 * i, 40.0 + 1e-5 * i) for i in range(20)]
    stairs = [p for x, y in shifted
              for p in [(x, y), (x, y + 0.01), (x + 0.01, y + 0.01), (x + 0.01, y), (x, y)]]
    recs = copies + [(5, [5 * i for i in range(20)], stairs), (5, [0], far)]
    shp, shx = write_shp(5, recs)
    rows = [(b"99901", b"copies"), (b"99902", b"  stairs  "), (b"99903", b"deleted")]
    dbf = bytearray(write_dbf(mfields, rows))
    head_len, rec_len = struct.unpack("<HH", dbf[8:12])
    dbf[head_len + 2 * rec_len] = ord("*")
    seeds["polygons_copies_shifted_deleted"] = joined(shp, shx, bytes(dbf), b"UTF-8")
    return seeds, munis


def dbf_seeds(shape_seeds):
    seeds = {}
    for name, data in shape_seeds.items():
        parts = data.split(SEP)
        seeds[name] = joined(*parts[2:])  # .dbf [SEP .cpg]
    dbf = shape_seeds["polygons_cp932_scan"].split(SEP)[2]
    for cpg in (b"932", b"SJIS", b"CP1252", b"ANSI 1252", b"88591"):
        seeds["cpg_" + cpg.decode().replace(" ", "_")] = joined(dbf, cpg)
    # harden3 (found by fuzz_dbf_encoding): a .cpg "UTF-8" padded with blanks
    # and a DOS end-of-file byte, before CP932 bytes; glibc's iconv took the
    # name and copied the invalid bytes through
    seeds["cpg_utf8_padded_eof"] = joined(dbf, b"UTF-8" + b" " * 20 + b"\x1a")
    return seeds


def mesh_seeds():
    codes = [r[0] for r in sample_rows("population_mesh1km.csv", 3)[1:]]
    c = codes[0]
    more = [c[:4], c[:6], c, c + "1", c + "14", "5339", "533946", "53394611", "533946112",
            "5339461123", "6841", "3036"]
    return {f"code_{i}": s.encode() for i, s in enumerate(dict.fromkeys(codes + more))}


def csv_text(rows, enc="utf-8", eol="\n", bom=False, quote=csv.QUOTE_MINIMAL):
    buf = io.StringIO()
    csv.writer(buf, lineterminator=eol, quoting=quote).writerows(rows)
    return (b"\xef\xbb\xbf" if bom else b"") + buf.getvalue().encode(enc)


def csv_seeds():
    fac = sample_rows("facilities.csv", 4)
    mesh = sample_rows("population_mesh1km.csv", 4)
    return {
        "facilities": csv_text(fac),
        "facilities_cp932_crlf": csv_text(fac, "cp932", "\r\n"),
        "facilities_bom_quoted": csv_text(fac, bom=True, quote=csv.QUOTE_ALL),
        "mesh": csv_text(mesh),
        "mesh_no_header": csv_text(mesh[1:]),
        # harden3: totals that overflow, a code inside another, a swapped point
        "mesh_overflow_nested": csv_text([mesh[0], ["53394611", "1.7e308", "1"],
                                          ["53394612", "1.7e308", "1"],
                                          ["533946111", "1", "1"]]),
        "points_swapped_huge": csv_text([fac[0][:6], ["P1", "x", "k", "1e308", "139.7", "35.6"],
                                         ["P2", "y", "k", "1e308", "35.6", "139.7"]]),
    }


def wkb_polygon(rings, big=False, srid=None):
    e = ">" if big else "<"
    t = 3 | (0x20000000 if srid is not None else 0)
    out = bytes([0 if big else 1])
    out += struct.pack(f"{e}I", t)
    if srid is not None:
        out += struct.pack(f"{e}I", srid)
    out += struct.pack(f"{e}I", len(rings))
    for ring in rings:
        out += struct.pack(f"{e}I", len(ring)) + b"".join(struct.pack(f"{e}2d", *p) for p in ring)
    return out


def wkb_seeds(munis):
    def rings(rec):
        _, parts, pts = rec
        bounds = parts + [len(pts)]
        return [pts[bounds[i]:bounds[i + 1]] for i in range(len(parts))]

    sq = [(140.0, 40.0), (140.1, 40.0), (140.1, 40.1), (140.0, 40.1), (140.0, 40.0)]
    sq2 = [(140.1, 40.0), (140.2, 40.0), (140.2, 40.1), (140.1, 40.1), (140.1, 40.0)]
    multi = bytes([1]) + struct.pack("<II", 6, 2) + wkb_polygon([sq]) + wkb_polygon([sq2])
    return {
        "sample_polygons": joined(wkb_polygon(rings(munis[7])), wkb_polygon(rings(munis[10]))),
        "squares_shared_edge": joined(wkb_polygon([sq]), wkb_polygon([sq2]), wkb_polygon([sq])),
        "multipolygon": multi,
        "big_endian_ewkb": joined(wkb_polygon([sq], big=True, srid=6668), wkb_polygon([sq2])),
        # harden3: overlapping shifted squares in one multipolygon (minutes in
        # GEOSMakeValid before) and a hole crossing its shell
        "overlapping_shifted": bytes([1]) + struct.pack("<II", 6, 30) + b"".join(
            wkb_polygon([[(x + 1e-5 * i, y + 1e-5 * i) for x, y in sq]]) for i in range(30)),
        "hole_crossing_shell": wkb_polygon([sq, [(140.05, 40.02), (140.05, 40.05),
                                                 (140.15, 40.05), (140.15, 40.02),
                                                 (140.05, 40.02)]]),
    }


def wkb_line(pts, big=False):
    e = ">" if big else "<"
    out = bytes([0 if big else 1]) + struct.pack(f"{e}II", 2, len(pts))
    return out + b"".join(struct.pack(f"{e}2d", *q) for q in pts)


def grid_lines(n=4, step=0.002, lon0=141.35, lat0=43.06):
    """An n x n street grid near Sapporo: n rows and n columns, each a
    line of n vertices (interior crossings are shared vertices)."""
    rows = [[(lon0 + i * step, lat0 + j * step) for i in range(n)] for j in range(n)]
    cols = [[(lon0 + i * step, lat0 + j * step) for j in range(n)] for i in range(n)]
    return rows + cols


def net_header(source, tolerance=1, min_nodes=0, time=0, winter=0, threshold=4, snap=4, probes=0):
    """The 4 header bytes of fuzz_network; the numbers index its tables
    (tolerance 1: 1 m, 0-7; threshold 4: 2000; snap 4: 1000 m)."""
    return bytes([source, (tolerance & 3) | min_nodes << 2 | (tolerance >> 2) << 4,
                  time | winter << 1 | threshold << 2 | snap << 5, probes])


def network_seeds():
    """fuzz_network: 4 header bytes (source, options, travel, probes; see
    fuzz_network.c), then WKB entries [attribute byte][WKB] or a shapefile."""
    lines = grid_lines()
    seeds = {}
    # attribute byte: oneway bits 0-1, class bits 2-4, maxspeed bits 5-7
    attrs = [0x00, 0x09, 0x0E, 0x10 | 0x60, 0x0C | 0x80, 0x14, 0x18 | 0x40, 0x1C]
    entries = [bytes([a]) + wkb_line(l) for a, l in zip(attrs, lines)]
    seeds["wkb_grid"] = net_header(0, probes=0x37) + joined(*entries)
    seeds["wkb_grid_time_winter"] = net_header(0, min_nodes=1, time=1, winter=1, threshold=5,
                                                   probes=0x99) + joined(*entries)
    multi = bytes([1]) + struct.pack("<II", 5, 2) + wkb_line(lines[0]) + wkb_line(lines[5], True)
    gap = [(141.40, 43.06), (141.40, 43.06)]  # zero-length line
    seeds["wkb_multi_zero_length"] = net_header(0, tolerance=2, threshold=3, probes=1) + joined(
        bytes([0x00]) + multi, bytes([0x01]) + wkb_line(lines[1]), bytes([0]) + wkb_line(gap))
    seeds["wkb_far_components"] = net_header(0, min_nodes=1, threshold=6, snap=3, probes=0x70) + joined(
        bytes([0]) + wkb_line(lines[0]), bytes([0]) + wkb_line([(142.0, 44.0), (142.01, 44.0)]))
    # a closed line: one node, one edge that starts and ends there
    ring = [(141.35, 43.06), (141.36, 43.06), (141.36, 43.07), (141.35, 43.06)]
    seeds["wkb_loop"] = net_header(0, threshold=5, probes=0x88) + bytes([0]) + wkb_line(ring)
    # shapefile: polylines with and without a .dbf of Geofabrik fields
    shp, shx = write_shp(3, [(3, [0], l) for l in lines])
    fields = [("fclass", "C", 20, 0), ("oneway", "C", 1, 0), ("maxspeed", "N", 5, 0)]
    kinds = ["primary", "residential", "motorway", "service", "track", "unclassified",
             "secondary", "tertiary"]
    rows = [(k, "FTB"[i % 3], [0, 40, 60, 0, 30, 0, 50, 20][i]) for i, k in enumerate(kinds)]
    seeds["shp_grid_dbf"] = net_header(1, time=1, probes=0x37) + joined(shp, shx,
                                                                      write_dbf(fields, rows))
    seeds["shp_grid_no_dbf"] = net_header(3, tolerance=0, time=1, winter=1, snap=5, probes=0x12) + joined(shp, shx)
    multi_shp, multi_shx = write_shp(3, [(3, [0, 4], lines[2] + lines[6]), (0, [], [])])
    seeds["shp_multipart_null"] = net_header(1, tolerance=0) + joined(
        multi_shp, multi_shx, write_dbf(fields, rows[:2]))
    # harden3: a tolerance below the accepted range (1e-9 m overflowed the
    # grid's cell key) and the smallest accepted (1 mm)
    seeds["wkb_grid_tiny_tolerance"] = net_header(0, tolerance=4, probes=0x37) + joined(*entries)
    seeds["wkb_grid_1mm_tolerance"] = net_header(0, tolerance=5, probes=0x37) + joined(*entries)
    return seeds


def main():
    out = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "tests" / "fuzz" / "corpus"
    shapes, munis = shapefile_seeds()
    targets = {
        "fuzz_shapefile": shapes,
        "fuzz_dbf_encoding": dbf_seeds(shapes),
        "fuzz_mesh": mesh_seeds(),
        "fuzz_csv": csv_seeds(),
        "fuzz_wkb": wkb_seeds(munis),
        "fuzz_network": network_seeds(),
    }
    sys.path.insert(0, str(pathlib.Path(__file__).parent))
    import fuzz_official  # the Python targets (atheris) keep their seeds beside their code

    targets.update(fuzz_official.seeds())
    for target, seeds in targets.items():
        d = out / target
        if d.exists():
            shutil.rmtree(d)
        d.mkdir(parents=True)
        for name, data in seeds.items():
            (d / name).write_bytes(data)
        print(f"{d}: {len(seeds)} seeds, {sum(map(len, seeds.values()))} bytes")


if __name__ == "__main__":
    main()
