// SPDX-License-Identifier: MIT
#pragma once
// Cross-validation helper: writes a crossbar deck of its own (independent of the project's
// netlist generator), runs the standalone `ngspice -b`, and reads the wrdata tables back.

#include <fmt/format.h>

#include <Eigen/Core>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <unistd.h>
#include <vector>

#include "temp_dir.hpp"
#include "xbarsim/circuit/sense_tia.hpp"
#include "xbarsim/circuit/crossbar_spec.hpp"
#include "xbarsim/circuit/native_transient.hpp"

namespace xbarsim::test {

inline std::string num(double x) { return fmt::format("{:.17g}", x); }

/// Element lines of the canonical crossbar; rows driven by sources vi<i> (dc 0 unless
/// `dc_inputs`), ideal sense = 0 V sources vo<j> (i(vo<j>) = I_j), TIA = behavioural output
/// source + feedback resistor with a 0 V ammeter vm<j> (i(vm<j>) = I_j).
inline std::string crossbarElements(const circuit::CrossbarSpec& s, const Eigen::VectorXd& dc_inputs) {
  std::ostringstream d;
  const auto R = s.rows, C = s.cols;
  for (Eigen::Index i = 0; i < R; ++i) {
    d << fmt::format("vi{} s{} 0 dc {}\n", i, i, num(dc_inputs.size() ? dc_inputs[i] : 0.0));
    if (s.r_driver_ohm > 0) d << fmt::format("rd{} s{} d{} {}\n", i, i, i, num(s.r_driver_ohm));
    else d << fmt::format("vd{} s{} d{} dc 0\n", i, i, i);
    for (Eigen::Index j = 0; j < C; ++j) {
      const std::string from = j == 0 ? fmt::format("d{}", i) : fmt::format("r{}_{}", i, j - 1);
      d << fmt::format("rr{}_{} {} r{}_{} {}\n", i, j, from, i, j, num(s.r_row_ohm));
    }
  }
  for (Eigen::Index j = 0; j < C; ++j) {
    for (Eigen::Index i = 1; i < R; ++i)
      d << fmt::format("rc{}_{} c{}_{} c{}_{} {}\n", i, j, i - 1, j, i, j, num(s.r_col_ohm));
    d << fmt::format("rco{} c{}_{} out{} {}\n", j, R - 1, j, j, num(s.r_col_ohm));
    const auto* tia = dynamic_cast<const circuit::TiaAmp*>(s.sense.get());
    if (tia == nullptr) {
      d << fmt::format("vo{} out{} 0 dc 0\n", j, j);
    } else {
      const circuit::TiaSpec& t = tia->spec();
      d << fmt::format("vm{} out{} m{} dc 0\n", j, j, j);
      d << fmt::format("rf{} m{} o{} {}\n", j, j, j, num(t.r_feedback_ohm));
      d << fmt::format("bo{} o{} 0 v={}*tanh({}*({}-v(out{}))/{})\n", j, j, num(t.rail_v),
                       num(t.open_loop_gain), num(t.offset_v), j, num(t.rail_v));
      // From a 0 V start a high-gain tanh saturates and ngspice's op fails: start at the offset.
      d << fmt::format(".nodeset v(out{})={}\n", j, num(t.offset_v));
    }
  }
  for (Eigen::Index i = 0; i < R; ++i)
    for (Eigen::Index j = 0; j < C; ++j) {
      const double g = s.g_s(i, j);
      if (s.iv.isLinear())
        d << fmt::format("rx{}_{} r{}_{} c{}_{} {}\n", i, j, i, j, i, j, num(1.0 / g));
      else
        d << fmt::format("bx{}_{} r{}_{} c{}_{} i={}*sinh(v(r{}_{},c{}_{})/{})\n", i, j, i, j, i, j,
                         num(g * s.iv.v0_v), i, j, i, j, num(s.iv.v0_v));
    }
  return d.str();
}

inline std::string currentVectors(const circuit::CrossbarSpec& s) {
  std::string v;
  for (Eigen::Index j = 0; j < s.cols; ++j)
    v += fmt::format(" i({}{})", s.sense->holdsInput() ? "vo" : "vm", j);
  return v;
}

/// Runs `ngspice -b` on the deck; returns the rows of numbers of `table` (written by wrdata).
inline std::vector<std::vector<double>> runNgspice(const std::string& deck_with_placeholder) {
  namespace fs = std::filesystem;
  const xbarsim::test::TempDir temp;
  const fs::path& dir = temp.path();
  const fs::path deck = dir / "deck.cir", table = dir / "table.txt";
  std::string text = deck_with_placeholder;
  for (std::size_t p; (p = text.find("@TABLE@")) != std::string::npos;) text.replace(p, 7, table.string());
  std::ofstream(deck) << text;
  const std::string cmd = fmt::format("cd '{}' && ngspice -b deck.cir 2>&1", dir.string());
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (!pipe) throw std::runtime_error("cannot run ngspice");
  std::string out;
  char buf[4096];
  while (std::fgets(buf, sizeof buf, pipe)) out += buf;
  ::pclose(pipe);  // ngspice -b exits with 1 when a deck has no .print/.plot: judge by output
  if (out.find("rror") != std::string::npos || out.find("aborted") != std::string::npos ||
      out.find("too small") != std::string::npos || !fs::exists(table))
    throw std::runtime_error("ngspice failed on " + deck.string() + ":\n" + out);
  std::vector<std::vector<double>> rows;
  std::ifstream in(table);
  for (std::string line; std::getline(in, line);) {
    std::istringstream ls(line);
    std::vector<double> row;
    for (double x; ls >> x;) row.push_back(x);
    if (!row.empty()) rows.push_back(row);
  }
  return rows;
}

/// Column currents (C×K) for K input vectors (R×K), one `op` per input (alter + op + wrdata).
inline Eigen::MatrixXd ngspiceCurrents(const circuit::CrossbarSpec& s, const Eigen::MatrixXd& x,
                                       const std::string& options) {
  std::ostringstream d;
  d << "* xbarsim native solver cross-validation\n"
    << crossbarElements(s, Eigen::VectorXd()) << options << "\n.control\nset wr_singlescale\n"
    << "set appendwrite\noption numdgt=17\n";
  for (Eigen::Index k = 0; k < x.cols(); ++k) {
    for (Eigen::Index i = 0; i < s.rows; ++i) d << fmt::format("alter vi{} dc={}\n", i, num(x(i, k)));
    d << "op\nwrdata @TABLE@" << currentVectors(s) << "\ndestroy all\n";
  }
  d << ".endc\n.end\n";
  const auto rows = runNgspice(d.str());
  if (static_cast<Eigen::Index>(rows.size()) != x.cols())
    throw std::runtime_error(fmt::format("ngspice wrote {} rows, expected {}", rows.size(), x.cols()));
  Eigen::MatrixXd cur(s.cols, x.cols());
  for (Eigen::Index k = 0; k < x.cols(); ++k) {
    if (static_cast<Eigen::Index>(rows[k].size()) != s.cols + 1)
      throw std::runtime_error("unexpected wrdata row");
    for (Eigen::Index j = 0; j < s.cols; ++j) cur(j, k) = rows[k][j + 1];  // column 0 = scale
  }
  return cur;
}

/// Transient: column currents (C×T) at t = k·dt, k = 0..T-1 (ngspice .tran + linearize).
inline Eigen::MatrixXd ngspiceTransient(const circuit::CrossbarSpec& s, const circuit::TransientSpec& ts,
                                        double dt, Eigen::Index points, const std::string& options) {
  std::ostringstream d;
  d << "* xbarsim native transient cross-validation\n" << crossbarElements(s, Eigen::VectorXd());
  for (Eigen::Index i = 0; i < s.rows; ++i) {  // replace the dc sources by the waveforms
    const auto& w = ts.inputs[static_cast<std::size_t>(i)];
    std::string pwl;
    for (std::size_t k = 0; k < w.t_s.size(); ++k) pwl += fmt::format(" {} {}", num(w.t_s[k]), num(w.v_v[k]));
    d << fmt::format(".alter_placeholder vi{} pwl({})\n", i, pwl);
  }
  std::string text = d.str();
  // Rewrite "vi<i> s<i> 0 dc 0" lines into PWL sources.
  for (Eigen::Index i = 0; i < s.rows; ++i) {
    const std::string dc = fmt::format("vi{} s{} 0 dc 0\n", i, i);
    const std::string tag = fmt::format(".alter_placeholder vi{} ", i);
    const auto p = text.find(tag);
    const auto e = text.find('\n', p);
    const std::string pwl = text.substr(p + tag.size(), e - p - tag.size());
    text.erase(p, e - p + 1);
    text.replace(text.find(dc), dc.size(), fmt::format("vi{} s{} 0 {}\n", i, i, pwl));
  }
  const auto& c = ts.capacitance;
  std::ostringstream caps;
  for (Eigen::Index i = 0; i < s.rows; ++i)
    for (Eigen::Index j = 0; j < s.cols; ++j) {
      if (c.c_row_f > 0) caps << fmt::format("cr{}_{} r{}_{} 0 {}\n", i, j, i, j, num(c.c_row_f));
      if (c.c_col_f > 0) caps << fmt::format("cc{}_{} c{}_{} 0 {}\n", i, j, i, j, num(c.c_col_f));
    }
  if (c.c_sense_f > 0 && !s.sense->holdsInput())
    for (Eigen::Index j = 0; j < s.cols; ++j) caps << fmt::format("cs{} out{} 0 {}\n", j, j, num(c.c_sense_f));
  const double tstop = dt * static_cast<double>(points - 1);
  text += caps.str() + options + "\n.control\nset wr_singlescale\noption numdgt=17\n" +
          fmt::format("tran {} {} 0 {}\nlinearize{}\nwrdata @TABLE@{}\n.endc\n.end\n", num(dt),
                      num(tstop), num(dt / 10), currentVectors(s), currentVectors(s));
  const auto rows = runNgspice(text);
  if (static_cast<Eigen::Index>(rows.size()) != points)
    throw std::runtime_error(fmt::format("ngspice wrote {} time points, expected {}", rows.size(), points));
  Eigen::MatrixXd cur(s.cols, points);
  for (Eigen::Index k = 0; k < points; ++k)
    for (Eigen::Index j = 0; j < s.cols; ++j) cur(j, k) = rows[k][j + 1];
  return cur;
}

}  // namespace xbarsim::test
