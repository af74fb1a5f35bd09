// SPDX-License-Identifier: MIT
#include <boost/test/unit_test.hpp>
#include <string>

#include "io_test_util.hpp"
#include "xbarsim/core/error.hpp"
#include "xbarsim/io/csv.hpp"
#include "xbarsim/io/hdf5_file.hpp"
#include "xbarsim/io/load_matrix.hpp"

namespace io = xbarsim::io;
namespace fs = std::filesystem;
using io::loadMatrix;
using io::test::contains;
using io::test::TempDir;
using io::test::thrownMessage;
using xbarsim::ConfigError;
using xbarsim::IoError;

namespace {

Eigen::MatrixXd sample() {
  Eigen::MatrixXd m(2, 3);
  m << 1e-6, 2e-6, 3e-6, 4e-6, 5e-6, 6e-6;
  return m;
}

bool equal(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() && (a.array() == b.array()).all();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(load_matrix)

BOOST_AUTO_TEST_CASE(csv_path_is_relative_to_the_config_directory) {
  TempDir dir;
  fs::create_directories(dir / "maps");
  io::writeMatrixCsv(dir / "maps" / "G.csv", sample());
  BOOST_TEST(equal(loadMatrix("maps/G.csv", dir.path()), sample()));
  BOOST_TEST(equal(loadMatrix((dir / "maps" / "G.csv").string(), "/nonexistent"), sample()));
  const std::string msg =
      thrownMessage<ConfigError>([&] { (void)loadMatrix("G.csv", dir.path()); });
  BOOST_TEST(contains(msg, (dir / "G.csv").string()));
}

BOOST_AUTO_TEST_CASE(hdf5_dataset_spec) {
  TempDir dir;
  {
    auto h5 = io::H5File::create(dir / "w.h5");
    h5.writeMatrix("/extract/weff", sample(), "S");
  }
  BOOST_TEST(equal(loadMatrix("w.h5:/extract/weff", dir.path()), sample()));
  BOOST_TEST(equal(loadMatrix("w.h5:extract/weff", dir.path()), sample()));  // '/' implied
  BOOST_TEST(equal(loadMatrix((dir / "w.h5").string() + ":/extract/weff", {}), sample()));
  fs::copy_file(dir / "w.h5", dir / "W.HDF5");
  BOOST_TEST(equal(loadMatrix("W.HDF5:/extract/weff", dir.path()), sample()));
}

BOOST_AUTO_TEST_CASE(bad_specs) {
  TempDir dir;
  {
    auto h5 = io::H5File::create(dir / "w.h5");
    h5.writeMatrix("/weff", sample(), "S");
  }
  std::string msg = thrownMessage<ConfigError>([&] { (void)loadMatrix("w.h5", dir.path()); });
  BOOST_TEST(contains(msg, "file.h5:/dataset"));
  msg = thrownMessage<ConfigError>([&] { (void)loadMatrix("w.h5:", dir.path()); });
  BOOST_TEST(contains(msg, "names no dataset"));
  msg = thrownMessage<ConfigError>([&] { (void)loadMatrix("missing.h5:/weff", dir.path()); });
  BOOST_TEST(contains(msg, (dir / "missing.h5").string()));
  msg = thrownMessage<IoError>([&] { (void)loadMatrix("w.h5:/nope", dir.path()); });
  BOOST_TEST(contains(msg, (dir / "w.h5").string() + ":/nope"));
  BOOST_CHECK_THROW((void)loadMatrix("", dir.path()), ConfigError);
}

BOOST_AUTO_TEST_SUITE_END()
