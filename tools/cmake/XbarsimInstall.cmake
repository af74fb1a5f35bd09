# Installation: the module libraries, the public headers and a CMake package, so that a C++
# user writes find_package(xbarsim) and links xbarsim::xbarsim (examples/weff). Every module is
# exported as xbarsim::<module>; the same names are ALIAS targets in this build.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(XBARSIM_MODULES core device io circuit spice extract dnn sweep)

# xbarsim::xbarsim, all modules (the build name `xbarsim` is the program).
add_library(xbarsim_library INTERFACE)
set_target_properties(xbarsim_library PROPERTIES EXPORT_NAME xbarsim)
add_library(xbarsim::xbarsim ALIAS xbarsim_library)
set(_xbarsim_export_targets xbarsim_library xbarsim_warnings)
foreach(module IN LISTS XBARSIM_MODULES)
  set_target_properties(xbarsim_${module} PROPERTIES EXPORT_NAME ${module})
  add_library(xbarsim::${module} ALIAS xbarsim_${module})
  target_link_libraries(xbarsim_library INTERFACE xbarsim_${module})
  list(APPEND _xbarsim_export_targets xbarsim_${module})
endforeach()

install(TARGETS ${_xbarsim_export_targets} EXPORT xbarsimTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/xbarsim DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.hpp")
# The program (its demo finds data/models in the source tree, or XBARSIM_DATA_DIR).
install(TARGETS xbarsim RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

set(XBARSIM_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/xbarsim)
install(EXPORT xbarsimTargets NAMESPACE xbarsim:: DESTINATION ${XBARSIM_CMAKE_DIR})
# OpenMP is a public dependency of the dnn module only when this build found it.
if(TARGET OpenMP::OpenMP_CXX)
  set(XBARSIM_CONFIG_OPENMP TRUE)
else()
  set(XBARSIM_CONFIG_OPENMP FALSE)
endif()
configure_package_config_file(${PROJECT_SOURCE_DIR}/tools/cmake/xbarsimConfig.cmake.in
  ${PROJECT_BINARY_DIR}/xbarsimConfig.cmake INSTALL_DESTINATION ${XBARSIM_CMAKE_DIR})
# 0.x: a minor version may break the interface.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/xbarsimConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/xbarsimConfig.cmake
  ${PROJECT_BINARY_DIR}/xbarsimConfigVersion.cmake DESTINATION ${XBARSIM_CMAKE_DIR})
