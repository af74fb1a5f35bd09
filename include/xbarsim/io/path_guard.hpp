// SPDX-License-Identifier: MIT
#pragma once
/// @file Inputs are never overwritten: the input files of a run, and the check every output
/// makes against them (AtomicFile runs it when it is created and again before it commits).
///
/// An output is refused (ConfigError, exit 1, naming the path) when it exists and is not a
/// regular file (a device such as /dev/null, a FIFO, a directory), or when it is the same file
/// as an input: same device and inode, symbolic links followed, so hard links, symbolic links
/// and `./a/../c.toml` spellings are all caught.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace xbarsim::core {
class Config;
}

namespace xbarsim::io {

/// Declares `path` an input of this process (a path that does not exist is ignored). Safe to
/// call from several threads.
void registerInput(const std::filesystem::path& path);

/// Declares every file of configInputFiles(config) an input.
void registerConfigInputs(const core::Config& config);

/// @throws ConfigError naming `output` (and the input it would replace) if the output exists
/// and is not a regular file, or is the same file as a registered input.
void checkOutputPath(const std::filesystem::path& output);

/// Forgets the registered inputs (tests).
void clearRegisteredInputs();

/// The files a configuration's results depend on, as paths relative to the working directory:
/// `netlist.file` with every file it includes (deckFiles), `device.conductances` (without its
/// `:/dataset` suffix), and the card keys (`device.card`, `array.selector_card`,
/// `array.transistor_card`, `dnn.device_card`) when they name an existing file. Missing files
/// are left out (their readers report them).
[[nodiscard]] std::vector<std::filesystem::path> configInputFiles(const core::Config& config);

/// A SPICE deck and, recursively, every file it pulls in with `.include`/`.inc` or
/// `.lib <file> <section>` (a whole library file counts, whatever section is used). A relative
/// name is resolved as ngspice does: against the directory of the file that names it, then
/// against the working directory. The deck comes first; each file once (by inode); files that do
/// not exist or are not regular files are listed but not opened; one above core::kDeckMaxBytes
/// is refused (ConfigError naming it). At most 1000 files.
[[nodiscard]] std::vector<std::filesystem::path> deckFiles(const std::filesystem::path& deck);

/// FNV-1a (64 bit, two seeds) of a regular file's bytes, as 32 hex digits, read in blocks
/// (core::readInputBlocks: checked on the opened file, never beyond its size when opened);
/// "missing" or "not a regular file" for anything else. @throws ConfigError naming the file
/// if it cannot be read or grows while it is read.
[[nodiscard]] std::string fileDigest(const std::filesystem::path& path);

}  // namespace xbarsim::io
