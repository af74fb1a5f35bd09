# Warnings as an interface target, linked PRIVATE by every project target.
add_library(xbarsim_warnings INTERFACE)
target_compile_options(xbarsim_warnings INTERFACE
  -Wall -Wextra -Wshadow -Wnon-virtual-dtor -Woverloaded-virtual -Wpedantic
  -Wno-missing-field-initializers  # designated initializers leave defaults on purpose
  $<$<BOOL:${XBARSIM_WERROR}>:-Werror>)
