# Finds SOCI 4 with its SQLite and PostgreSQL backends for the sql-query plugin when its folder
# is built on its own (Debian's libsoci-dev installs no CMake package). Defines the imported
# targets SOCI::core, SOCI::sqlite3 and SOCI::postgresql (the hub's tree defines the same names,
# and then this file is not used). Hints: SOCI_ROOT, or CMAKE_PREFIX_PATH.
find_path(SOCI_INCLUDE_DIR NAMES soci/soci.h)
find_library(SOCI_CORE_LIBRARY NAMES soci_core)
find_library(SOCI_SQLITE3_LIBRARY NAMES soci_sqlite3)
find_library(SOCI_POSTGRESQL_LIBRARY NAMES soci_postgresql)
# soci-postgresql.h includes libpq-fe.h, which Debian keeps under include/postgresql.
find_path(SOCI_LIBPQ_INCLUDE_DIR NAMES libpq-fe.h PATH_SUFFIXES postgresql)

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(
  SOCI REQUIRED_VARS SOCI_INCLUDE_DIR SOCI_CORE_LIBRARY SOCI_SQLITE3_LIBRARY
                     SOCI_POSTGRESQL_LIBRARY SOCI_LIBPQ_INCLUDE_DIR
  REASON_FAILURE_MESSAGE "install SOCI with its SQLite and PostgreSQL backends (Debian: libsoci-dev libpq-dev)")

if(SOCI_FOUND AND NOT TARGET SOCI::core)
  add_library(SOCI::core UNKNOWN IMPORTED)
  set_target_properties(SOCI::core PROPERTIES
    IMPORTED_LOCATION "${SOCI_CORE_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${SOCI_INCLUDE_DIR};${SOCI_LIBPQ_INCLUDE_DIR}"
    INTERFACE_LINK_LIBRARIES "${CMAKE_DL_LIBS}")
  foreach(backend sqlite3 postgresql)
    string(TOUPPER ${backend} upper)
    add_library(SOCI::${backend} UNKNOWN IMPORTED)
    set_target_properties(SOCI::${backend} PROPERTIES
      IMPORTED_LOCATION "${SOCI_${upper}_LIBRARY}"
      INTERFACE_LINK_LIBRARIES SOCI::core)
  endforeach()
endif()
mark_as_advanced(SOCI_INCLUDE_DIR SOCI_CORE_LIBRARY SOCI_SQLITE3_LIBRARY SOCI_POSTGRESQL_LIBRARY
                 SOCI_LIBPQ_INCLUDE_DIR)
