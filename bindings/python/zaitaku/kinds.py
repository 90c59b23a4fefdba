"""The vocabulary both sides share: the derived kinds, the Japanese names
of facility kinds, and the words of the 24-hour flag.

libcoverage defines the derived kinds (``COV_KIND_DOCTOR_ANY``,
``COV_KIND_DOCTOR_AND_NURSING``) and reads the 24-hour flag of facility
files (``libcoverage/analysis/facility_attrs.c``); this module mirrors them
for facilities made from a DataFrame, and ``tests/python/test_layers.py``
checks that the two agree.
"""

#: Derived kinds of coverage tables: any doctor kind, and a doctor AND a
#: visiting nurse within reach.
DOCTOR_ANY = "doctor_any"
DOCTOR_AND_NURSING = "doctor_and_nursing"

#: Japanese names of facility kinds and derived kinds, for labels.
KIND_NAMES = {
    "enhanced_single": "機能強化型在支診（単独型）",
    "enhanced_network": "機能強化型在支診（連携型）",
    "zaishin": "在支診",
    "zaibyo": "在支病",
    "backup_hospital": "後方支援病院",
    "nursing": "訪問看護ステーション",
    "hospital": "病院",
    "clinic": "診療所",
    DOCTOR_ANY: "いずれかの医師",
    DOCTOR_AND_NURSING: "医師と訪問看護の両方",
}

#: Words of the 24-hour flag (compared without case), as libcoverage's
#: facility reader takes them; an empty cell is unknown.
H24_YES = ("1", "true", "yes", "y", "t", "○", "有", "あり", "24h")
H24_NO = ("0", "false", "no", "n", "f", "×", "無", "なし", "-")


def kind_name(kind):
    """A kind's Japanese name, or the kind itself.

    Examples
    --------
    >>> kind_name("nursing"), kind_name("dentist")
    ('訪問看護ステーション', 'dentist')
    """
    return KIND_NAMES.get(kind, kind)


def h24_flag(text):
    """The 24-hour flag a cell's text says: 1, 0, -1 (empty: unknown), or
    None when it is not a flag.

    Examples
    --------
    >>> [h24_flag(t) for t in ("○", " Yes ", "無", "", "maybe")]
    [1, 1, 0, -1, None]
    """
    text = str(text).strip().lower()
    if text == "":
        return -1
    if text in H24_YES:
        return 1
    if text in H24_NO:
        return 0
    return None
