"""``zaitaku compare A B`` (issue 18, "No view of change"): two runs'
outputs side by side (see :func:`zaitaku.compare`): compare.csv,
compare_cells.csv, compare_runs.csv and a difference map per kind, and a
short summary per kind on the terminal."""
import argparse
import os
from pathlib import Path

from ..analysis.compare import compare
from ..kinds import DOCTOR_AND_NURSING
from .common import _aligned, _check_out, _kinds, _say, add_headers_option, percent

SUMMARY_KINDS = ("doctor_any", "nursing", "doctor_and_nursing")


def _names(text):
    names = [n.strip() for n in text.split(",")]
    if len(names) != 2 or not all(names) or names[0] == names[1]:
        raise argparse.ArgumentTypeError("give two different names, e.g. 2025,2040")
    return names


def add_compare_command(commands, common):
    """The ``compare`` command's parser."""
    p = commands.add_parser(
        "compare", parents=[common], formatter_class=argparse.RawDescriptionHelpFormatter,
        help="two runs side by side: differences per area and kind, and a map",
        description="""\
Compares two runs written by 'zaitaku coverage' (or Analysis.save; a report
folder gives its tables/coverage.csv, without units or map): this year and
last, 2025 and 2040, summer and winter, plan A and plan B. Writes
DIR/compare.csv (per area and kind, and "all": both runs and B minus A),
DIR/compare_cells.csv (per demand unit and kind: covered in A, in B, gained
or lost), DIR/compare_runs.csv (what each run measured, and what differs)
and DIR/compare_KIND.png (units gained green, lost red).""",
        epilog="""\
example:
  zaitaku coverage ... --radius 16km --out run16
  zaitaku coverage ... --radius 10km --out run10
  zaitaku compare run16 run10 --names 16km,10km --out diff""")
    p.add_argument("a", metavar="A", type=Path, help="folder of the first run (the base)")
    p.add_argument("b", metavar="B", type=Path, help="folder of the second run")
    p.add_argument("--out", metavar="DIR", type=Path, required=True,
                   help="folder for the outputs (made when missing)")
    p.add_argument("--names", metavar="A,B", type=_names,
                   help="names of the runs (column suffixes), e.g. 2025,2040 (default: "
                        "their scenario labels, else the folders' names)")
    p.add_argument("--kind", metavar="K1,K2", type=_kinds,
                   help=f"kinds mapped and summarised (default: {DOCTOR_AND_NURSING} mapped; "
                        f"{', '.join(SUMMARY_KINDS)} summarised)")
    p.add_argument("--no-map", action="store_true", help="do not draw the maps")
    add_headers_option(p)
    p.set_defaults(run=run_compare)


def run_compare(args):
    _check_out(args.out)
    for option, folder in (("A", args.a), ("B", args.b)):
        if not folder.exists():
            raise FileNotFoundError(f"{option} {folder}: does not exist")
    cmp = compare(args.a, args.b, names=args.names)
    kinds = args.kind
    if kinds is not None:
        present = set(cmp.table.kind)
        unknown = [k for k in kinds if k not in present]
        if unknown:
            raise ValueError(f"--kind {', '.join(unknown)}: in neither run (kinds: "
                             f"{', '.join(dict.fromkeys(cmp.table.kind))})")
        mapped = [k for k in kinds if k in cmp.map_kinds()]
        if not args.no_map and len(mapped) < len(kinds):
            missing = [k for k in kinds if k not in mapped]
            raise ValueError(f"--kind {', '.join(missing)}: no units of it in both runs to map"
                             + ("" if cmp.cells is not None else " (no reach.csv)")
                             + "; use --no-map for the tables only")
    else:
        mapped = [DOCTOR_AND_NURSING] if DOCTOR_AND_NURSING in cmp.map_kinds() else []
    if not args.no_map and mapped:
        os.environ.setdefault("MPLBACKEND", "Agg")  # files only; never a window
    written = cmp.save(args.out, kinds=mapped, maps=not args.no_map, headers=args.headers)
    a, b = cmp.names
    print(f"{a} -> {b}: share of demand within reach, all areas")
    for line in summary_lines(cmp, kinds or SUMMARY_KINDS):
        print("  " + line)
    for note in cmp.notes:
        _say("note", note)
    print("Wrote:")
    for line in _aligned([(p, _DESCRIBE.get(Path(p).name, _MAP)) for p in written]):
        print("  " + line)
    return 0


_DESCRIBE = {"compare.csv": "per area and kind (and all areas): both runs and B minus A",
             "compare_cells.csv": "per demand unit and kind: covered in A, in B, gained or lost",
             "compare_runs.csv": "what each run measured, and what differs between them"}
_MAP = "map: demand units gained (green) and lost (red)"


def summary_lines(cmp, kinds):
    """One line per kind: share covered a -> b, the change in demand
    covered, units (and demand, when known) gained and lost."""
    a, b = cmp.names
    s = cmp.summary(kinds)
    lines = []
    for _, r in s.iterrows():
        text = (f"{r.kind}: {percent(r[f'share_covered_{a}'])}% -> "
                f"{percent(r[f'share_covered_{b}'])}%, covered {_signed(r.change_demand_covered)}")
        if "n_gained" in s.columns:
            text += f"; units gained {r.n_gained:,}, lost {r.n_lost:,}"
            if r.demand_gained == r.demand_gained and r.demand_lost == r.demand_lost:
                text += f" (demand +{_number(r.demand_gained)}, -{_number(r.demand_lost)})"
        lines.append(text)
    return lines


def _number(value):
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _signed(value):
    if value != value:
        return "n/a"
    return ("+" if value >= 0 else "-") + _number(abs(value))
