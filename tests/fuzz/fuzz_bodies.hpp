// SPDX-License-Identifier: MIT
#pragma once
/// @file The bodies of the libFuzzer targets, shared by the fuzz entry points (fuzz_<target>.cpp,
/// clang only) and the regression test (tests/unit/fuzz), which feeds every file of
/// tests/fuzz/corpus/<target>/ and tests/fuzz/regressions/<target>/ through the same body in the
/// normal build.
///
/// A body returns normally when the input was accepted or refused with xbarsim::Error. A
/// broken promise (a reader accepted what it must refuse, a round trip changed a value) calls
/// violated(), which aborts; any other exception escapes to the caller. Both are bugs.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>

#include <unistd.h>

namespace xbarsim::fuzz {

/// The TOML configuration loader and the crossbar built from it.
void fuzzConfig(const std::uint8_t* data, std::size_t size);
/// The CSV matrix reader.
void fuzzCsv(const std::uint8_t* data, std::size_t size);
/// The netlist generator round trip (crossbar spec from the bytes, deck, values read back).
void fuzzNetlist(const std::uint8_t* data, std::size_t size);
/// The model file reader (dnn::loadNetwork), structure-aware: the bytes describe a model that is
/// written as a valid HDF5 file and read back.
void fuzzModel(const std::uint8_t* data, std::size_t size);
/// The ONNX importer (dnn::importOnnx) on raw bytes; what it accepts must survive export + import.
void fuzzOnnx(const std::uint8_t* data, std::size_t size);

/// User decks (extract::readUserDeck): include/lib expansion, .control removal, names.
void fuzzDeck(const std::uint8_t* data, std::size_t size);

/// A file in the temporary directory named after the body, the process and `tag`, removed when
/// it goes out of scope.
struct TempFile {
  std::filesystem::path path;
  TempFile(const char* body, const char* tag, const char* extension)
      : path(std::filesystem::temp_directory_path() /
             ("xbarsim_fuzz_" + std::string(body) + "_" + std::to_string(::getpid()) + "_" + tag +
              extension)) {}
  ~TempFile() {
    std::error_code ec;
    std::filesystem::remove(path, ec);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
};

/// Reports a broken promise and aborts (the fuzzer records the input as a crash).
[[noreturn]] inline void violated(const char* what) {
  std::fprintf(stderr, "xbarsim fuzz: %s\n", what);
  std::abort();
}

}  // namespace xbarsim::fuzz
