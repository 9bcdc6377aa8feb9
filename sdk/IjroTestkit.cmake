# ijro_add_plugin_test(<target> SOURCES ... [PLUGIN <plugin target>] [LIBS ...])
# A GoogleTest executable for a plugin's unit tests, linked with IjroHub::testkit, GoogleTest and
# GoogleMock (with main), each TEST registered with ctest. PLUGIN: the test depends on that
# plugin target and gets its path as the string macro IJRO_PLUGIN_PATH.
function(ijro_add_plugin_test target)
  cmake_parse_arguments(T "" "PLUGIN" "SOURCES;LIBS" ${ARGN})
  if(NOT TARGET GTest::gtest_main OR NOT TARGET GTest::gmock)
    find_package(GTest REQUIRED)
  endif()
  include(GoogleTest)
  add_executable(${target} ${T_SOURCES})
  target_link_libraries(${target} PRIVATE IjroHub::testkit ${T_LIBS} GTest::gmock GTest::gtest
                                          GTest::gtest_main)
  if(T_PLUGIN)
    target_compile_definitions(${target} PRIVATE IJRO_PLUGIN_PATH="$<TARGET_FILE:${T_PLUGIN}>")
    add_dependencies(${target} ${T_PLUGIN})
  endif()
  gtest_discover_tests(${target} DISCOVERY_TIMEOUT 60)
endfunction()
