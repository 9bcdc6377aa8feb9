# Installing the hub (included from the top-level CMakeLists.txt).
#
# Components of `cmake --install`:
#   hub       bin/ijro-hub, lib/ijro-hub/plugins/, share/ijro-hub/schemas/ (hub/CMakeLists.txt),
#             share/ijro-hub/examples/ (example configurations), share/man/man1/ijro-hub.1.gz
#   sdk       the plugin SDK: headers and the CMake package (sdk/CMakeLists.txt)
#   testkit   the test kit's library (hub/testkit/CMakeLists.txt)

set(packaging_dir ${PROJECT_SOURCE_DIR}/packaging)
set(packaging_out ${PROJECT_BINARY_DIR}/packaging)
file(MAKE_DIRECTORY ${packaging_out})

# Compressed as Debian wants (gzip -9n: best compression, no name or time stamp in the header).
configure_file(${packaging_dir}/ijro-hub.1.in ${packaging_out}/ijro-hub.1 @ONLY)
add_custom_command(OUTPUT ${packaging_out}/ijro-hub.1.gz
  COMMAND gzip -9n -c ${packaging_out}/ijro-hub.1 > ${packaging_out}/ijro-hub.1.gz
  DEPENDS ${packaging_out}/ijro-hub.1
  COMMENT "Compressing ijro-hub.1.gz")
add_custom_target(packaging_files ALL DEPENDS ${packaging_out}/ijro-hub.1.gz)

# ---- component hub (the rest of it is in hub/CMakeLists.txt) ----------------------------------
install(FILES ${PROJECT_SOURCE_DIR}/config/hub.xml ${PROJECT_SOURCE_DIR}/config/plugins-example.xml
        DESTINATION share/ijro-hub/examples COMPONENT hub)
install(FILES ${packaging_out}/ijro-hub.1.gz DESTINATION share/man/man1 COMPONENT hub)
