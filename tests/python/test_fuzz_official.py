"""The fuzz targets of the official-data readers (tests/fuzz/fuzz_official.py):
their seed corpus is what make_corpus.py writes, every input in it is read or
refused with one of zaitaku's errors (so a fault the fuzzer found and we
fixed stays fixed; no atheris needed), and the faults found have their exact
outcomes here."""
import sys
import warnings
from pathlib import Path

import pytest

from zaitaku import official
from zaitaku.errors import FileFormatError

FUZZ = Path(__file__).resolve().parents[1] / "fuzz"
sys.path.insert(0, str(FUZZ))
import fuzz_official  # noqa: E402

SEEDS = fuzz_official.seeds()


@pytest.mark.parametrize("target", sorted(SEEDS))
def test_corpus_is_what_make_corpus_writes(target):
    folder = FUZZ / "corpus" / target
    written = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert written == SEEDS[target], "rerun tests/fuzz/make_corpus.py"


@pytest.mark.parametrize("target", sorted(SEEDS))
def test_corpus_replays_without_a_fault(target):
    for name, data in SEEDS[target].items():
        fuzz_official.one_input(target, data)  # raises on anything but zaitaku's errors


def _file(name, tmp_path):
    data = SEEDS["fuzz_kouseikyoku"][name]
    tmp_path.mkdir(parents=True, exist_ok=True)
    return fuzz_official._kouseikyoku_file(data[0], data[1:], str(tmp_path))


def _read(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return official.read_kouseikyoku_todokede(path)


def test_every_seed_reads_the_same_institutions(tmp_path):
    """The workbook, its CSV twin and the sheet that openpyxl must read (a
    number among the cells) give the seed's two home-care institutions:
    支援診１ -> enhanced_single clinic, （支援病３） -> zaibyo hospital."""
    for name in ("mode0_xlsx", "mode5_csv", "mode6_numeric_sheet", "found_short_rows"):
        t = _read(_file(name, tmp_path / name))
        assert t[["institution_code", "kind", "institution"]].values.tolist() == [
            ["0110110001", "enhanced_single", "clinic"], ["0110110002", "zaibyo", "hospital"]], name


def test_sheet_whose_last_column_is_empty_in_every_row(tmp_path):
    """Found by fuzz_kouseikyoku: with 算定開始年月日 empty in every data row
    the fast reader's rows are shorter than the header and the reader died
    with KeyError 9. The dates are empty, the rest read."""
    t = _read(_file("found_short_rows", tmp_path))
    assert t.kind_since.tolist() == ["", ""]
    assert t.name.tolist() == ["北のクリニック", "みなと病院"]


def test_workbook_in_an_unknown_encoding(tmp_path):
    """Found by fuzz_kouseikyoku: an XML declaration naming an encoding Python
    does not know escaped as LookupError."""
    path = _file("found_unknown_encoding", tmp_path)
    with pytest.raises(FileFormatError, match=r"todokede\.xlsx: cannot be read as an xlsx "
                                              r"workbook \(unknown encoding: UTF-9\)"):
        _read(path)


def test_cell_beyond_the_last_excel_column(tmp_path):
    """A cell reference past XFD would make the fast reader build a row of
    billions of cells: refused, naming the sheet and the cell."""
    path = _file("found_beyond_xfd", tmp_path)
    with pytest.raises(FileFormatError, match=r"sheet '届出', cell ZZZZZZZ5: beyond Excel's last "
                                              r"column XFD"):
        _read(path)


def test_estat_seeds_read_as_published(tmp_path):
    """The e-Stat seed in a zip, plain, and zipped whole: four cells, the
    merged one's total kept and its ages unknown (NaN), '-' read as 0."""
    for name in ("mode0_zip_member", "mode1_txt", "mode2_zip"):
        data = SEEDS["fuzz_estat_mesh"][name]
        (tmp_path / name).mkdir()
        path = fuzz_official._estat_file(data[0], data[1:], str(tmp_path / name))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            people = official.read_estat_mesh(path)
        assert people.mesh_code.tolist() == ["644142001", "644142002", "644142003", "644142004"]
        assert people.total.tolist() == [120, 15, 4, 1002]
        assert people.age75.fillna(-1).tolist() == [21, 0, -1, 160]
        assert people.merged_into.tolist() == ["", "", "644142002", ""]
