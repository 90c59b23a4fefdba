/*
 * libcoverage: how far home-care doctors and visiting nurses reach across
 * Japan's home-medical-care areas. The umbrella header; each part is
 * documented in its own header.
 */
#ifndef LIBCOVERAGE_COVERAGE_H
#define LIBCOVERAGE_COVERAGE_H

#include "libcoverage/core.h"
#include "libcoverage/mesh.h"
#include "libcoverage/table.h"
#include "libcoverage/regions.h"
#include "libcoverage/facilities.h"
#include "libcoverage/demand.h"
#include "libcoverage/analysis.h"
#include "libcoverage/network.h"
#include "libcoverage/planning.h"

#endif /* LIBCOVERAGE_COVERAGE_H */
