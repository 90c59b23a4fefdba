"""The report a prefecture can publish, and the TOML configuration that
describes it (``zaitaku report CONFIG``).

- :mod:`~zaitaku.report.schema`: every key of the configuration
  (:data:`SCHEMA`) and :class:`ConfigError`;
- :mod:`~zaitaku.report.validation`: :func:`load_config`, :func:`loads_config`;
- :mod:`~zaitaku.report.build`: the inputs it names read through zaitaku's
  readers and the analysis from the one builder (:func:`build_analysis`);
- :mod:`~zaitaku.report.tables`: tables with Japanese headings, CSV and Excel;
- :mod:`~zaitaku.report.sections`: policy checks, clusters, designation,
  sites and road coverage;
- :mod:`~zaitaku.report.html`: :func:`build_report`, the self-contained HTML.

Examples
--------
>>> from zaitaku.report import SCHEMA
>>> SCHEMA["analysis"]["radius"][1], SCHEMA["travel"]["model"][1]
('16km', 'straight_line')
"""
from .build import build_analysis, build_network, effective_radius_m, read_facility_sources
from .context import SECTIONS, ReportContext, ReportResult, Section, register_section
from .html import build_report, build_report_from_config
from .schema import SCHEMA, ConfigError, register_feature
from .validation import load_config, loads_config, planning_settings

__all__ = ["build_report", "build_report_from_config", "Section", "ReportContext",
           "ReportResult", "register_section", "SECTIONS", "load_config", "loads_config",
           "planning_settings", "ConfigError", "SCHEMA", "build_analysis", "build_network",
           "read_facility_sources", "effective_radius_m", "register_feature"]
