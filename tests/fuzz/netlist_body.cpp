// SPDX-License-Identifier: MIT
// Fuzz body: netlist generator round trip. A crossbar built from the fuzz bytes is written as a
// deck; every element value must read back to exactly the double it came from, and every name
// must be unique.
#include <charconv>
#include <cmath>
#include <cstring>
#include <set>
#include <sstream>
#include <string>

#include "fuzz_bodies.hpp"
#include "xbarsim/circuit/sense_tia.hpp"
#include "xbarsim/circuit/crossbar_netlist.hpp"
#include "xbarsim/core/error.hpp"

namespace xbarsim::fuzz {
namespace {

/// Reads doubles from the fuzz bytes (raw bit patterns: NaN, inf, denormals all occur).
struct Bytes {
  const std::uint8_t* data;
  std::size_t size;
  std::size_t at = 0;
  double real() {
    double x = 0;
    if (at + sizeof x <= size) std::memcpy(&x, data + at, sizeof x);
    at += sizeof x;
    return x;
  }
  std::uint8_t byte() { return at < size ? data[at++] : 0; }
};

double parse(const std::string& text) {
  double x = 0;
  const auto r = std::from_chars(text.data(), text.data() + text.size(), x);
  if (r.ec != std::errc() || r.ptr != text.data() + text.size())
    violated("netlist: a value does not parse as a number");
  return x;
}

}  // namespace

void fuzzNetlist(const std::uint8_t* data, std::size_t size) {
  Bytes in{data, size};
  circuit::CrossbarSpec spec;
  spec.rows = 1 + in.byte() % 6;
  spec.cols = 1 + in.byte() % 6;
  const std::uint8_t flags = in.byte();
  spec.r_row_ohm = (flags & 1) ? std::abs(in.real()) : 0.0;
  spec.r_col_ohm = (flags & 2) ? std::abs(in.real()) : 0.0;
  spec.r_driver_ohm = (flags & 4) ? std::abs(in.real()) : 0.0;
  if (flags & 8) spec.iv = {device::IvKind::Sinh, in.real()};
  if (flags & 16) spec.sense = circuit::makeTia({});
  spec.g_s.resize(spec.rows, spec.cols);
  for (Eigen::Index k = 0; k < spec.g_s.size(); ++k) spec.g_s.data()[k] = in.real();
  std::string deck;
  try {
    deck = circuit::crossbarNetlist(spec, {});
  } catch (const Error&) {
    return;  // invalid spec (negative, NaN, ...) is refused: fine
  }
  // Round trip: each linear cell's value is exactly 1/G; names are unique.
  std::istringstream lines(deck);
  std::set<std::string> names;
  bool in_block = false;  // a .subckt definition or the .control script: not elements
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == '*' || line[0] == '+') continue;
    if (line.rfind(".subckt", 0) == 0 || line.rfind(".control", 0) == 0) in_block = true;
    if (line.rfind(".ends", 0) == 0 || line.rfind(".endc", 0) == 0) in_block = false;
    if (line[0] == '.' || in_block) continue;
    std::istringstream fields(line);
    std::string name, a, b, value;
    fields >> name >> a >> b >> value;
    if (!names.insert(name).second) violated("netlist: duplicate element name");
    if (name.rfind("rcell", 0) == 0) {
      int i = 0, j = 0;
      if (std::sscanf(name.c_str(), "rcell%d_%d", &i, &j) != 2)
        violated("netlist: malformed cell name");
      if (parse(value) != 1.0 / spec.g_s(i, j)) violated("netlist: cell value changed");
    }
    if (name.rfind("rrow", 0) == 0 && parse(value) != spec.r_row_ohm)
      violated("netlist: row wire value changed");
    if (name.rfind("rcol", 0) == 0 && parse(value) != spec.r_col_ohm)
      violated("netlist: column wire value changed");
  }
}

}  // namespace xbarsim::fuzz
