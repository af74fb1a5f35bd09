// SPDX-License-Identifier: MIT
#include "xbarsim/io/path_guard.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <set>
#include <sstream>
#include <utility>

#include "xbarsim/core/config.hpp"
#include "xbarsim/core/error.hpp"
#include "xbarsim/core/input_file.hpp"

namespace xbarsim::io {
namespace {

struct Input {
  dev_t dev;
  ino_t ino;
  std::filesystem::path path;
};

std::mutex g_mutex;
std::vector<Input> g_inputs;

constexpr std::size_t kMaxDeckFiles = 1000;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

/// The file argument of a `.include`/`.inc`/`.lib <file> <section>` line, or empty.
std::string includedName(const std::string& line) {
  std::istringstream in(line);
  std::string card;
  in >> card;
  card = lower(card);
  const bool include = card.rfind(".inc", 0) == 0;
  if (!include && card != ".lib") return {};
  std::string rest;
  std::getline(in, rest);
  const auto start = rest.find_first_not_of(" \t");
  if (start == std::string::npos) return {};
  rest.erase(0, start);
  std::string name;
  if (rest[0] == '"' || rest[0] == '\'') {
    const auto close = rest.find(rest[0], 1);
    name = rest.substr(1, close == std::string::npos ? std::string::npos : close - 1);
    rest = close == std::string::npos ? std::string() : rest.substr(close + 1);
  } else {
    const auto end = rest.find_first_of(" \t\r");
    name = rest.substr(0, end);
    rest = end == std::string::npos ? std::string() : rest.substr(end);
  }
  if (card == ".lib" && rest.find_first_not_of(" \t\r") == std::string::npos)
    return {};  // `.lib <section>` opens a section of the current file
  return name;
}

/// ngspice's order: the including file's directory, then the working directory.
std::filesystem::path resolveIncluded(const std::string& name, const std::filesystem::path& dir) {
  std::filesystem::path path(name);
  if (name.rfind("~/", 0) == 0) {
    if (const char* home = std::getenv("HOME")) path = std::filesystem::path(home) / name.substr(2);
  }
  if (path.is_absolute()) return path;
  std::error_code ec;
  if (!dir.empty() && std::filesystem::exists(dir / path, ec)) return (dir / path).lexically_normal();
  if (std::filesystem::exists(path, ec)) return path;
  return (dir / path).lexically_normal();
}

bool isRegular(const std::filesystem::path& path, struct stat* st = nullptr) {
  struct stat local {};
  struct stat& s = st != nullptr ? *st : local;
  return ::stat(path.c_str(), &s) == 0 && S_ISREG(s.st_mode);
}

}  // namespace

void registerInput(const std::filesystem::path& path) {
  struct stat st {};
  if (path.empty() || ::stat(path.c_str(), &st) != 0) return;
  const std::lock_guard lock(g_mutex);
  for (const Input& in : g_inputs)
    if (in.dev == st.st_dev && in.ino == st.st_ino) return;
  g_inputs.push_back({st.st_dev, st.st_ino, path});
}

void registerConfigInputs(const core::Config& config) {
  if (!config.sourceName().empty()) registerInput(config.sourceName());
  for (const std::filesystem::path& path : configInputFiles(config)) registerInput(path);
}

void clearRegisteredInputs() {
  const std::lock_guard lock(g_mutex);
  g_inputs.clear();
}

void checkOutputPath(const std::filesystem::path& output) {
  struct stat st {};
  if (::stat(output.c_str(), &st) != 0) return;  // a new path (or a dangling link: replaced)
  if (!S_ISREG(st.st_mode)) {
    const char* kind = S_ISDIR(st.st_mode)    ? "a directory"
                       : S_ISCHR(st.st_mode)  ? "a character device"
                       : S_ISBLK(st.st_mode)  ? "a block device"
                       : S_ISFIFO(st.st_mode) ? "a FIFO"
                       : S_ISSOCK(st.st_mode) ? "a socket"
                                              : "not a regular file";
    throw ConfigError(output.string(), 0, "output",
                      fmt::format("exists and is {}; outputs must be new paths or regular files", kind));
  }
  const std::lock_guard lock(g_mutex);
  for (const Input& in : g_inputs) {
    if (in.dev != st.st_dev || in.ino != st.st_ino) continue;
    const std::string same = in.path == output ? std::string()
                                               : fmt::format(" (the same file as '{}')", in.path.string());
    throw ConfigError(output.string(), 0, "output",
                      fmt::format("is an input of this run{}; refusing to overwrite it, choose another "
                                  "output path",
                                  same));
  }
}

std::vector<std::filesystem::path> configInputFiles(const core::Config& config) {
  std::vector<std::filesystem::path> files;
  const std::filesystem::path base = config.baseDirectory();
  auto relative = [&](const std::string& name) {
    const std::filesystem::path p(name);
    return p.is_relative() ? base / p : p;
  };
  if (config.has("netlist.file"))
    for (auto& f : deckFiles(relative(config.string("netlist.file")))) files.push_back(std::move(f));
  if (config.has("device.conductances")) {
    std::string source = config.string("device.conductances");
    if (const auto colon = source.find(":/"); colon != std::string::npos) source.resize(colon);
    files.push_back(relative(source));
  }
  for (const char* key : {"device.card", "array.selector_card", "array.transistor_card", "dnn.device_card"}) {
    if (!config.has(key)) continue;
    const std::filesystem::path p = relative(config.string(key));
    if (isRegular(p)) files.push_back(p);
  }
  std::erase_if(files, [](const std::filesystem::path& p) {
    std::error_code ec;
    return !std::filesystem::exists(p, ec);
  });
  return files;
}

std::vector<std::filesystem::path> deckFiles(const std::filesystem::path& deck) {
  std::vector<std::filesystem::path> files{deck};
  std::set<std::pair<dev_t, ino_t>> seen;
  for (std::size_t k = 0; k < files.size() && files.size() < kMaxDeckFiles; ++k) {
    struct stat st {};
    if (!isRegular(files[k], &st) || !seen.insert({st.st_dev, st.st_ino}).second) continue;
    std::istringstream in(core::readInputFile(files[k], core::kDeckMaxBytes, "SPICE deck"));
    const std::filesystem::path dir = files[k].parent_path();
    for (std::string line; std::getline(in, line) && files.size() < kMaxDeckFiles;) {
      const std::string name = includedName(line);
      if (!name.empty()) files.push_back(resolveIncluded(name, dir));
    }
  }
  // Each file once (a file included twice is listed at its first place).
  std::vector<std::filesystem::path> unique;
  std::set<std::filesystem::path> names;
  for (auto& f : files)
    if (names.insert(f.lexically_normal()).second) unique.push_back(std::move(f));
  return unique;
}

std::string fileDigest(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return "missing";
  if (!S_ISREG(st.st_mode)) return "not a regular file";
  std::uint64_t a = 0xcbf29ce484222325ULL, b = 0x84222325cbf29ce4ULL;
  constexpr std::uint64_t kPrime = 0x100000001b3ULL;
  // Checked again on the opened file (a FIFO swapped in is refused without blocking), and read
  // no further than its size then: each file's own reader applies its kind's size limit.
  core::readInputBlocks(path, core::kNoSizeLimit, "sweep input", [&](std::string_view block) {
    for (const char c : block) {
      a = (a ^ static_cast<unsigned char>(c)) * kPrime;
      b = (b ^ static_cast<unsigned char>(c)) * kPrime;
    }
  }, /*up_to_opened_size=*/true);
  return fmt::format("{:016x}{:016x}", a, b);
}

}  // namespace xbarsim::io
