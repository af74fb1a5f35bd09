# Turns a text file into a C++ source defining a std::string_view in xbarsim::device::detail
# (devices/*.lib and devices/*.toml are compiled into the library, so an installed xbarsim
# needs no source tree; the files in devices/ stay the readable originals).
file(READ ${INPUT} CONTENT)
file(WRITE ${OUTPUT} "// Generated from ${INPUT}; do not edit.\n#include <string_view>\nnamespace xbarsim::device::detail {\nextern const std::string_view ${SYMBOL};\nconst std::string_view ${SYMBOL} = R\"xbarsim_embed(${CONTENT})xbarsim_embed\";\n}\n")
