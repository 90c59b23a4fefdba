"""The analysis: reach, coverage, service areas and gaps
(:class:`~zaitaku.analysis.core.Analysis`), and the one way to build one
from files (:func:`~zaitaku.analysis.build.build_analysis`), which the
command line and the report configuration both use."""
from ..kinds import DOCTOR_AND_NURSING, DOCTOR_ANY
from .core import Analysis
from .forecast import compare_coverage

__all__ = ["Analysis", "DOCTOR_ANY", "DOCTOR_AND_NURSING", "compare_coverage"]
