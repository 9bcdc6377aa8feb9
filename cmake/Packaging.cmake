# Installing and packaging the hub (included from the top-level CMakeLists.txt).
#
# Components of `cmake --install`:
#   hub       bin/ijro-hub, lib/ijro-hub/plugins/, share/ijro-hub/schemas/ (hub/CMakeLists.txt),
#             share/ijro-hub/examples/ (example configurations), share/man/man1/ijro-hub.1.gz
#   sdk       the plugin SDK: headers and the CMake package (sdk/CMakeLists.txt)
#   testkit   the test kit's library (hub/testkit/CMakeLists.txt)
# and two that only the Debian packages carry, left out of a plain `cmake --install`:
#   deb-hub   /etc/ijro-hub/hub.xml (a conffile), the ijro-hub systemd unit, copyright, changelog
#   deb-dev   copyright and changelog of ijro-hub-dev
#
# `cpack -G DEB` in a build tree packs what that tree built (it builds nothing) into
#   ijro-hub      hub + deb-hub, with packaging/postinst, prerm, postrm
#   ijro-hub-dev  sdk + testkit + deb-dev
# tests/package checks both with lintian and runs the service from the installed files.

set(IJRO_PACKAGE_MAINTAINER "ijro-hub maintainers <maintainers@ijro-hub.example>"
    CACHE STRING "Maintainer field of the Debian packages (name <address>)")

set(packaging_dir ${PROJECT_SOURCE_DIR}/packaging)
set(packaging_out ${PROJECT_BINARY_DIR}/packaging)
file(MAKE_DIRECTORY ${packaging_out})

# The Debian revision comes from the newest entry of packaging/changelog, which must be about
# this version of the project: a release without its changelog entry stops here.
file(STRINGS ${packaging_dir}/changelog changelog_head LIMIT_COUNT 1)
if(NOT changelog_head MATCHES "^ijro-hub \\(([^)-]+)-([^)]+)\\) ")
  message(FATAL_ERROR "packaging/changelog: the first line must read "
                      "\"ijro-hub (VERSION-REVISION) DISTRIBUTION; urgency=...\", not "
                      "\"${changelog_head}\"")
endif()
if(NOT CMAKE_MATCH_1 STREQUAL PROJECT_VERSION)
  message(FATAL_ERROR "packaging/changelog: the newest entry is for ${CMAKE_MATCH_1}, but the "
                      "project is ${PROJECT_VERSION}: add an entry for ${PROJECT_VERSION} at its top")
endif()
set(IJRO_DEBIAN_REVISION ${CMAKE_MATCH_2})

# Compressed as Debian wants (gzip -9n: best compression, no name or time stamp in the header).
configure_file(${packaging_dir}/ijro-hub.1.in ${packaging_out}/ijro-hub.1 @ONLY)
set(compressed "")
foreach(pair "${packaging_out}/ijro-hub.1|ijro-hub.1.gz" "${packaging_dir}/changelog|changelog.Debian.gz")
  string(REPLACE "|" ";" pair "${pair}")
  list(GET pair 0 from)
  list(GET pair 1 to)
  add_custom_command(OUTPUT ${packaging_out}/${to}
    COMMAND gzip -9n -c ${from} > ${packaging_out}/${to}
    DEPENDS ${from}
    COMMENT "Compressing ${to}")
  list(APPEND compressed ${packaging_out}/${to})
endforeach()
add_custom_target(packaging_files ALL DEPENDS ${compressed})

# ---- component hub (the rest of it is in hub/CMakeLists.txt) ----------------------------------
install(FILES ${PROJECT_SOURCE_DIR}/config/hub.xml ${PROJECT_SOURCE_DIR}/config/plugins-example.xml
        DESTINATION share/ijro-hub/examples COMPONENT hub)
install(FILES ${packaging_out}/ijro-hub.1.gz DESTINATION share/man/man1 COMPONENT hub)

# ---- components only the Debian packages carry ------------------------------------------------
# Absolute destinations: cpack installs them below its staging folder (CPACK_SET_DESTDIR).
install(FILES ${packaging_dir}/hub.xml DESTINATION /etc/ijro-hub COMPONENT deb-hub
        EXCLUDE_FROM_ALL)
# /lib/systemd/system, where Debian 12's packages keep their units.
install(FILES ${packaging_dir}/ijro-hub.service DESTINATION /lib/systemd/system
        COMPONENT deb-hub EXCLUDE_FROM_ALL)
foreach(package ijro-hub ijro-hub-dev)
  if(package STREQUAL "ijro-hub")
    set(component deb-hub)
  else()
    set(component deb-dev)
  endif()
  install(FILES ${packaging_dir}/copyright ${packaging_out}/changelog.Debian.gz
          DESTINATION share/doc/${package} COMPONENT ${component} EXCLUDE_FROM_ALL)
  # What lintian may report on the package and why that is accepted.
  install(FILES ${packaging_dir}/lintian/${package} DESTINATION share/lintian/overrides
          COMPONENT ${component} EXCLUDE_FROM_ALL)
endforeach()
file(WRITE ${packaging_out}/conffiles "/etc/ijro-hub/hub.xml\n")

# ---- CPack ------------------------------------------------------------------------------------
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME ijro-hub)
set(CPACK_PACKAGE_VENDOR ijro-hub)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "${IJRO_PACKAGE_MAINTAINER}")
# Relative destinations go below /usr, absolute ones (/etc, /lib/systemd) stay where they are;
# everything lands in cpack's staging folder, never on this machine.
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_GROUPING ONE_PER_GROUP)
set(CPACK_COMPONENTS_ALL hub deb-hub sdk testkit deb-dev)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE ${IJRO_DEBIAN_REVISION})
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${IJRO_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

set(CPACK_DEBIAN_HUB_PACKAGE_NAME ijro-hub)
set(CPACK_DEBIAN_HUB_PACKAGE_SECTION net)
set(CPACK_DEBIAN_HUB_PACKAGE_DEPENDS adduser)
set(CPACK_DEBIAN_HUB_PACKAGE_CONTROL_EXTRA
    ${packaging_out}/conffiles ${packaging_dir}/postinst ${packaging_dir}/prerm
    ${packaging_dir}/postrm)
set(CPACK_DEBIAN_HUB_DESCRIPTION
"integration hub monitoring the execution of government measures
Regional departments and sector systems post status reports on government
measures, or are adapted by plugins; the hub stores every change without loss
or double counting, evaluates execution status (on track, at risk, overdue,
done on time, done late) and publishes a consolidated XML feed.
.
This package holds the ijro-hub binary, its bundled plugins (file_drop,
xml_exchange, spreadsheet, rest_json, sql_query), its sector adapters
(health-fhir, education-oneroster, tax-fiscal) and schemas, and the ijro-hub
systemd service,
which runs as the system user ijro-hub on /etc/ijro-hub/hub.xml with its
store in /var/lib/ijro-hub.")

set(CPACK_DEBIAN_DEV_PACKAGE_NAME ijro-hub-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
# The CMake package finds these for the table readers (IjroHub::tables: libzip through pkg-config,
# libxml2) and the HTTP(S) client (IjroHub::http_client: Boost.URL, OpenSSL); see
# sdk/IjroHubConfig.cmake.in.
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS
    "libzip-dev, libxml2-dev, pkg-config, libboost1.81-dev, libboost-url1.81-dev, libssl-dev")
set(CPACK_DEBIAN_DEV_PACKAGE_RECOMMENDS "cmake, libgtest-dev, libgmock-dev")
set(CPACK_DEBIAN_DEV_PACKAGE_SUGGESTS ijro-hub)
set(CPACK_DEBIAN_DEV_DESCRIPTION
"plugin SDK and test kit for ijro-hub adapters
The plugin SDK of ijro-hub: the versioned C ABI (ijro_plugin.h), the
header-only C++ SDK over it, the table readers (zip with limits, CSV,
XLSX), an HTTP(S) client library for source plugins, the CMake package
(find_package(IjroHub)) and the test kit library, which runs a plugin in the
hub's own plugin host so an adapter's unit tests see it as the hub would.")

include(CPack)
cpack_add_component_group(hub)
cpack_add_component_group(dev)
cpack_add_component(hub GROUP hub)
cpack_add_component(deb-hub GROUP hub)
cpack_add_component(sdk GROUP dev)
cpack_add_component(testkit GROUP dev)
cpack_add_component(deb-dev GROUP dev)
