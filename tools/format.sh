#!/usr/bin/env bash
# Formats the C++ sources with clang-format and the repository's .clang-format.
# Usage: tools/format.sh            format src/ include/ tests/ tools/ examples/ in place
#        tools/format.sh --check    list the files that differ; exit 1 if any does
# CLANG_FORMAT overrides the program (default: clang-format; Debian package clang-format).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

check=0
case "${1:-}" in
  --check) check=1 ;;
  "") ;;
  *) echo "usage: tools/format.sh [--check]" >&2; exit 2 ;;
esac

clang_format=${CLANG_FORMAT:-clang-format}
if ! command -v "$clang_format" >/dev/null; then
  echo "format: $clang_format not found (tools/setup.sh installs the clang-format package)" >&2
  exit 2
fi

# Tracked and new (untracked, not ignored) files, so a check sees work not yet committed.
mapfile -t files < <(git ls-files --cached --others --exclude-standard -- \
  'src/*.cpp' 'src/*.hpp' 'include/*.hpp' 'tests/*.cpp' 'tests/*.hpp' \
  'tools/*.cpp' 'tools/*.hpp' 'examples/*.cpp' 'examples/*.hpp' | sort -u)

if ((check == 0)); then
  ((${#files[@]})) && "$clang_format" -i --style=file "${files[@]}"
  exit 0
fi

differ=()
for file in "${files[@]}"; do
  [[ -f $file ]] || continue
  if ! "$clang_format" --style=file "$file" | cmp -s - "$file"; then
    differ+=("$file")
  fi
done
if ((${#differ[@]})); then
  printf '%s\n' "${differ[@]}"
  echo "format: ${#differ[@]} file(s) differ from .clang-format (run tools/format.sh)" >&2
  exit 1
fi
echo "format: ${#files[@]} files match .clang-format" >&2
