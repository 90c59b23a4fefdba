"""Readers for official Japanese data, as users download it.

Each reader is one call, detects the text encoding (CP932, UTF-8 with or
without BOM), names the file, line and column of any error, and attaches a
:class:`ReadReport` (rows read, kept, rejected with reasons) to its result
as ``result.attrs["report"]``, with a :class:`zaitaku.CoverageWarning` when
rows were rejected. Results feed :func:`zaitaku.read_regions`,
:func:`zaitaku.read_facilities` and :func:`zaitaku.read_demand`.

=================================  =============================================
国土数値情報 N03 municipalities     :func:`read_n03`, :func:`regions_by`
国土数値情報 A38 医療圏              :func:`read_a38`, :func:`a38_nesting`
nesting tables                     :func:`read_nesting`, :func:`hokkaido_nesting`
e-Stat 地域メッシュ統計 population   :func:`read_estat_mesh`
医療情報ネット facilities            :func:`read_iryojoho_facilities`
介護サービス情報公表 (訪問看護)       :func:`read_kaigo_facilities`
any lon/lat CSV                    :func:`read_facility_csv`
地方厚生局 届出受理 (在支診/在支病)   :func:`read_kouseikyoku_todokede`,
                                   :func:`match_facilities`
保険医療機関 code lists (clinics)    :func:`read_med_inst_codes`
offline geocoding (Geolonia towns)  :func:`read_geolonia_towns`, :func:`locate_addresses`,
                                   :func:`locate_facilities`
located in one call                 :func:`read_home_care_doctors` (届出 list),
                                   :func:`read_clinics` (code list)
構想区域別の医療需要推計 (2040)        :func:`read_demand_forecast`
=================================  =============================================

Examples
--------
>>> from zaitaku import official
>>> official.shien_kind("支援診１"), official.normalize_address("函館市港町１丁目１０番１号")
('enhanced_single', '函館市港町1-10-1')
"""
from ._common import ReadReport, detect_encoding
from ._facilities import (read_facility_csv, read_iryojoho_facilities,
                                   read_kaigo_facilities)
from ._clinics import read_med_inst_codes
from ._forecast import read_demand_forecast
from ._geocode import (CONFIDENCE, address_key, locate_addresses, locate_facilities,
                                read_geolonia_towns)
from ._located import read_clinics, read_home_care_doctors
from ._kouseikyoku import HOME_CARE_ATTRIBUTES, era_date, read_kouseikyoku_todokede
from ._matching import METHODS, match_facilities, name_keys, normalize_address, shien_kind
from ._mesh import read_estat_mesh
from ._regions import (a38_nesting, hokkaido_nesting, nesting_levels, read_a38, read_n03,
                                read_nesting, regions_by)

__all__ = [
    "ReadReport", "detect_encoding", "read_n03", "read_a38", "a38_nesting", "read_nesting",
    "hokkaido_nesting", "nesting_levels", "regions_by", "read_estat_mesh", "read_iryojoho_facilities",
    "read_kaigo_facilities", "read_facility_csv", "read_kouseikyoku_todokede",
    "match_facilities", "name_keys", "normalize_address", "shien_kind", "METHODS",
    "HOME_CARE_ATTRIBUTES", "era_date", "read_geolonia_towns", "locate_addresses",
    "locate_facilities", "address_key", "CONFIDENCE", "read_med_inst_codes",
    "read_home_care_doctors", "read_clinics", "read_demand_forecast",
]
