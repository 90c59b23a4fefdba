# The C floors (issue 12): core < io < geo < model < net < analysis < planning.
# A file under libcoverage/<floor>/ may include headers of its own floor and
# of the floors below it, never of one above; a public header
# include/libcoverage/<h>.h belongs to the floor given below, and may
# likewise include only public headers of its floor or below (and no
# internal header). io/ and core/ hold no GEOS: geometry is built in geo/.
# Every violation is listed with file and line; the test fails on any.
#
#   cmake -DROOT=<source dir> -P tests/c/layers.cmake
#
# The same table is in README.md (Layout) and docs/architecture.md (C floors):
# change the three together.

if(NOT ROOT)
  get_filename_component(ROOT "${CMAKE_CURRENT_LIST_DIR}/../.." ABSOLUTE)
endif()

set(FLOORS core io geo model net analysis planning)

# Public headers and their floors. An unknown public header fails the test,
# so this map is kept up to date. coverage.h is the umbrella header: it
# includes planning.h, so it stands on the top floor.
set(PUBLIC_core core.h export.h version.h)
set(PUBLIC_io table.h mesh.h)
set(PUBLIC_geo)
set(PUBLIC_model regions.h facilities.h demand.h)
set(PUBLIC_net network.h)
set(PUBLIC_analysis analysis.h travel.h)
set(PUBLIC_planning planning.h coverage.h)

# core/ holds the context, which owns the GEOS handle (STYLE.md rule 2):
# these files may name GEOS to create, keep and report through it; no other
# file of core/ or io/ may.
set(GEOS_OWNERS core/internal.h core/ctx.c)

set(errors "")
set(n_errors 0)
macro(violation where what)
  string(APPEND errors "  ${where}: ${what}\n")
  math(EXPR n_errors "${n_errors} + 1")
endmacro()

function(floor_index name out)
  list(FIND FLOORS "${name}" i)
  set(${out} ${i} PARENT_SCOPE)
endfunction()

function(public_floor header out)
  set(found "")
  foreach(f ${FLOORS})
    list(FIND PUBLIC_${f} "${header}" i)
    if(i GREATER -1)
      set(found ${f})
    endif()
  endforeach()
  set(${out} "${found}" PARENT_SCOPE)
endfunction()

# The lines of a file as a list. List syntax is disarmed first: ';' would
# split a line, '[' and ']' stop splitting, a backslash escapes the next
# character. None of them matters for #include lines or for GEOS.
function(read_lines path out)
  file(READ "${path}" text)
  string(REPLACE "\\" "/" text "${text}")
  string(REPLACE ";" "," text "${text}")
  string(REPLACE "[" "(" text "${text}")
  string(REPLACE "]" ")" text "${text}")
  string(REPLACE "\r" "" text "${text}")
  string(REPLACE "\n" ";" text "${text}")
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

# Quoted includes are ours; of the <...> ones only <libcoverage/...> is.
set(INCLUDE_RE "^[ \t]*#[ \t]*include[ \t]*([\"<])([^\">]+)[\">]")

# own: the floor of the file; rel: its name for messages.
macro(check_include rel lineno own target public_file)
  floor_index(${own} _own_i)
  if("${target}" MATCHES "^libcoverage/([^/]+\\.h)$")
    set(_pub ${CMAKE_MATCH_1})
    public_floor(${_pub} _pub_floor)
    if(_pub_floor STREQUAL "")
      violation("${rel}:${lineno}" "includes public header libcoverage/${_pub}, which has no floor in tests/c/layers.cmake: add it to the map")
    else()
      floor_index(${_pub_floor} _pub_i)
      if(_pub_i GREATER _own_i)
        violation("${rel}:${lineno}" "includes libcoverage/${_pub} (floor ${_pub_floor}), above its own floor ${own}")
      endif()
    endif()
  elseif("${target}" MATCHES "^([^/]+)/")
    set(_dir ${CMAKE_MATCH_1})
    floor_index(${_dir} _dir_i)
    if(${public_file})
      violation("${rel}:${lineno}" "public header includes internal header ${target}")
    elseif(_dir_i EQUAL -1)
      violation("${rel}:${lineno}" "includes ${target}, in no floor (floors: ${FLOORS})")
    elseif(_dir_i GREATER _own_i)
      violation("${rel}:${lineno}" "includes ${target} (floor ${_dir}), above its own floor ${own}")
    endif()
  endif()
endmacro()

# ---- libcoverage/<floor>/ ----------------------------------------------------
file(GLOB_RECURSE sources RELATIVE "${ROOT}/libcoverage"
     "${ROOT}/libcoverage/*.c" "${ROOT}/libcoverage/*.h")
list(SORT sources)
list(LENGTH sources n_sources)
if(n_sources EQUAL 0)
  message(FATAL_ERROR "no sources under ${ROOT}/libcoverage")
endif()
foreach(rel ${sources})
  string(REGEX MATCH "^[^/]+" own "${rel}")
  floor_index(${own} own_i)
  if(own_i EQUAL -1 OR NOT rel MATCHES "/")
    violation("libcoverage/${rel}" "lies in no floor (floors: ${FLOORS})")
    continue()
  endif()
  list(FIND GEOS_OWNERS "${rel}" geos_owner)
  set(no_geos OFF)
  if((own STREQUAL "io" OR own STREQUAL "core") AND geos_owner EQUAL -1)
    set(no_geos ON)
  endif()
  read_lines("${ROOT}/libcoverage/${rel}" lines)
  set(lineno 0)
  foreach(line IN LISTS lines)
    math(EXPR lineno "${lineno} + 1")
    if(line MATCHES "${INCLUDE_RE}")
      set(delim "${CMAKE_MATCH_1}")
      set(target "${CMAKE_MATCH_2}")
      if(delim STREQUAL "\"" OR target MATCHES "^libcoverage/")
        check_include("libcoverage/${rel}" ${lineno} ${own} "${target}" OFF)
      endif()
    endif()
    if(no_geos AND line MATCHES "[Gg][Ee][Oo][Ss]")
      violation("libcoverage/${rel}:${lineno}" "mentions GEOS; ${own}/ builds no geometry (geo/ does)")
    endif()
  endforeach()
endforeach()

# ---- include/libcoverage/ ------------------------------------------------------
file(GLOB headers RELATIVE "${ROOT}/include/libcoverage" "${ROOT}/include/libcoverage/*.h")
list(SORT headers)
foreach(h ${headers})
  public_floor(${h} own)
  if(own STREQUAL "")
    violation("include/libcoverage/${h}" "public header with no floor in tests/c/layers.cmake: add it to the map")
    continue()
  endif()
  read_lines("${ROOT}/include/libcoverage/${h}" lines)
  set(lineno 0)
  foreach(line IN LISTS lines)
    math(EXPR lineno "${lineno} + 1")
    if(line MATCHES "${INCLUDE_RE}")
      set(delim "${CMAKE_MATCH_1}")
      set(target "${CMAKE_MATCH_2}")
      if(delim STREQUAL "\"" OR target MATCHES "^libcoverage/")
        check_include("include/libcoverage/${h}" ${lineno} ${own} "${target}" ON)
      endif()
    endif()
  endforeach()
endforeach()

if(n_errors GREATER 0)
  message(FATAL_ERROR "${n_errors} violation(s) of the floors ${FLOORS}:\n${errors}")
endif()
list(LENGTH headers n_headers)
message(STATUS "floors kept: ${n_sources} files under libcoverage/, ${n_headers} public headers")
