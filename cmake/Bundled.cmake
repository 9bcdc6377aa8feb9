# ijro_bundle(<folder> <target> <option> <description>)
# A plugin or adapter the hub ships (plugins/, adapters/): built behind the option <option> (ON by
# default) from <folder>, whose CMakeLists.txt defines the plugin target <target>. Bundled targets
# are collected in the global property IJRO_BUNDLED_PLUGINS: building the hub builds them, and
# they are installed beside it (hub/CMakeLists.txt). Their libraries land in lib/ijro-hub/plugins
# of the build tree (CMAKE_LIBRARY_OUTPUT_DIRECTORY, set by the top-level CMakeLists.txt), where the
# uninstalled binary finds them by bare name.
function(ijro_bundle folder target option description)
  option(${option} "${description}" ON)
  if(${option})
    add_subdirectory(${folder})
    if(NOT TARGET ${target})
      message(FATAL_ERROR "${CMAKE_CURRENT_SOURCE_DIR}/${folder} defines no target ${target}")
    endif()
    set_property(GLOBAL APPEND PROPERTY IJRO_BUNDLED_PLUGINS ${target})
  endif()
endfunction()
