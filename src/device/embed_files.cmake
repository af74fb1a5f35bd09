# Turns the text files given in FILES (separated by |) into one C++ source defining the table
# xbarsim::device::detail::embeddedFiles() of {file name, text}: devices/*.lib and devices/*.toml
# are compiled into the library, so an installed xbarsim needs no source tree and a new model's
# files are found by name (the files in devices/ stay the readable originals).
set(body "")
string(REPLACE "|" ";" FILES "${FILES}")
foreach(file IN LISTS FILES)
  file(READ ${file} content)
  get_filename_component(name ${file} NAME)
  string(APPEND body "    {\"${name}\", R\"xbarsim_embed(${content})xbarsim_embed\"},\n")
endforeach()
file(WRITE ${OUTPUT}.tmp "// Generated from devices/; do not edit.\n#include \"embedded_text.hpp\"\nnamespace xbarsim::device::detail {\nconst std::vector<EmbeddedFile>& embeddedFiles() {\n  static const std::vector<EmbeddedFile> files = {\n${body}  };\n  return files;\n}\n}  // namespace xbarsim::device::detail\n")
file(COPY_FILE ${OUTPUT}.tmp ${OUTPUT} ONLY_IF_DIFFERENT)
