# Warnings as an interface target, linked PRIVATE by every project target. The options apply to
# this build only (BUILD_INTERFACE): the installed package exports the target because static
# libraries name their private dependencies, but a consumer never gets xbarsim's warning flags.
# XBARSIM_WERROR=ON (the `ci` preset) turns every warning into an error.
add_library(xbarsim_warnings INTERFACE)
set_target_properties(xbarsim_warnings PROPERTIES EXPORT_NAME warnings)
target_compile_options(xbarsim_warnings INTERFACE
  $<BUILD_INTERFACE:-Wall;-Wextra;-Wshadow;-Wnon-virtual-dtor;-Woverloaded-virtual;-Wpedantic>
  # designated initializers leave defaults on purpose
  $<BUILD_INTERFACE:-Wno-missing-field-initializers>
  $<BUILD_INTERFACE:$<$<BOOL:${XBARSIM_WERROR}>:-Werror>>
  # GCC 12 reports a false -Wrestrict inside libstdc++ for `"literal" + std::string` at -O2
  # (GCC bug 105651; later GCC releases do not): still shown, never fatal.
  $<BUILD_INTERFACE:$<$<AND:$<BOOL:${XBARSIM_WERROR}>,$<CXX_COMPILER_ID:GNU>,$<VERSION_LESS:$<CXX_COMPILER_VERSION>,13>>:-Wno-error=restrict>>)
