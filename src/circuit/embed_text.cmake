# Turns a text file into a C++ source defining a std::string_view (used for netlists/*.lib so
# that generated decks inline the exact subcircuit text a designer can read in netlists/).
file(READ ${INPUT} CONTENT)
file(WRITE ${OUTPUT} "// Generated from ${INPUT}; do not edit.\n#include <string_view>\nnamespace xbarsim::circuit::detail {\nextern const std::string_view ${SYMBOL};\nconst std::string_view ${SYMBOL} = R\"xbarsim_embed(${CONTENT})xbarsim_embed\";\n}\n")
