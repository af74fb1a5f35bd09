// SPDX-License-Identifier: MIT
// xbarsim sweep / merge / inspect, serially: layout, determinism across resume and shards,
// failing points, bad input, xarray and the plotting tool.
#include <boost/test/unit_test.hpp>

#include "sweep_test_util.hpp"

namespace fs = std::filesystem;
namespace tt = boost::test_tools;
using xbarsim::io::H5File;
using namespace xbarsim::test;

namespace {

/// One serial run of the wire x size sweep, shared by the tests that compare against it.
const fs::path& reference() {
  static TempDir dir;
  static const fs::path out = [] {
    writeText(dir / "sweep.toml", wireBySizeConfig());
    const auto r = runXbarsim(dir.path(), "sweep -c sweep.toml -o ref.h5");
    BOOST_REQUIRE_MESSAGE(r.status == 0, r.output);
    return dir / "ref.h5";
  }();
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(sweep_cli)

BOOST_AUTO_TEST_CASE(serial_layout_units_axes_and_metrics) {
  const fs::path& ref = reference();
  BOOST_TEST(!fs::exists(ref.string() + ".journal"));  // complete: journal removed
  const auto h5 = H5File::openReadOnly(ref);
  BOOST_TEST(h5.readStringAttribute("/", "command") == "sweep");
  BOOST_TEST(h5.readIntAttribute("/", "sweep_points") == 32);
  BOOST_TEST(h5.readIntAttribute("/", "points_done") == 32);
  BOOST_TEST(h5.readStringAttribute("/", "sweep_axes") == "array.r_row_ohm array.rows array.cols");
  const auto status = h5.readInts("/status");
  BOOST_TEST(std::all_of(status.begin(), status.end(), [](auto s) { return s == 1; }));
  // every numeric dataset has units; per-point datasets name the axes as CF coordinates
  for (const auto& name : rootDatasets(h5)) {
    if (name == "message" || name == "point_config") continue;
    BOOST_TEST_CONTEXT(name) { BOOST_TEST(h5.hasAttribute("/" + name, "units")); }
  }
  BOOST_TEST(h5.readStringAttribute("/array.r_row_ohm", "units") == "ohm");
  BOOST_TEST(h5.readStringAttribute("/weff", "units") == "S");
  BOOST_TEST(h5.readStringAttribute("/ir_drop_error", "coordinates") == "array.r_row_ohm array.rows array.cols");
  BOOST_TEST(h5.shape("/weff") == (std::vector<std::size_t>{32, 16, 16}));  // (point, output, input), padded
  // the point config is recoverable and matches the axes
  const auto configs = h5.readStrings("/point_config");
  BOOST_TEST(configs[31].find("rows = 16") != std::string::npos);
  BOOST_TEST(configs[31].find("r_row_ohm = 5.0") != std::string::npos);
  // padding: point 0 is 4x8 -> W_eff (8 outputs x 4 inputs) inside a 16x16 block of NaN
  std::vector<std::size_t> dims;
  const auto weff = h5.readReals("/weff", &dims);
  BOOST_TEST(std::isfinite(weff[0 * 16 + 3]));
  BOOST_TEST(std::isnan(weff[0 * 16 + 4]));
  BOOST_TEST(std::isnan(weff[8 * 16 + 0]));
  BOOST_TEST(h5.readInts("/input_count")[0] == 4);
  // physics: the IR-drop error grows with the wire resistance at fixed size; with linear cells
  // the ideal-wire circuit is G^T, so the error against G^T is the same number
  const auto err = h5.readReals("/ir_drop_error");
  const auto target = h5.readReals("/target_error");
  for (std::size_t k = 0; k < 8; ++k) {
    BOOST_TEST(err[k] > 0.0);
    BOOST_TEST(err[k] < err[k + 8]);
    BOOST_TEST(err[k + 8] < err[k + 16]);
    BOOST_TEST(err[k + 16] < err[k + 24]);
  }
  for (std::size_t k = 0; k < 32; ++k) BOOST_TEST(err[k] == target[k], tt::tolerance(1e-8));
  BOOST_TEST(h5.readStringAttribute("/ir_drop_error", "long_name").find("ideal (0 ohm) wires") != std::string::npos);
  BOOST_TEST(h5.readStringAttribute("/target_error", "long_name").find("G^T") != std::string::npos);
  BOOST_TEST(h5.shape("/ir_drop_column_error") == (std::vector<std::size_t>{32, 16}));
  const auto inspect = runXbarsim(ref.parent_path(), "inspect ref.h5");
  BOOST_TEST(inspect.status == 0);
  BOOST_TEST(inspect.output.find("32 points: 32 done, 0 failed, 0 pending") != std::string::npos, inspect.output);
  BOOST_TEST(inspect.output.find("array.r_row_ohm (ohm): 4 values: 0.5, 1, 2, 5") != std::string::npos);
  BOOST_TEST(inspect.output.find("ir_drop_error") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(sinh_cells_ir_drop_and_target_errors_apart) {
  // Closed form: with ideal wires and ideal sense amplifiers every sinh cell is read at v_read,
  // its slope is g·cosh(v_read/V0): error against G^T cosh(v_read/V0) − 1, IR-drop error 0.
  TempDir dir;
  writeText(dir / "s.toml",
            "[array]\nrows = 6\ncols = 5\n[device]\nmodel = \"sinh\"\nv0_v = 0.25\n[read]\n"
            "v_read_v = 0.2\n[sweep]\nmode = \"zip\"\n\"array.r_row_ohm\" = [0.0, 20.0]\n"
            "\"array.r_col_ohm\" = [0.0, 20.0]\n");
  const double slope = std::cosh(0.2 / 0.25) - 1.0;
  for (const std::string backend : {"ngspice", "native"}) {
    BOOST_TEST_CONTEXT(backend) {
      const auto r = runXbarsim(dir.path(), fmt::format("sweep -c s.toml -o s.h5 -b {}", backend));
      BOOST_REQUIRE_MESSAGE(r.status == 0, r.output);
      const auto h5 = H5File::openReadOnly(dir / "s.h5");
      const auto ir = h5.readReals("/ir_drop_error");
      const auto target = h5.readReals("/target_error");
      const auto columns = h5.readReals("/target_column_error");  // (point, output)
      BOOST_TEST(ir[0] == 0.0);
      BOOST_TEST(target[0] == slope, tt::tolerance(1e-9));
      for (std::size_t j = 0; j < 5; ++j) BOOST_TEST(columns[j] == slope, tt::tolerance(1e-9));
      // 20 ohm wires: some IR drop, which lowers the cell voltages and with them the slope error
      BOOST_TEST(ir[1] > 1e-4);
      BOOST_TEST(target[1] < target[0]);
      BOOST_TEST(target[1] > 10.0 * ir[1]);
    }
  }
}

BOOST_AUTO_TEST_CASE(resume_after_sigkill_equals_uninterrupted_run) {
  TempDir dir;
  writeText(dir / "sweep.toml", wireBySizeConfig());
  const fs::path journal = dir / "out.h5.journal";
  // Killed once a few points are journaled (the later, larger points are still to come).
  BOOST_REQUIRE_MESSAGE(killWhenJournaled(dir.path(), "sweep -c sweep.toml -o out.h5", journal, 6000),
                        "the sweep finished before it could be killed");
  BOOST_REQUIRE(fs::exists(journal));

  const auto r = runXbarsim(dir.path(), "sweep -c sweep.toml -o out.h5 --resume");
  BOOST_REQUIRE_MESSAGE(r.status == 0, r.output);
  BOOST_TEST(compareSweepFiles(reference(), dir / "out.h5") == "");
  const auto h5 = H5File::openReadOnly(dir / "out.h5");
  const auto computed = h5.readIntAttribute("/provenance", "points_computed");
  BOOST_TEST(computed > 0);
  BOOST_TEST(computed < 32);  // the points finished before the kill were kept
  // a second --resume has nothing to do
  const auto again = runXbarsim(dir.path(), "sweep -c sweep.toml -o out.h5 --resume");
  BOOST_TEST(again.status == 0);
  BOOST_TEST(again.output.find("done already") != std::string::npos, again.output);
  // a changed configuration does not resume a foreign journal
  writeText(dir / "other.toml", wireBySizeConfig("[read]\nv_read_v = 0.3\n"));
  BOOST_REQUIRE(killWhenJournaled(dir.path(), "sweep -c sweep.toml -o p.h5", dir / "p.h5.journal", 3000));
  const auto foreign = runXbarsim(dir.path(), "sweep -c other.toml -o p.h5 --resume");
  BOOST_TEST(foreign.status == 1);
  BOOST_TEST(foreign.output.find("different sweep") != std::string::npos, foreign.output);
}

BOOST_AUTO_TEST_CASE(shards_merged_equal_a_single_run) {
  TempDir dir;
  writeText(dir / "sweep.toml", wireBySizeConfig());
  for (int i = 0; i < 3; ++i) {
    const auto r = runXbarsim(dir.path(), fmt::format("sweep -c sweep.toml -o s{}.h5 --shard {}/3", i, i));
    BOOST_REQUIRE_MESSAGE(r.status == 0, r.output);
  }
  const auto missing = runXbarsim(dir.path(), "merge s0.h5 s2.h5 -o m.h5");
  BOOST_TEST(missing.status == 1);
  BOOST_TEST(missing.output.find("missing: 1") != std::string::npos, missing.output);
  BOOST_TEST(!fs::exists(dir / "m.h5"));
  const auto twice = runXbarsim(dir.path(), "merge s0.h5 s0.h5 s2.h5 -o m.h5");
  BOOST_TEST(twice.status == 1);
  const auto r = runXbarsim(dir.path(), "merge s2.h5 s0.h5 s1.h5 -o m.h5");
  BOOST_REQUIRE_MESSAGE(r.status == 0, r.output);
  BOOST_TEST(compareSweepFiles(reference(), dir / "m.h5") == "");
  const auto h5 = H5File::openReadOnly(dir / "m.h5");
  BOOST_TEST(!h5.hasAttribute("/", "shard_index"));
  BOOST_TEST(h5.readIntAttribute("/", "points_done") == 32);
  // a non-shard file is refused
  const auto bad = runXbarsim(dir.path(), "merge m.h5 -o x.h5");
  BOOST_TEST(bad.status == 1);
  BOOST_TEST(bad.output.find("not a sweep shard") != std::string::npos, bad.output);
}

BOOST_AUTO_TEST_CASE(failing_point_is_recorded_and_the_others_finish) {
  TempDir dir;
  // v_read = 90 V across sinh cells (V0 = 0.25 V) overflows: ngspice reports an error, the
  // native solver does not converge.
  writeText(dir / "fail.toml",
            "[array]\nrows = 4\ncols = 4\n[device]\nmodel = \"sinh\"\n[sweep]\nmode = \"zip\"\n"
            "\"read.v_read_v\" = [0.2, 90.0, 0.3]\n");
  for (const std::string backend : {"ngspice", "native"}) {
    BOOST_TEST_CONTEXT(backend) {
      const auto r = runXbarsim(dir.path(), fmt::format("sweep -c fail.toml -o f.h5 -b {}", backend));
      BOOST_TEST(r.status == 4, r.output);
      BOOST_TEST(r.output.find("2 done, 1 failed") != std::string::npos, r.output);
      const auto h5 = H5File::openReadOnly(dir / "f.h5");
      BOOST_TEST(h5.readInts("/status") == (std::vector<std::int64_t>{1, 2, 1}));
      const auto messages = h5.readStrings("/message");
      BOOST_TEST(messages[0].empty());
      BOOST_TEST(!messages[1].empty());
      BOOST_TEST(messages[1].find(backend == "ngspice" ? "ngspice" : "converge") != std::string::npos, messages[1]);
      const auto err = h5.readReals("/target_error");
      BOOST_TEST(std::isfinite(err[0]));
      BOOST_TEST(std::isnan(err[1]));
      BOOST_TEST(std::isfinite(err[2]));
      BOOST_TEST(h5.readIntAttribute("/", "points_failed") == 1);
      BOOST_TEST(fs::exists(dir / "f.h5.journal"));  // kept: --resume retries failed points
      const auto inspect = runXbarsim(dir.path(), "inspect f.h5");
      BOOST_TEST(inspect.output.find("point 1: ") != std::string::npos, inspect.output);
    }
  }
}

BOOST_AUTO_TEST_CASE(bad_input_is_one_line_exit_1_and_no_file) {
  TempDir dir;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"[sweep]\n\"array.r_row_hm\" = [1.0]\n", "unknown configuration key"},
      {"[sweep]\n\"array.r_row_ohm\" = [1.0, -2.0]\n", "out of range"},
      {"[sweep]\nmode = \"zip\"\n\"array.rows\" = [4]\n\"array.cols\" = [4, 8]\n", "equal length"},
      {"[array]\ncell = \"1S1R\"\n[sweep]\n\"array.selector_card\" = [\"selector\", \"nmos_access\"]\n",
       "point 1 (array.selector_card = \"nmos_access\") is not valid"},
      {"[sweep]\n\"netlist.params.rf\" = [1.0]\n", "need a user netlist"},
      {"[array]\nrows = 4\n", "no [sweep] section"},
      {"[sweep]\n\"array.rows\" = [4]\n[array]\nbogus = 1\n", "unknown key"},
  };
  for (const auto& [text, expected] : cases) {
    BOOST_TEST_CONTEXT(text) {
      writeText(dir / "bad.toml", text);
      const auto r = runXbarsim(dir.path(), "sweep -c bad.toml -o bad.h5");
      BOOST_TEST(r.status == 1);
      BOOST_TEST(r.output.find(expected) != std::string::npos, r.output);
      BOOST_TEST(std::count(r.output.begin(), r.output.end(), '\n') == 1);
      BOOST_TEST(!fs::exists(dir / "bad.h5"));
      BOOST_TEST(!fs::exists(dir / "bad.h5.journal"));
    }
  }
  writeText(dir / "ok.toml", "[sweep]\n\"array.rows\" = [4]\n");
  BOOST_TEST(runXbarsim(dir.path(), "sweep -c ok.toml -o bad.h5 --shard 2/2").status == 1);
  BOOST_TEST(runXbarsim(dir.path(), "sweep -c ok.toml -o bad.h5 -b native --netlist " +
                                     (fs::path(XBARSIM_TEST_SOURCE_DIR) / "netlists/example_tia_deck.cir").string())
                 .status == 1);
  BOOST_TEST(!fs::exists(dir / "bad.h5"));
}

BOOST_AUTO_TEST_CASE(fatal_ngspice_error_fails_its_points_and_the_sweep_finishes) {
  // An undefined {parameter} is a fatal ngspice error that leaves libngspice unusable: its
  // worker process is replaced, each point fails with ngspice's message, and the sweep ends
  // with every point run (exit 4: some points failed).
  TempDir dir;
  writeText(dir / "deck.cir",
            "* undefined parameter\n.param rf=1e4\nVIN0 in0 0 dc 0\nR1 in0 x {rf}\n"
            "R2 x y {foo}\nVOUT0 y 0 dc 0\n.end\n");
  writeText(dir / "d.toml",
            "[netlist]\nfile = \"deck.cir\"\n[sweep]\n\"netlist.params.rf\" = [1e4, 2e4, 3e4]\n");
  const auto r = runXbarsim(dir.path(), "sweep -c d.toml -o d.h5");
  BOOST_TEST(r.status == 4, r.output);
  BOOST_TEST(r.output.find("0 done, 3 failed") != std::string::npos, r.output);
  BOOST_TEST(r.output.find("Undefined parameter [foo]") != std::string::npos, r.output);
  const auto h5 = H5File::openReadOnly(dir / "d.h5");
  BOOST_TEST(h5.readInts("/status") == (std::vector<std::int64_t>{2, 2, 2}));
}

BOOST_AUTO_TEST_CASE(user_netlist_params_through_alterparam) {
  TempDir dir;
  const auto deck = fs::path(XBARSIM_TEST_SOURCE_DIR) / "netlists/example_tia_deck.cir";
  writeText(dir / "deck.toml", fmt::format("[netlist]\nfile = \"{}\"\n[sweep]\n\"netlist.params.rf\" = [1e4, 4e4]\n"
                                           "\"netlist.params.aol\" = [50.0, 5000.0]\n",
                                           deck.string()));
  const auto r = runXbarsim(dir.path(), "sweep -c deck.toml -o d.h5");
  BOOST_REQUIRE_MESSAGE(r.status == 0, r.output);
  const auto h5 = H5File::openReadOnly(dir / "d.h5");
  BOOST_TEST(h5.readReals("/netlist.params.aol") == (std::vector<double>{50, 5000, 50, 5000}));
  const auto sums = h5.readReals("/weff_column_sum");  // (point, output)
  // a larger loop gain brings the TIA input closer to virtual ground: more column current
  BOOST_TEST(sums[1 * 4] > sums[0 * 4]);
  BOOST_TEST(sums[0 * 4] != sums[2 * 4]);
  // in reverse order the points give the same numbers (no ngspice state leaks between points)
  writeText(dir / "rev.toml", fmt::format("[netlist]\nfile = \"{}\"\n[sweep]\nmode = \"zip\"\n"
                                          "\"netlist.params.rf\" = [4e4, 1e4]\n\"netlist.params.aol\" = [5000.0, 50.0]\n",
                                          deck.string()));
  BOOST_REQUIRE(runXbarsim(dir.path(), "sweep -c rev.toml -o r.h5").status == 0);
  const auto rev = H5File::openReadOnly(dir / "r.h5").readReals("/weff");
  const auto fwd = h5.readReals("/weff");
  BOOST_TEST(std::equal(rev.begin(), rev.begin() + 16, fwd.begin() + 3 * 16));
  BOOST_TEST(std::equal(rev.begin() + 16, rev.end(), fwd.begin()));
}

BOOST_AUTO_TEST_CASE(xarray_opens_with_named_dimensions_and_the_plots_are_written) {
  const fs::path& ref = reference();
  TempDir dir;
  const std::string script =
      "import xarray as xr, sys\n"
      "ds = xr.open_dataset(sys.argv[1], engine='h5netcdf')\n"
      "assert ds['weff'].dims == ('point', 'output', 'input'), ds['weff'].dims\n"
      "assert 'array.r_row_ohm' in ds['ir_drop_error'].coords\n"
      "assert ds['array.r_row_ohm'].attrs['units'] == 'ohm'\n"
      "assert int((ds['status'] == 1).sum()) == 32\n"
      "cube = ds['ir_drop_error'].set_index(point=['array.r_row_ohm', 'array.rows', 'array.cols']).unstack('point')\n"
      "assert cube.dims == ('array.r_row_ohm', 'array.rows', 'array.cols'), cube.dims\n"
      "print('ok')\n";
  writeText(dir / "check.py", script);
  const auto r = runCommand(fmt::format("/usr/bin/python3 '{}' '{}' 2>&1", (dir / "check.py").string(), ref.string()));
  BOOST_TEST(r.status == 0, r.output);
  const auto tool = fs::path(XBARSIM_TEST_SOURCE_DIR) / "tools/plot_sweep.py";
  const auto p = runCommand(fmt::format("MPLBACKEND=Agg /usr/bin/python3 '{}' '{}' --out '{}' 2>&1", tool.string(),
                                        ref.string(), dir.path().string()));
  BOOST_REQUIRE_MESSAGE(p.status == 0, p.output);
  for (const char* png : {"ir_drop_error.png", "weff_error_heatmap.png"}) {
    BOOST_TEST_CONTEXT(png) {
      BOOST_TEST(fs::exists(dir / png));
      BOOST_TEST(fs::file_size(dir / png) > 5000u);
    }
  }
}

BOOST_AUTO_TEST_CASE(evaluate_job_accuracy_vs_time) {
  TempDir dir;
  writeText(dir / "ev.toml",
            "[array]\nr_row_ohm = 0.0\nr_col_ohm = 0.0\n[dnn]\ndataset = \"fashion-mnist\"\n"
            "times_s = [1.0, 86400.0, 3.15e7]\nrepeats = 2\ntest_samples = 300\n"
            "[sweep]\njob = \"evaluate\"\n\"dnn.pcm_drift_scale\" = [0.5, 2.0]\n");
  const auto model = fs::path(XBARSIM_TEST_SOURCE_DIR) / "data/models/mlp_hwa.h5";
  const auto r = runXbarsim(dir.path(), "sweep -c ev.toml -o ev.h5 --model " + model.string());
  BOOST_REQUIRE_MESSAGE(r.status == 0, r.output);
  const auto h5 = H5File::openReadOnly(dir / "ev.h5");
  BOOST_TEST(h5.shape("/accuracy") == (std::vector<std::size_t>{2, 3, 2}));  // (point, time, repeat)
  BOOST_TEST(h5.readReals("/time") == (std::vector<double>{1.0, 86400.0, 3.15e7}));
  BOOST_TEST(h5.readStringAttribute("/time", "units") == "s");
  const auto mean = h5.readReals("/accuracy_mean");  // (point, time)
  for (const double a : mean) BOOST_TEST((a > 0.1 && a <= 1.0));
  const auto p = runCommand(fmt::format("MPLBACKEND=Agg /usr/bin/python3 '{}' '{}' --out '{}' 2>&1",
                                        (fs::path(XBARSIM_TEST_SOURCE_DIR) / "tools/plot_sweep.py").string(),
                                        (dir / "ev.h5").string(), dir.path().string()));
  BOOST_TEST(p.status == 0, p.output);
  for (const char* png : {"accuracy_vs_time.png", "accuracy_vs_axes.png"}) {
    BOOST_TEST_CONTEXT(png) {
      BOOST_TEST(fs::exists(dir / png));
      BOOST_TEST((fs::exists(dir / png) && fs::file_size(dir / png) > 10000u));
    }
  }
  // without --model: one clear line, exit 1
  const auto bad = runXbarsim(dir.path(), "sweep -c ev.toml -o bad.h5");
  BOOST_TEST(bad.status == 1);
  BOOST_TEST(bad.output.find("--model") != std::string::npos, bad.output);
}

BOOST_AUTO_TEST_CASE(progress_only_when_asked_or_on_a_terminal) {
  TempDir dir;
  writeText(dir / "s.toml", "[array]\nrows = 4\ncols = 4\n[sweep]\n\"array.r_row_ohm\" = [1.0, 2.0]\n");
  const auto quiet = runXbarsim(dir.path(), "sweep -c s.toml -o a.h5 -b native");
  BOOST_TEST(quiet.status == 0);
  BOOST_TEST(quiet.output.find("ETA") == std::string::npos);
  const auto loud = runXbarsim(dir.path(), "sweep -c s.toml -o a.h5 -b native --progress");
  BOOST_TEST(loud.output.find("sweep: 2/2 points") != std::string::npos, loud.output);
}

BOOST_AUTO_TEST_CASE(resume_refuses_a_changed_included_file) {
  // The fingerprint covers every file the deck pulls in: deck.cir includes tia.inc, which
  // includes wire.inc. Changing wire.inc between runs must stop --resume (exit 1, naming it),
  // from the journal of a killed run and from a complete file alike.
  TempDir dir;
  std::string deck = readText(fs::path(XBARSIM_TEST_SOURCE_DIR) / "netlists/example_tia_deck.cir");
  const std::string params = ".param rw=5 rf=20k aol=500 vos=2m rout=50\n";
  BOOST_REQUIRE(deck.find(params) != std::string::npos);
  deck.replace(deck.find(params), params.size(), ".param rf=20k aol=500 vos=2m rout=50\n.include \"tia.inc\"\n");
  writeText(dir / "deck.cir", deck);
  writeText(dir / "tia.inc", "* wires of the example deck\n.include \"wire.inc\"\n");
  writeText(dir / "wire.inc", ".param rw=5\n");
  std::string values;
  for (int k = 0; k < 400; ++k) values += fmt::format("{}{}", k == 0 ? "" : ", ", 1e4 + 10.0 * k);
  writeText(dir / "d.toml", "[netlist]\nfile = \"deck.cir\"\n[sweep]\n\"netlist.params.rf\" = [" + values + "]\n");

  BOOST_REQUIRE_MESSAGE(killWhenJournaled(dir.path(), "sweep -c d.toml -o d.h5", dir / "d.h5.journal", 3000),
                        "the sweep finished before it could be killed");
  writeText(dir / "wire.inc", ".param rw=6\n");
  const auto from_journal = runXbarsim(dir.path(), "sweep -c d.toml -o d.h5 --resume");
  BOOST_TEST(from_journal.status == 1, from_journal.output);
  BOOST_TEST(from_journal.output.find("wire.inc: --resume: changed since") != std::string::npos, from_journal.output);

  writeText(dir / "short.toml", "[netlist]\nfile = \"deck.cir\"\n[sweep]\n\"netlist.params.rf\" = [1e4, 2e4]\n");
  const auto whole = runXbarsim(dir.path(), "sweep -c short.toml -o s.h5 -q");
  BOOST_REQUIRE_MESSAGE(whole.status == 0, whole.output);
  BOOST_TEST(H5File::openReadOnly(dir / "s.h5").readStringAttribute("/", "sweep_inputs").find("wire.inc") !=
             std::string::npos);
  writeText(dir / "wire.inc", ".param rw=7\n");
  const auto from_file = runXbarsim(dir.path(), "sweep -c short.toml -o s.h5 --resume");
  BOOST_TEST(from_file.status == 1, from_file.output);
  BOOST_TEST(from_file.output.find("wire.inc: --resume: changed since") != std::string::npos, from_file.output);
  // and an included file is an input: no output may replace it
  const auto onto = runXbarsim(dir.path(), "sweep -c short.toml -o wire.inc -q");
  BOOST_TEST(onto.status == 1, onto.output);
  BOOST_TEST(onto.output.find("wire.inc: output: is an input") != std::string::npos, onto.output);
  BOOST_TEST(readText(dir / "wire.inc") == ".param rw=7\n");
}

BOOST_AUTO_TEST_SUITE_END()
