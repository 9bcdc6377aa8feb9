# ijro_add_plugin(<target> SOURCES ... [LIBS ...])
# Builds a plugin: a MODULE library (loaded with dlopen, never linked against) named <target>.so,
# compiled with hidden visibility and linked with a version script, so that ijro_plugin_entry is
# the only symbol it exports. The C++ SDK needs C++17; the C header alone needs C99.
set_property(GLOBAL PROPERTY IJRO_PLUGIN_VERSION_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/ijro_plugin.map)

function(ijro_add_plugin target)
  cmake_parse_arguments(P "" "" "SOURCES;LIBS" ${ARGN})
  get_property(version_script GLOBAL PROPERTY IJRO_PLUGIN_VERSION_SCRIPT)
  add_library(${target} MODULE ${P_SOURCES})
  target_link_libraries(${target} PRIVATE IjroHub::plugin_sdk ${P_LIBS})
  target_compile_features(${target} PRIVATE cxx_std_17)
  target_link_options(${target} PRIVATE "LINKER:--version-script=${version_script}")
  set_target_properties(${target} PROPERTIES
    PREFIX ""
    C_VISIBILITY_PRESET hidden
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    LINK_DEPENDS ${version_script})
endfunction()
