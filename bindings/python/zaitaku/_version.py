"""zaitaku's release version (the C library's is :data:`zaitaku.libcoverage_version`)."""
__version__ = "0.2.0"
