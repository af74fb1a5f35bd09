// SPDX-License-Identifier: MIT
// The xbarsim program end to end: generated decks in standalone ngspice, HDF5 results read by
// h5py. Bad inputs (one clear line, exit 1..127, no output file) are the corpus of
// test_bad_inputs.cpp.
#define BOOST_TEST_MODULE cli
#include <fmt/format.h>

#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <random>
#include <sstream>
#include <sys/wait.h>
#include <toml++/toml.h>
#include <unistd.h>

#include "run_command.hpp"

namespace fs = std::filesystem;
using xbarsim::test::runCommand;
using xbarsim::test::TempDir;

namespace {

std::string binary() {
  const char* path = std::getenv("XBARSIM_BINARY");
  BOOST_REQUIRE_MESSAGE(path != nullptr, "XBARSIM_BINARY is not set (run through ctest)");
  return path;
}

void writeFile(const fs::path& path, const std::string& text) { std::ofstream(path) << text; }

/// 3x2 conductances (S), rows = inputs.
const char* kConductances = "1e-5, 2e-5\n# comment\n5e-6, 2.5e-5\n1.5e-5, 1e-6\n";

bool haveH5py() { return runCommand("/usr/bin/python3 -c 'import h5py' 2>/dev/null").status == 0; }

/// The ```toml blocks of README.md, in order.
std::vector<std::string> readmeTomlBlocks() {
  const char* source = std::getenv("XBARSIM_SOURCE_DIR");
  BOOST_REQUIRE_MESSAGE(source != nullptr, "XBARSIM_SOURCE_DIR is not set (run through ctest)");
  std::ifstream in(fs::path(source) / "README.md");
  BOOST_REQUIRE_MESSAGE(in, "cannot read README.md");
  std::vector<std::string> blocks;
  std::string line;
  bool inside = false;
  while (std::getline(in, line)) {
    if (!inside && line.rfind("```toml", 0) == 0) {
      blocks.emplace_back();
      inside = true;
    } else if (inside && line.rfind("```", 0) == 0) {
      inside = false;
    } else if (inside) {
      blocks.back() += line + "\n";
    }
  }
  return blocks;
}

/// `xbarsim validate` on one configuration at its default tolerance: exit 0.
void expectValidates(const fs::path& dir, const std::string& name, const toml::table& config) {
  std::ostringstream text;
  text << config << "\n";
  writeFile(dir / (name + ".toml"), text.str());
  const auto run = runCommand(fmt::format("{} validate -c {} 2>&1", binary(), (dir / (name + ".toml")).string()));
  BOOST_TEST_MESSAGE(name << ": " << run.output);
  BOOST_TEST(run.status == 0, name << ":\n" << text.str() << run.output);
  BOOST_TEST(run.output.find("agree within 1.0e-09") != std::string::npos, run.output);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cli)

BOOST_AUTO_TEST_CASE(validate_passes_on_every_readme_configuration) {
  // Every configuration of README.md validated at the default tolerance. A file it names
  // (conductances) is supplied as a seeded draw of the right shape, and the configuration is
  // validated without it too (the seeded default draw); a [sweep] block is validated at its
  // base and at every corner of its grid (first and last value of each axis).
  const std::vector<std::string> blocks = readmeTomlBlocks();
  BOOST_REQUIRE_GE(blocks.size(), 2u);
  TempDir dir;
  std::size_t validated = 0;
  for (std::size_t b = 0; b < blocks.size(); ++b) {
    toml::table config = toml::parse(blocks[b]);
    const std::string name = fmt::format("readme{}", b);
    if (const auto file = config["device"]["conductances"].value<std::string>()) {
      const auto rows = config["array"]["rows"].value_or<std::int64_t>(8);
      const auto cols = config["array"]["cols"].value_or<std::int64_t>(8);
      std::mt19937 rng(static_cast<unsigned>(b + 1));
      std::uniform_real_distribution<double> g(1e-6, 25e-6);
      std::string csv;
      for (std::int64_t i = 0; i < rows; ++i)
        for (std::int64_t j = 0; j < cols; ++j) csv += fmt::format("{:.6e}{}", g(rng), j + 1 < cols ? ", " : "\n");
      writeFile(dir / *file, csv);
      expectValidates(dir.path(), name + "_csv", config);
      config["device"].as_table()->erase("conductances");
      ++validated;
    }
    std::vector<std::pair<std::string, std::array<double, 2>>> axes;  // key, {first, last}
    if (const toml::table* sweep = config["sweep"].as_table()) {
      for (const auto& [key, value] : *sweep) {
        if (key.str().find('.') == std::string_view::npos) continue;
        if (const toml::array* a = value.as_array())
          axes.push_back({std::string(key.str()), {a->front().value<double>().value(), a->back().value<double>().value()}});
        else if (const toml::table* range = value.as_table())
          axes.push_back({std::string(key.str()), {(*range)["start"].value<double>().value(),
                                                   (*range)["stop"].value<double>().value()}});
      }
      config.erase("sweep");
    }
    expectValidates(dir.path(), name, config);
    ++validated;
    for (std::size_t corner = 0; !axes.empty() && corner < (1u << axes.size()); ++corner) {
      toml::table point = config;
      for (std::size_t a = 0; a < axes.size(); ++a) {
        const std::string& key = axes[a].first;
        const std::string section = key.substr(0, key.find('.')), leaf = key.substr(key.find('.') + 1);
        if (!point.contains(section)) point.insert(section, toml::table{});
        const double v = axes[a].second[(corner >> a) & 1u];
        if (leaf == "rows" || leaf == "cols")
          point[section].as_table()->insert_or_assign(leaf, static_cast<std::int64_t>(v));
        else
          point[section].as_table()->insert_or_assign(leaf, v);
      }
      expectValidates(dir.path(), fmt::format("{}_corner{}", name, corner), point);
      ++validated;
    }
  }
  BOOST_TEST_MESSAGE(validated << " README configurations validated");
}

BOOST_AUTO_TEST_CASE(help_on_every_command) {
  for (const char* command : {"", "extract", "netlist", "demo", "config", "validate", "device", "train",
                              "evaluate", "sweep", "merge", "inspect"}) {
    const auto run = runCommand(fmt::format("{} {} --help 2>&1", binary(), command));
    BOOST_TEST_INFO(command);
    BOOST_TEST(run.status == 0);
    BOOST_TEST(run.output.find("Usage") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(config_models_lists_every_kind_with_its_faces) {
  const auto run = runCommand(fmt::format("{} config --models 2>&1", binary()));
  BOOST_TEST(run.status == 0);
  for (const char* name : {"rram_stanford:", "vteam:", "constant-step (also constant_step):",
                           "soft-bounds", "pow-step", "pcm-exp-step", "pow_gamma = 1 1 [0, 100]",
                           "faces: pulsed update (training)", "a_up = -27.235",
                           "walden (adc):", "neurosim-sar (adc):", "capacitive (dac):"})
    BOOST_TEST(run.output.find(name) != std::string::npos, name);
}

BOOST_AUTO_TEST_CASE(netlist_runs_in_standalone_ngspice) {
  TempDir dir;
  writeFile(dir / "g.csv", kConductances);
  writeFile(dir / "c.toml",
            "[array]\nrows = 3\ncols = 2\nr_row_ohm = 0\nr_col_ohm = 0\n"
            "[device]\nconductances = \"g.csv\"\n");
  writeFile(dir / "x.csv", "0.1\n0.2\n0.05\n");
  const auto gen = runCommand(fmt::format("{} netlist -c {} -i {} -o {} 2>&1", binary(),
                                          (dir / "c.toml").string(), (dir / "x.csv").string(),
                                          (dir / "x.cir").string()));
  BOOST_REQUIRE_MESSAGE(gen.status == 0, gen.output);
  const auto sim = runCommand(fmt::format("cd {} && ngspice -b x.cir 2>&1", dir.path().string()));
  BOOST_REQUIRE_EQUAL(sim.status, 0);
  const auto printed = xbarsim::test::parsePrinted(sim.output);
  // Ideal wires: I = G^T x exactly.
  const double i0 = 1e-5 * 0.1 + 5e-6 * 0.2 + 1.5e-5 * 0.05;
  const double i1 = 2e-5 * 0.1 + 2.5e-5 * 0.2 + 1e-6 * 0.05;
  BOOST_REQUIRE_MESSAGE(printed.count("i(vout1)") == 1u, sim.output);
  BOOST_TEST(std::abs(printed.at("i(vout0)") - i0) / i0 < 1e-14);
  BOOST_TEST(std::abs(printed.at("i(vout1)") - i1) / i1 < 1e-14);
}

BOOST_AUTO_TEST_CASE(netlist_with_wires_and_tia_matches_extract) {
  TempDir dir;
  writeFile(dir / "g.csv", kConductances);
  writeFile(dir / "c.toml",
            "[array]\nrows = 3\ncols = 2\nr_row_ohm = 3\nr_col_ohm = 4\nr_driver_ohm = 10\n"
            "[device]\nconductances = \"g.csv\"\nmodel = \"sinh\"\n[sense]\nkind = \"tia\"\n"
            "open_loop_gain = 500\noffset_v = 0.001\n");
  writeFile(dir / "x.csv", "0.1, 0.2, 0.05\n");
  BOOST_REQUIRE_EQUAL(runCommand(fmt::format("{} netlist -c {} -i {} -o {}", binary(), (dir / "c.toml").string(),
                                             (dir / "x.csv").string(), (dir / "x.cir").string())).status, 0);
  const auto sim = runCommand(fmt::format("ngspice -b {} 2>&1", (dir / "x.cir").string()));
  const auto printed = xbarsim::test::parsePrinted(sim.output);
  BOOST_REQUIRE_MESSAGE(printed.count("i(vout0)") == 1u, sim.output);
  const auto ext = runCommand(fmt::format("{} extract -c {} -i {} -o {} 2>&1", binary(), (dir / "c.toml").string(),
                                          (dir / "x.csv").string(), (dir / "mvm.h5").string()));
  BOOST_REQUIRE_MESSAGE(ext.status == 0, ext.output);
  BOOST_REQUIRE_MESSAGE(haveH5py(),
                        "/usr/bin/python3 cannot import h5py (tools/setup.sh installs it)");
  const auto read = runCommand(fmt::format(
      "/usr/bin/python3 -c \"import h5py; f = h5py.File('{}'); print(repr(f['currents'][0]))\"",
      (dir / "mvm.h5").string()));
  const double from_h5 = std::stod(read.output);
  BOOST_TEST(std::abs(from_h5 - printed.at("i(vout0)")) / std::abs(from_h5) < 1e-9);
}

BOOST_AUTO_TEST_CASE(extract_writes_a_self_describing_hdf5_file) {
  TempDir dir;
  writeFile(dir / "g.csv", kConductances);
  writeFile(dir / "c.toml", "[array]\nrows = 3\ncols = 2\n[device]\nconductances = \"g.csv\"\n");
  const auto run = runCommand(fmt::format("{} extract -c {} -o {} 2>&1", binary(), (dir / "c.toml").string(),
                                          (dir / "w.h5").string()));
  BOOST_REQUIRE_MESSAGE(run.status == 0, run.output);
  BOOST_REQUIRE(fs::exists(dir / "w.h5"));
  BOOST_REQUIRE_MESSAGE(haveH5py(),
                        "/usr/bin/python3 cannot import h5py (tools/setup.sh installs it)");
  const std::string script = fmt::format(
      "import h5py\n"
      "f = h5py.File('{}')\n"
      "w = f['weff']\n"
      "assert w.shape == (2, 3), w.shape\n"
      "assert w.attrs['units'] == 'S'\n"
      "assert f['g_target'].shape == (3, 2)\n"
      "assert abs(w[0, 1] - 5e-6) / 5e-6 < 0.01\n"
      "assert 'rows = 3' in f['config'].attrs['toml']\n"
      "assert f['config'].attrs['array.r_row_ohm'] == 2.5\n"
      "assert f.attrs['schema_version'] == 1 and f.attrs['seed'] == 1\n"
      "assert [d.label for d in w.dims] or True\n"
      "assert w.dims[0][0].name == '/output' and w.dims[1][0].name == '/input'\n"
      "assert 'host' in f['provenance'].attrs\n"
      "print('ok')\n",
      (dir / "w.h5").string());
  writeFile(dir / "check.py", script);
  const auto check = runCommand(fmt::format("/usr/bin/python3 {} 2>&1", (dir / "check.py").string()));
  BOOST_TEST(check.status == 0, check.output);
}

// --input with one vector per row: currents (vector, output) on both backends, each equal to
// W_eff·x of the same backend's W_eff (a linear circuit with wires), with /vector, /input and
// /output dimension scales; validate compares every vector.
BOOST_AUTO_TEST_CASE(extract_input_matrix_gives_currents_per_vector) {
  TempDir dir;
  writeFile(dir / "c.toml", "[array]\nrows = 5\ncols = 4\nr_row_ohm = 2\nr_col_ohm = 3\nr_driver_ohm = 7\n");
  writeFile(dir / "x.csv", "0.1,0.2,0,0.2,0.05\n0,0,0.2,0,0\n0.2,0.2,0.2,0.2,0.2\n");
  BOOST_REQUIRE_MESSAGE(haveH5py(),
                        "/usr/bin/python3 cannot import h5py (tools/setup.sh installs it)");
  for (const char* backend : {"native", "ngspice"}) {
    const auto w = runCommand(fmt::format("{} extract -b {} -c {} -o {} 2>&1", binary(), backend,
                                          (dir / "c.toml").string(), (dir / "w.h5").string()));
    BOOST_REQUIRE_MESSAGE(w.status == 0, w.output);
    const auto i = runCommand(fmt::format("{} extract -b {} -c {} -i {} -o {} 2>&1", binary(), backend,
                                          (dir / "c.toml").string(), (dir / "x.csv").string(),
                                          (dir / "i.h5").string()));
    BOOST_REQUIRE_MESSAGE(i.status == 0, i.output);
    BOOST_TEST(i.output.find("for 3 input vectors") != std::string::npos, i.output);
    const std::string script = fmt::format(
        "import h5py, numpy as np\n"
        "w = h5py.File('{}')['weff'][()]\n"
        "f = h5py.File('{}')\n"
        "x, cur = f['inputs_v'][()], f['currents']\n"
        "assert x.shape == (3, 5) and cur.shape == (3, 4), (x.shape, cur.shape)\n"
        "ref = x @ w.T\n"
        "err = np.abs(cur[()] - ref).max() / np.abs(ref).max()\n"
        "assert err < 1e-9, err\n"
        "assert cur.dims[0][0].name == '/vector' and cur.dims[1][0].name == '/output'\n"
        "assert f['inputs_v'].dims[1][0].name == '/input'\n"
        "assert f['currents_ideal'].shape == (3, 4)\n"
        "print('ok', err)\n",
        (dir / "w.h5").string(), (dir / "i.h5").string());
    writeFile(dir / "check.py", script);
    const auto check = runCommand(fmt::format("/usr/bin/python3 {} 2>&1", (dir / "check.py").string()));
    BOOST_TEST(check.status == 0, backend << ": " << check.output);
  }
  const auto ok = runCommand(fmt::format("{} validate -c {} -i {} 2>&1", binary(), (dir / "c.toml").string(),
                                         (dir / "x.csv").string()));
  BOOST_TEST(ok.status == 0, ok.output);
  BOOST_TEST(ok.output.find("input vector ") != std::string::npos, ok.output);
  BOOST_TEST(ok.output.find("agree within 1.0e-09") != std::string::npos, ok.output);
  // A matrix whose rows do not have R values is refused, naming the expected count.
  writeFile(dir / "bad.csv", "0.1,0.2\n0.3,0.4\n");
  const auto bad = runCommand(fmt::format("{} extract -b native -c {} -i {} -o {} 2>&1", binary(),
                                          (dir / "c.toml").string(), (dir / "bad.csv").string(),
                                          (dir / "bad.h5").string()));
  BOOST_TEST(bad.status == 1, bad.output);
  BOOST_TEST(bad.output.find("expected 5 input voltages per row") != std::string::npos, bad.output);
}

BOOST_AUTO_TEST_CASE(validate_compares_backends) {
  TempDir dir;
  writeFile(dir / "c.toml", "[array]\nrows = 8\ncols = 6\nr_row_ohm = 2\nr_col_ohm = 3\nr_driver_ohm = 7\n");
  writeFile(dir / "x.csv", "0.1,0.2,0,0.2,0.05,0.1,0.15,0.2\n");
  const auto ok = runCommand(fmt::format("{} validate -c {} -i {} 2>&1", binary(), (dir / "c.toml").string(),
                                         (dir / "x.csv").string()));
  BOOST_TEST(ok.status == 0, ok.output);
  BOOST_TEST(ok.output.find("agree within 1.0e-09") != std::string::npos, ok.output);
  BOOST_TEST(ok.output.find("at W_eff[") != std::string::npos, ok.output);
  // An impossible tolerance must make it fail with exit status 3.
  const auto strict = runCommand(fmt::format("{} validate -c {} --tolerance 1e-300 2>&1", binary(),
                                             (dir / "c.toml").string()));
  BOOST_TEST(strict.status == 3, strict.output);
  BOOST_TEST(strict.output.find("backends disagree") != std::string::npos, strict.output);
  // The worst element is named with both values.
  BOOST_TEST(strict.output.find("(output ") != std::string::npos, strict.output);
  BOOST_TEST(strict.output.find("ngspice ") != std::string::npos, strict.output);
  BOOST_TEST(strict.output.find("native ") != std::string::npos, strict.output);
}

BOOST_AUTO_TEST_CASE(full_disk_ends_with_exit_2_one_line_and_no_file) {
  // A file-size limit (ulimit -f, SIGXFSZ ignored so that write() fails with EFBIG) stands for a
  // full disk. HDF5 used to crash at exit after the right error.
  TempDir dir;
  writeFile(dir / "big.toml", "[array]\nrows = 64\ncols = 64\n");
  writeFile(dir / "s.toml", "[array]\nrows = 16\ncols = 16\n[sweep]\n\"array.r_row_ohm\" = [0.5, 1.0, 2.0, 5.0]\n");
  for (const std::string& args : {std::string("extract -c big.toml -b native -o out.h5"),
                                  std::string("sweep -q -c s.toml -b native -o out.h5")}) {
    BOOST_TEST_CONTEXT(args) {
      const auto r = runCommand(fmt::format("cd '{}' && ulimit -f 24 && trap '' XFSZ && XBARSIM_NO_MPI=1 exec '{}' {} 2>err.txt",
                                            dir.path().string(), binary(), args));
      std::ifstream in(dir / "err.txt");
      const std::string err((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      BOOST_TEST(r.status == 2, err);  // -1 would be a death by signal
      BOOST_TEST(std::count(err.begin(), err.end(), '\n') == 1, err);
      BOOST_TEST(err.rfind("xbarsim: error: ", 0) == 0u, err);
      BOOST_TEST(err.find("File too large") != std::string::npos, err);
      for (const auto& e : fs::directory_iterator(dir.path()))
        BOOST_TEST(e.path().filename().string().find(".tmp-") == std::string::npos, e.path());
      fs::remove(dir / "out.h5");
      fs::remove(dir / "out.h5.journal");
    }
  }
}

BOOST_AUTO_TEST_CASE(stale_temporary_of_a_killed_run_is_removed) {
  // A SIGKILL'd run leaves ".<name>.tmp-<pid>-<n>"; the next output to the same path removes it
  // when that pid no longer runs, and leaves a live process's temporary alone.
  TempDir dir;
  const pid_t dead = ::fork();
  if (dead == 0) ::_exit(0);
  ::waitpid(dead, nullptr, 0);
  const fs::path stale = dir / fmt::format(".out.h5.tmp-{}-0", dead);
  const fs::path live = dir / fmt::format(".out.h5.tmp-{}-0", ::getpid());
  writeFile(stale, "half a file");
  writeFile(live, "being written");
  writeFile(dir / "c.toml", "[array]\nrows = 2\ncols = 2\n");
  const auto r = runCommand(fmt::format("cd '{}' && '{}' extract -c c.toml -b native -o out.h5 2>&1",
                                        dir.path().string(), binary()));
  BOOST_TEST(r.status == 0, r.output);
  BOOST_TEST(!fs::exists(stale));
  BOOST_TEST(fs::exists(live));
  BOOST_TEST(fs::exists(dir / "out.h5"));
}

BOOST_AUTO_TEST_SUITE_END()
