// SPDX-License-Identifier: MIT
#include <fcntl.h>
#include <hdf5.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "io_test_util.hpp"
#include "xbarsim/core/error.hpp"
#include "xbarsim/io/hdf5_file.hpp"

namespace io = xbarsim::io;
using io::H5File;
using io::test::checkWithH5py;
using io::test::contains;
using io::test::TempDir;
using io::test::thrownMessage;
using xbarsim::IoError;

namespace {

/// rows x cols with m(i, j) = 10 i + j + 0.25: exact in binary, and the value tells the index.
Eigen::MatrixXd indexMatrix(Eigen::Index rows, Eigen::Index cols) {
  Eigen::MatrixXd m(rows, cols);
  for (Eigen::Index i = 0; i < rows; ++i) {
    for (Eigen::Index j = 0; j < cols; ++j) m(i, j) = 10.0 * double(i) + double(j) + 0.25;
  }
  return m;
}

/// Layout and deflate level of a dataset, read with the raw C API.
struct Layout {
  H5D_layout_t layout = H5D_LAYOUT_ERROR;
  int deflate_level = -1;  ///< -1: no deflate filter
  bool shuffle = false;
  std::vector<hsize_t> chunk;
};

Layout layoutOf(const std::filesystem::path& file, const char* dataset) {
  Layout out;
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  BOOST_REQUIRE(f >= 0);
  const hid_t d = H5Dopen2(f, dataset, H5P_DEFAULT);
  BOOST_REQUIRE(d >= 0);
  const hid_t dcpl = H5Dget_create_plist(d);
  out.layout = H5Pget_layout(dcpl);
  if (out.layout == H5D_CHUNKED) {
    out.chunk.resize(H5S_MAX_RANK);
    const int rank = H5Pget_chunk(dcpl, H5S_MAX_RANK, out.chunk.data());
    out.chunk.resize(static_cast<std::size_t>(std::max(rank, 0)));
  }
  const int nfilters = H5Pget_nfilters(dcpl);
  for (int i = 0; i < nfilters; ++i) {
    unsigned flags = 0;
    std::size_t nvalues = 4;
    unsigned values[4] = {};
    unsigned config = 0;
    char name[64];
    const H5Z_filter_t id = H5Pget_filter2(dcpl, static_cast<unsigned>(i), &flags, &nvalues, values,
                                           sizeof name, name, &config);
    if (id == H5Z_FILTER_DEFLATE) out.deflate_level = static_cast<int>(values[0]);
    if (id == H5Z_FILTER_SHUFFLE) out.shuffle = true;
  }
  H5Pclose(dcpl);
  H5Dclose(d);
  H5Fclose(f);
  return out;
}

/// True if dataset (or, with `attribute`, its attribute of that name) is stored as `type`.
bool storedAs(const std::filesystem::path& file, const char* object, hid_t type,
              const char* attribute = nullptr) {
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  BOOST_REQUIRE(f >= 0);
  hid_t t = -1;
  hid_t d = -1;
  if (attribute != nullptr) {
    d = H5Aopen_by_name(f, object, attribute, H5P_DEFAULT, H5P_DEFAULT);
    BOOST_REQUIRE(d >= 0);
    t = H5Aget_type(d);
    H5Aclose(d);
  } else {
    d = H5Dopen2(f, object, H5P_DEFAULT);
    BOOST_REQUIRE(d >= 0);
    t = H5Dget_type(d);
    H5Dclose(d);
  }
  const bool same = H5Tequal(t, type) > 0;
  H5Tclose(t);
  H5Fclose(f);
  return same;
}

/// Redirects file descriptor 2 into a file while alive: checks that HDF5 prints nothing.
class StderrCapture {
 public:
  explicit StderrCapture(std::filesystem::path file) : file_(std::move(file)) {
    std::fflush(stderr);
    saved_ = ::dup(2);
    const int fd = ::open(file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, 2);
    ::close(fd);
  }
  ~StderrCapture() { restore(); }
  StderrCapture(const StderrCapture&) = delete;
  StderrCapture& operator=(const StderrCapture&) = delete;

  std::string finish() {
    restore();
    std::ifstream in(file_);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

 private:
  void restore() {
    if (saved_ < 0) return;
    std::fflush(stderr);
    ::dup2(saved_, 2);
    ::close(saved_);
    saved_ = -1;
  }
  std::filesystem::path file_;
  int saved_ = -1;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(hdf5_file)

BOOST_AUTO_TEST_CASE(matrix_round_trip_keeps_shape_and_element_order) {
  TempDir dir;
  const auto file = dir / "m.h5";
  const Eigen::MatrixXd m = indexMatrix(3, 5);
  {
    auto h5 = H5File::create(file);
    BOOST_TEST(h5.isWritable());
    h5.writeMatrix("/results/weff", m, "S");
    h5.writeMatrix("transposed", m.transpose(), "S");    // an expression
    h5.writeMatrix("/block", m.block(1, 1, 2, 3), "S");  // a strided view
  }
  {
    const auto h5 = H5File::openReadOnly(file);
    BOOST_TEST(!h5.isWritable());
    const Eigen::MatrixXd back = h5.readMatrix("/results/weff");
    BOOST_TEST(back.rows() == 3);
    BOOST_TEST(back.cols() == 5);
    BOOST_TEST((back.array() == m.array()).all());
    BOOST_TEST((h5.readMatrix("/transposed").array() == m.transpose().array()).all());
    BOOST_TEST((h5.readMatrix("/block").array() == m.block(1, 1, 2, 3).array()).all());
    BOOST_TEST(h5.readStringAttribute("/results/weff", "units") == "S");
  }
  checkWithH5py(file, R"(
d = f['results/weff']
assert d.shape == (3, 5), d.shape
assert d.dtype == np.float64, d.dtype
for i in range(3):
    for j in range(5):
        assert d[i, j] == 10 * i + j + 0.25, (i, j, d[i, j])
assert isinstance(d.attrs['units'], str) and d.attrs['units'] == 'S', repr(d.attrs['units'])
assert f['transposed'].shape == (5, 3)
assert f['block'][0, 0] == 11.25 and f['block'].shape == (2, 3)
)");
}

BOOST_AUTO_TEST_CASE(vector_scalar_and_int_round_trip) {
  TempDir dir;
  const auto file = dir / "v.h5";
  Eigen::VectorXd v(4);
  v << 1.5, -2.0, 3.25, 1e-300;
  const std::vector<std::int64_t> ints{0, -1, std::numeric_limits<std::int64_t>::max(), 7};
  {
    auto h5 = H5File::create(file);
    h5.writeVector("/sweep/axes/v_read_v", v, "V");
    h5.writeScalar("/accuracy_float", 0.875, "1");
    h5.writeInts("/sweep/status", ints);
    h5.writeInts("/counts", {1, 2, 3}, "1");
  }
  const auto h5 = H5File::openReadOnly(file);
  const Eigen::VectorXd v2 = h5.readVector("/sweep/axes/v_read_v");
  BOOST_TEST((v2.array() == v.array()).all());
  const Eigen::MatrixXd as_matrix = h5.readMatrix("/sweep/axes/v_read_v");  // 1-D: a column
  BOOST_TEST(as_matrix.rows() == 4);
  BOOST_TEST(as_matrix.cols() == 1);
  BOOST_TEST((as_matrix.col(0).array() == v.array()).all());
  BOOST_TEST(h5.readScalar("/accuracy_float") == 0.875);
  BOOST_TEST(h5.readInts("/sweep/status") == ints, boost::test_tools::per_element());
  BOOST_TEST(!h5.hasAttribute("/sweep/status", "units"));
  BOOST_TEST(h5.readStringAttribute("/counts", "units") == "1");
  BOOST_TEST(h5.readMatrix("/counts")(2, 0) == 3.0);  // integers convert to double
  checkWithH5py(file, R"(
assert f['sweep/axes/v_read_v'].shape == (4,)
assert f['accuracy_float'].shape == () and f['accuracy_float'][()] == 0.875
s = f['sweep/status']
assert s.dtype == np.int64 and list(s[...]) == [0, -1, 2**63 - 1, 7], s[...]
assert 'units' not in s.attrs
)");
}

BOOST_AUTO_TEST_CASE(empty_matrix_round_trip) {
  TempDir dir;
  const auto file = dir / "e.h5";
  {
    auto h5 = H5File::create(file);
    h5.writeMatrix("/empty", Eigen::MatrixXd(0, 3), "A");
    h5.writeStrings("/no_strings", {});
  }
  const auto h5 = H5File::openReadOnly(file);
  const Eigen::MatrixXd back = h5.readMatrix("/empty");
  BOOST_TEST(back.rows() == 0);
  BOOST_TEST(back.cols() == 3);
  BOOST_TEST(h5.readStrings("/no_strings").empty());
}

BOOST_AUTO_TEST_CASE(large_matrix_is_chunked_and_compressed_small_is_contiguous) {
  TempDir dir;
  const auto file = dir / "big.h5";
  // 300 x 200 doubles = 480 KB > kContiguousMaxBytes.
  Eigen::MatrixXd big(300, 200);
  for (Eigen::Index i = 0; i < big.rows(); ++i) {
    for (Eigen::Index j = 0; j < big.cols(); ++j) {
      big(i, j) = std::sin(0.01 * double(i * big.cols() + j)) * 1e-6;
    }
  }
  {
    auto h5 = H5File::create(file);
    h5.writeMatrix("/big", big, "S");
    h5.writeMatrix("/small", indexMatrix(10, 10), "S");
    h5.writeVector("/long", Eigen::VectorXd::LinSpaced(20000, 0.0, 1.0), "s");
  }
  {
    const auto h5 = H5File::openReadOnly(file);
    BOOST_TEST((h5.readMatrix("/big").array() == big.array()).all());
    BOOST_TEST(h5.readVector("/long").size() == 20000);
  }
  const Layout big_layout = layoutOf(file, "/big");
  BOOST_TEST(big_layout.layout == H5D_CHUNKED);
  BOOST_TEST(big_layout.deflate_level == int(io::kDeflateLevel));
  BOOST_TEST(big_layout.shuffle);
  BOOST_REQUIRE(big_layout.chunk.size() == 2u);
  BOOST_TEST(big_layout.chunk[1] == 200u);  // whole rows per chunk
  BOOST_TEST(big_layout.chunk[0] * big_layout.chunk[1] * sizeof(double) <= io::kChunkTargetBytes);
  BOOST_TEST(layoutOf(file, "/long").layout == H5D_CHUNKED);
  const Layout small_layout = layoutOf(file, "/small");
  BOOST_TEST(small_layout.layout == H5D_CONTIGUOUS);
  BOOST_TEST(small_layout.deflate_level == -1);
  checkWithH5py(file, R"(
d = f['big']
assert d.shape == (300, 200) and d.chunks is not None, (d.shape, d.chunks)
assert d.compression == 'gzip' and d.compression_opts == 4, (d.compression, d.compression_opts)
i, j = 123, 45
assert d[i, j] == np.sin(0.01 * (i * 200 + j)) * 1e-6
assert f['small'].chunks is None
)");
}

BOOST_AUTO_TEST_CASE(typed_arrays_of_each_element_type_and_rank) {
  TempDir dir;
  const auto file = dir / "t.h5";
  // Values tell their C-order index: v[i] = i (+ 0.5 for floats), exact in every type.
  std::vector<float> f4(2 * 3 * 4 * 5);
  for (std::size_t i = 0; i < f4.size(); ++i) f4[i] = float(i) + 0.5f;
  const std::vector<std::int32_t> i32{-2147483647 - 1, -1, 0, 7, 2147483647};
  std::vector<std::uint8_t> u8(2 * 128);
  for (std::size_t i = 0; i < u8.size(); ++i) u8[i] = std::uint8_t(i);
  const std::vector<double> d3{0.25, -1.5, 3.0, 1e300, -0.0, 6.5};
  const std::vector<std::int64_t> scalar{-(std::int64_t{1} << 62)};
  {
    auto h5 = H5File::create(file);
    h5.writeArray<float>("/w/conv", {2, 3, 4, 5}, f4);
    h5.writeArray<std::int32_t>("/i32", {5}, i32, "1");
    h5.writeArray<std::uint8_t>("/u8", {2, 128}, u8);
    h5.writeArray<double>("/d3", {1, 2, 3}, d3, "V");
    h5.writeArray<std::int64_t>("/scalar", {}, scalar);
    h5.writeArray<float>("/empty", {0, 4}, std::vector<float>{});
    const std::string msg = thrownMessage<IoError>(
        [&] { h5.writeArray<float>("/bad", {2, 3}, std::vector<float>(5)); });
    BOOST_TEST(contains(msg, file.string() + ":/bad"));
    BOOST_TEST(contains(msg, "6 elements"));
    BOOST_TEST(!h5.exists("/bad"));
  }
  // Storage types, read with the raw C API.
  BOOST_TEST(storedAs(file, "/w/conv", H5T_IEEE_F32LE));
  BOOST_TEST(storedAs(file, "/i32", H5T_STD_I32LE));
  BOOST_TEST(storedAs(file, "/u8", H5T_STD_U8LE));
  BOOST_TEST(storedAs(file, "/d3", H5T_IEEE_F64LE));
  BOOST_TEST(storedAs(file, "/scalar", H5T_STD_I64LE));
  {  // element [1, 2, 3, 4] of the 4-D dataset, read by the C API, is C-order index 119
    const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    const hid_t d = H5Dopen2(f, "/w/conv", H5P_DEFAULT);
    const hid_t space = H5Dget_space(d);
    const hsize_t start[4] = {1, 2, 3, 4};
    const hsize_t count[4] = {1, 1, 1, 1};
    H5Sselect_hyperslab(space, H5S_SELECT_SET, start, nullptr, count, nullptr);
    const hsize_t one = 1;
    const hid_t mem = H5Screate_simple(1, &one, nullptr);
    float value = 0;
    BOOST_REQUIRE(H5Dread(d, H5T_NATIVE_FLOAT, mem, space, H5P_DEFAULT, &value) >= 0);
    BOOST_TEST(value == 119.5f);
    H5Sclose(mem);
    H5Sclose(space);
    H5Dclose(d);
    H5Fclose(f);
  }
  const auto h5 = H5File::openReadOnly(file);
  std::vector<std::size_t> dims;
  BOOST_TEST(h5.readArray<float>("/w/conv", &dims) == f4, boost::test_tools::per_element());
  BOOST_TEST(dims == (std::vector<std::size_t>{2, 3, 4, 5}), boost::test_tools::per_element());
  BOOST_TEST(h5.readArray<std::int32_t>("/i32") == i32, boost::test_tools::per_element());
  BOOST_TEST(h5.readArray<std::uint8_t>("/u8") == u8, boost::test_tools::per_element());
  BOOST_TEST(h5.readArray<double>("/d3", &dims) == d3, boost::test_tools::per_element());
  BOOST_TEST(dims == (std::vector<std::size_t>{1, 2, 3}), boost::test_tools::per_element());
  BOOST_TEST(h5.readArray<std::int64_t>("/scalar", &dims) == scalar,
             boost::test_tools::per_element());
  BOOST_TEST(dims.empty());
  BOOST_TEST(h5.readArray<float>("/empty", &dims).empty());
  BOOST_TEST(dims == (std::vector<std::size_t>{0, 4}), boost::test_tools::per_element());
  BOOST_TEST(h5.readStringAttribute("/i32", "units") == "1");
  BOOST_TEST(!h5.hasAttribute("/u8", "units"));  // units only when given
  // Conversions: integers read as floats; floats are not truncated into integers.
  BOOST_TEST(h5.readArray<double>("/i32")[0] == -2147483648.0);
  BOOST_TEST(h5.readReals("/u8")[255] == 255.0);
  BOOST_TEST(h5.readArray<std::int64_t>("/u8")[200] == 200);
  const std::string msg = thrownMessage<IoError>([&] { (void)h5.readArray<std::int32_t>("/d3"); });
  BOOST_TEST(contains(msg, file.string() + ":/d3"));
  BOOST_TEST(contains(msg, "float"));
}

BOOST_AUTO_TEST_CASE(large_float32_array_is_chunked_by_whole_trailing_dimensions) {
  TempDir dir;
  const auto file = dir / "c.h5";
  // 1000 x 16 x 3 x 3 float32 = 576 KB. The chunk takes whole trailing dimensions (144
  // floats) and as many of them as fit in kChunkTargetBytes: 262144 / (4 * 144) = 455.
  std::vector<float> w(1000 * 16 * 3 * 3);
  for (std::size_t i = 0; i < w.size(); ++i) w[i] = std::sin(float(i));
  {
    auto h5 = H5File::create(file);
    h5.writeArray<float>("/weight", {1000, 16, 3, 3}, w);
    h5.writeArray<float>("/small", {100, 100}, std::vector<float>(100 * 100, 1.0f));  // 40 KB
  }
  const Layout big = layoutOf(file, "/weight");
  BOOST_TEST(big.layout == H5D_CHUNKED);
  BOOST_TEST(big.chunk == (std::vector<hsize_t>{455, 16, 3, 3}), boost::test_tools::per_element());
  BOOST_TEST(big.shuffle);
  BOOST_TEST(big.deflate_level == int(io::kDeflateLevel));
  BOOST_TEST(layoutOf(file, "/small").layout == H5D_CONTIGUOUS);
  BOOST_TEST(H5File::openReadOnly(file).readArray<float>("/weight") == w,
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(declared_shapes_are_bounded_before_allocation) {
  TempDir dir;
  const auto file = dir / "huge.h5";
  {
    // Declared only (fill values, nothing stored): what a hostile file can claim for free.
    auto h5 = H5File::create(file);
    h5.createFilledReals("/big", {std::size_t{1} << 20, std::size_t{1} << 20}, 0.0, "1");
    h5.createFilledReals("/overflow", {std::size_t{1} << 33, std::size_t{1} << 33}, 0.0, "1");
    h5.createFilledReals("/zero", {0, std::size_t{1} << 40}, 0.0, "1");
  }
  const auto h5 = H5File::openReadOnly(file);
  constexpr std::size_t kLimit = std::size_t{1} << 28;
  std::string msg =
      thrownMessage<IoError>([&] { (void)h5.readArray<double>("/big", nullptr, kLimit); });
  BOOST_TEST(contains(msg, file.string() + ":/big"));
  BOOST_TEST(contains(msg, "(1048576, 1048576)"));
  BOOST_TEST(contains(msg, "too large"));
  // 2^66 elements do not fit in size_t: refused even without a limit, by every reader.
  msg = thrownMessage<IoError>([&] { (void)h5.readMatrix("/overflow"); });
  BOOST_TEST(contains(msg, "too large"));
  BOOST_CHECK_THROW((void)h5.readReals("/overflow"), IoError);
  // A zero dimension does not hide a huge one.
  BOOST_CHECK_THROW((void)h5.readArray<double>("/zero", nullptr, kLimit), IoError);
  BOOST_TEST(h5.readArray<double>("/zero").empty());
}

BOOST_AUTO_TEST_CASE(typed_array_attributes) {
  TempDir dir;
  const auto file = dir / "a.h5";
  {
    auto h5 = H5File::create(file);
    h5.writeScalar("/x", 1.0, "1");
    h5.setArrayAttribute<std::int32_t>("/x", "i32", std::vector<std::int32_t>{-3, 4});
    h5.setArrayAttribute<std::uint8_t>("/", "u8", std::vector<std::uint8_t>{0, 255});
    h5.setArrayAttribute<float>("/g", "f32", std::vector<float>{0.5f, -2.0f, 8.0f});
    h5.setIntsAttribute("/", "shape", {1, 28, 28});
  }
  BOOST_TEST(storedAs(file, "/x", H5T_STD_I32LE, "i32"));
  BOOST_TEST(storedAs(file, "/", H5T_STD_U8LE, "u8"));
  BOOST_TEST(storedAs(file, "/g", H5T_IEEE_F32LE, "f32"));
  BOOST_TEST(storedAs(file, "/", H5T_STD_I64LE, "shape"));
  const auto h5 = H5File::openReadOnly(file);
  BOOST_TEST(h5.readArrayAttribute<std::int32_t>("/x", "i32") == (std::vector<std::int32_t>{-3, 4}),
             boost::test_tools::per_element());
  BOOST_TEST(h5.readArrayAttribute<std::uint8_t>("/", "u8") ==
                 (std::vector<std::uint8_t>{0, 255}),
             boost::test_tools::per_element());
  BOOST_TEST(h5.readArrayAttribute<float>("/g", "f32") == (std::vector<float>{0.5f, -2.0f, 8.0f}),
             boost::test_tools::per_element());
  BOOST_TEST(h5.readArrayAttribute<std::int64_t>("/", "shape") ==
                 (std::vector<std::int64_t>{1, 28, 28}),
             boost::test_tools::per_element());
  BOOST_TEST(h5.readDoubleVectorAttribute("/x", "i32") == (std::vector<double>{-3.0, 4.0}),
             boost::test_tools::per_element());
  const std::string msg =
      thrownMessage<IoError>([&] { (void)h5.readArrayAttribute<std::int64_t>("/g", "f32"); });
  BOOST_TEST(contains(msg, file.string() + ":/g"));
  BOOST_TEST(contains(msg, "f32"));
  BOOST_TEST(contains(msg, "float"));
}

BOOST_AUTO_TEST_CASE(list_group_sorted_and_refuses_datasets) {
  TempDir dir;
  const auto file = dir / "l.h5";
  {
    auto h5 = H5File::create(file);
    for (const char* name : {"b", "010", "a", "002", "B"}) {
      h5.createGroup(std::string("/g/") + name);
    }
    h5.writeScalar("/g/z", 1.0, "1");
  }
  const auto h5 = H5File::openReadOnly(file);
  BOOST_TEST(h5.listGroup("/g") == (std::vector<std::string>{"002", "010", "B", "a", "b", "z"}),
             boost::test_tools::per_element());
  BOOST_TEST(h5.listGroup("/none").empty());
  const std::string msg = thrownMessage<IoError>([&] { (void)h5.listGroup("/g/z"); });
  BOOST_TEST(contains(msg, file.string() + ":/g/z"));
  BOOST_TEST(contains(msg, "not a group"));
}

BOOST_AUTO_TEST_CASE(attributes_of_each_type) {
  TempDir dir;
  const auto file = dir / "a.h5";
  {
    auto h5 = H5File::create(file);
    h5.setAttribute("/", "xbarsim_version", "0.1.0");
    h5.setAttribute("/", "command_line", std::string("xbarsim run --config \"a b.toml\""));
    h5.setAttribute("/", "empty", std::string_view{});
    h5.setAttribute("/", "unicode", "G in µS, R in Ω");
    h5.setAttribute("/", "seed", std::int64_t{-42});
    h5.setAttribute("/", "answer", 42);                   // int: the integral template
    h5.setAttribute("/", "big", std::uint64_t{1} << 40);  // unsigned within int64
    h5.setAttribute("/", "v_read_v", 0.2);
    h5.setAttribute("/", "axis", std::vector<double>{1.0, 2.5, -3.0});
    h5.setAttribute("/config", "toml", "[crossbar]\nrows = 4\n");  // group created on demand
    h5.setAttribute("/provenance/host", "name", "node-1");         // nested groups too
    h5.writeScalar("/x", 1.0, "1");
    h5.setAttribute("/x", "note", "on a dataset");
    h5.setAttribute("/", "replaced", 1.0);
    h5.setAttribute("/", "replaced", "now a string");  // replacing changes the type
    BOOST_CHECK_THROW(h5.setAttribute("/", "too_big", std::numeric_limits<std::uint64_t>::max()),
                      std::out_of_range);
  }
  const auto h5 = H5File::openReadOnly(file);
  BOOST_TEST(h5.readStringAttribute("/", "xbarsim_version") == "0.1.0");
  BOOST_TEST(h5.readStringAttribute("/", "command_line") == "xbarsim run --config \"a b.toml\"");
  BOOST_TEST(h5.readStringAttribute("/", "empty").empty());
  BOOST_TEST(h5.readStringAttribute("/", "unicode") == "G in µS, R in Ω");
  BOOST_TEST(h5.readIntAttribute("/", "seed") == -42);
  BOOST_TEST(h5.readIntAttribute("/", "answer") == 42);
  BOOST_TEST(h5.readIntAttribute("/", "big") == std::int64_t{1} << 40);
  BOOST_TEST(h5.readDoubleAttribute("/", "seed") == -42.0);  // integers read as double too
  BOOST_TEST(h5.readDoubleAttribute("/", "v_read_v") == 0.2);
  BOOST_TEST(h5.readDoubleVectorAttribute("/", "axis") == (std::vector<double>{1.0, 2.5, -3.0}),
             boost::test_tools::per_element());
  BOOST_TEST(h5.readStringAttribute("/config", "toml") == "[crossbar]\nrows = 4\n");
  BOOST_TEST(h5.readStringAttribute("/provenance/host", "name") == "node-1");
  BOOST_TEST(h5.readStringAttribute("/x", "note") == "on a dataset");
  BOOST_TEST(h5.readStringAttribute("/", "replaced") == "now a string");
  BOOST_TEST(!h5.hasAttribute("/", "too_big"));
  BOOST_TEST(h5.hasAttribute("/", "seed"));
  BOOST_TEST(!h5.hasAttribute("/", "nope"));
  BOOST_TEST(!h5.hasAttribute("/no/such/group", "seed"));

  // Wrong type or missing: IoError naming file, object and attribute.
  std::string msg = thrownMessage<IoError>([&] { (void)h5.readIntAttribute("/", "v_read_v"); });
  BOOST_TEST(contains(msg, file.string()));
  BOOST_TEST(contains(msg, "v_read_v"));
  msg = thrownMessage<IoError>([&] { (void)h5.readDoubleAttribute("/", "xbarsim_version"); });
  BOOST_TEST(contains(msg, "string"));
  msg = thrownMessage<IoError>([&] { (void)h5.readDoubleAttribute("/", "axis"); });
  BOOST_TEST(contains(msg, "3 elements"));
  msg = thrownMessage<IoError>([&] { (void)h5.readStringAttribute("/x", "missing"); });
  BOOST_TEST(contains(msg, file.string() + ":/x"));
  BOOST_TEST(contains(msg, "missing"));

  checkWithH5py(file, R"(
a = f.attrs
for k in ['xbarsim_version', 'command_line', 'empty', 'unicode']:
    assert isinstance(a[k], str), (k, type(a[k]))
assert a['unicode'] == 'G in \u00b5S, R in \u03a9'
assert a['seed'] == -42 and a['seed'].dtype == np.int64
assert a['answer'] == 42
assert a['v_read_v'] == 0.2 and a['v_read_v'].dtype == np.float64
assert list(a['axis']) == [1.0, 2.5, -3.0]
assert f['config'].attrs['toml'] == '[crossbar]\nrows = 4\n'
assert isinstance(f['config'], h5py.Group)
)");
}

BOOST_AUTO_TEST_CASE(strings_round_trip_as_utf8) {
  TempDir dir;
  const auto file = dir / "s.h5";
  const std::vector<std::string> messages{"", "ok", "newton failed at t = 1e-9 s", "ΔG / G₀ ✓"};
  {
    auto h5 = H5File::create(file);
    h5.writeStrings("/sweep/messages", messages);
    BOOST_CHECK_THROW(h5.writeStrings("/nul", {std::string("a\0b", 3)}), IoError);
  }
  const auto h5 = H5File::openReadOnly(file);
  BOOST_TEST(h5.readStrings("/sweep/messages") == messages, boost::test_tools::per_element());
  checkWithH5py(file, R"(
d = f['sweep/messages']
assert h5py.check_string_dtype(d.dtype).encoding == 'utf-8'
assert h5py.check_string_dtype(d.dtype).length is None  # variable length
assert list(d.asstr()[...]) == ['', 'ok', 'newton failed at t = 1e-9 s', '\u0394G / G\u2080 \u2713']
)");
}

BOOST_AUTO_TEST_CASE(reads_data_written_by_other_tools) {
  // Fixed-length strings, int32 and float32 data and a 3-D array, written with the raw C API as
  // another tool might.
  TempDir dir;
  const auto file = dir / "other.h5";
  {
    const hid_t f = H5Fcreate(file.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    const hid_t str8 = H5Tcopy(H5T_C_S1);
    H5Tset_size(str8, 8);
    H5Tset_strpad(str8, H5T_STR_NULLPAD);
    const hsize_t n2[1] = {2};
    const hid_t s2 = H5Screate_simple(1, n2, nullptr);
    const char names[16] = {'a', 'l', 'p', 'h', 'a', 0,   0,   0,
                            'b', 'e', 't', 'a', 'b', 'e', 't', 'a'};
    hid_t d = H5Dcreate2(f, "names", str8, s2, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(d, str8, H5S_ALL, H5S_ALL, H5P_DEFAULT, names);
    H5Dclose(d);

    const hid_t space_pad = H5Tcopy(H5T_C_S1);
    H5Tset_size(space_pad, 6);
    H5Tset_strpad(space_pad, H5T_STR_SPACEPAD);
    const hid_t scalar = H5Screate(H5S_SCALAR);
    const hid_t a = H5Acreate2(f, "fixed", space_pad, scalar, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(a, space_pad, "ohm   ");
    H5Aclose(a);

    const hsize_t dims23[2] = {2, 3};
    const hid_t s23 = H5Screate_simple(2, dims23, nullptr);
    const std::int32_t ints[6] = {1, 2, 3, 4, 5, -6};
    d = H5Dcreate2(f, "ints", H5T_STD_I32BE, s23, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(d, H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, ints);
    H5Dclose(d);
    const float floats[6] = {0.5f, 1.5f, 2.5f, 3.5f, 4.5f, 5.5f};
    d = H5Dcreate2(f, "floats", H5T_IEEE_F32LE, s23, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, floats);
    H5Dclose(d);

    const hsize_t dims3[3] = {2, 3, 4};
    const hid_t s3 = H5Screate_simple(3, dims3, nullptr);
    d = H5Dcreate2(f, "cube", H5T_IEEE_F64LE, s3, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dclose(d);
    for (hid_t id : {str8, space_pad}) H5Tclose(id);
    for (hid_t id : {s2, scalar, s23, s3}) H5Sclose(id);
    BOOST_REQUIRE(H5Fclose(f) >= 0);
  }
  const auto h5 = H5File::openReadOnly(file);
  BOOST_TEST(h5.readStrings("/names") == (std::vector<std::string>{"alpha", "betabeta"}),
             boost::test_tools::per_element());
  BOOST_TEST(h5.readStringAttribute("/", "fixed") == "ohm");
  const Eigen::MatrixXd ints = h5.readMatrix("/ints");
  BOOST_TEST(ints.rows() == 2);
  BOOST_TEST(ints(0, 2) == 3.0);
  BOOST_TEST(ints(1, 2) == -6.0);
  BOOST_TEST(h5.readMatrix("/floats")(1, 0) == 3.5);
  const std::string msg = thrownMessage<IoError>([&] { (void)h5.readMatrix("/cube"); });
  BOOST_TEST(contains(msg, "(2, 3, 4)"));
  BOOST_TEST(contains(msg, file.string() + ":/cube"));
  BOOST_CHECK_THROW((void)h5.readInts("/floats"), IoError);
  BOOST_CHECK_THROW((void)h5.readScalar("/ints"), IoError);
}

BOOST_AUTO_TEST_CASE(dimension_scales_label_axes) {
  TempDir dir;
  const auto file = dir / "ds.h5";
  {
    auto h5 = H5File::create(file);
    h5.writeMatrix("/weff", indexMatrix(3, 4), "S");
    h5.writeVector("/row", Eigen::VectorXd::LinSpaced(3, 0.0, 2.0), "1");
    h5.writeVector("/col", Eigen::VectorXd::LinSpaced(4, 0.0, 3.0), "1");
    h5.makeDimensionScale("/row", "row");
    h5.makeDimensionScale("/col", "");
    h5.attachDimensionScale("/weff", "/row", 0);
    h5.attachDimensionScale("/weff", "/col", 1);
    h5.setDimensionLabel("/weff", 0, "row");
    h5.setDimensionLabel("/weff", 1, "col");

    std::string msg = thrownMessage<IoError>([&] { h5.attachDimensionScale("/weff", "/row", 1); });
    BOOST_TEST(contains(msg, "length 4"));
    BOOST_TEST(contains(msg, "3 values"));
    msg = thrownMessage<IoError>([&] { h5.attachDimensionScale("/weff", "/row", 2); });
    BOOST_TEST(contains(msg, "no dimension 2"));
    BOOST_CHECK_THROW(h5.makeDimensionScale("/weff", "2d"), IoError);
    BOOST_CHECK_THROW(h5.attachDimensionScale("/weff", "/nope", 0), IoError);
  }
  checkWithH5py(file, R"(
d = f['weff']
assert d.dims[0][0].name == '/row', d.dims[0][0].name
assert d.dims[1][0].name == '/col', d.dims[1][0].name
assert d.dims[0].label == 'row' and d.dims[1].label == 'col'
assert h5py.h5ds.is_scale(f['row'].id) and h5py.h5ds.is_scale(f['col'].id)
assert list(d.dims[1][0][...]) == [0.0, 1.0, 2.0, 3.0]
)");
}

BOOST_AUTO_TEST_CASE(read_errors_name_file_and_dataset) {
  TempDir dir;
  const auto file = dir / "r.h5";
  {
    auto h5 = H5File::create(file);
    h5.writeStrings("/text", {"a"});
    h5.createGroup("/group");
  }
  const auto h5 = H5File::openReadOnly(file);
  std::string msg = thrownMessage<IoError>([&] { (void)h5.readMatrix("/results/nope"); });
  BOOST_TEST(contains(msg, file.string() + ":/results/nope"));
  BOOST_TEST(contains(msg, "no such dataset"));
  msg = thrownMessage<IoError>([&] { (void)h5.readMatrix("/group"); });
  BOOST_TEST(contains(msg, "not a dataset"));
  msg = thrownMessage<IoError>([&] { (void)h5.readMatrix("/text"); });
  BOOST_TEST(contains(msg, "string"));
  msg = thrownMessage<IoError>([&] { (void)h5.readStrings("/text/below"); });
  BOOST_TEST(contains(msg, "no such dataset"));

  const auto missing = dir / "missing.h5";
  msg = thrownMessage<IoError>([&] { (void)H5File::openReadOnly(missing); });
  BOOST_TEST(contains(msg, missing.string()));
  BOOST_TEST(!std::filesystem::exists(missing));  // opening never creates
  BOOST_CHECK_THROW((void)H5File::openReadWrite(missing), IoError);
}

BOOST_AUTO_TEST_CASE(not_hdf5_error_carries_hdf5_stack_and_prints_nothing) {
  TempDir dir;
  const auto text = dir / "not.h5";
  io::test::writeText(text, "1,2,3\n");
  std::string msg;
  std::string printed;
  {
    StderrCapture capture(dir / "stderr.txt");
    try {
      (void)H5File::openReadOnly(text);
    } catch (const IoError& e) {
      msg = e.what();
    }
    printed = capture.finish();
  }
  BOOST_TEST(contains(msg, text.string()));
  BOOST_TEST(contains(msg, "H5Fopen"));    // the failing C call
  BOOST_TEST(contains(msg, "signature"));  // from the HDF5 error stack
  BOOST_TEST(printed.empty(), "HDF5 printed to stderr:\n" << printed);
}

BOOST_AUTO_TEST_CASE(write_errors) {
  TempDir dir;
  const auto file = dir / "w.h5";
  {
    auto h5 = H5File::create(file);
    h5.writeScalar("/x", 1.0, "1");
    std::string msg = thrownMessage<IoError>([&] { h5.writeScalar("/x", 2.0, "1"); });
    BOOST_TEST(contains(msg, file.string() + ":/x"));
    BOOST_TEST(contains(msg, "already exists"));
    BOOST_CHECK_THROW(h5.writeMatrix("/m", indexMatrix(2, 2), ""), std::invalid_argument);
    BOOST_CHECK_THROW(h5.writeScalar("/x/below", 1.0, "1"), IoError);  // parent is a dataset
    BOOST_CHECK_THROW(h5.createGroup("/x"), IoError);
    BOOST_CHECK_THROW(h5.writeScalar("", 1.0, "1"), std::invalid_argument);
  }
  auto ro = H5File::openReadOnly(file);
  const std::string msg = thrownMessage<IoError>([&] { ro.writeScalar("/y", 1.0, "1"); });
  BOOST_TEST(contains(msg, "read-only"));
  BOOST_CHECK_THROW(ro.setAttribute("/", "a", 1.0), IoError);
}

BOOST_AUTO_TEST_CASE(exists_groups_reopen_move_and_close) {
  TempDir dir;
  const auto file = dir / "g.h5";
  {
    auto h5 = H5File::create(file);
    BOOST_TEST(h5.exists("/"));
    BOOST_TEST(!h5.exists("/a"));
    h5.writeScalar("/a/b/c", 1.0, "1");
    BOOST_TEST(h5.exists("/a"));
    BOOST_TEST(h5.exists("a/b/"));
    BOOST_TEST(h5.exists("/a/b/c"));
    BOOST_TEST(!h5.exists("/a/b/c/d"));  // below a dataset: false, not an exception
    BOOST_TEST(!h5.exists("/a/x/y"));
    h5.createGroup("/g/h");
    h5.createGroup("/g/h");  // idempotent
    BOOST_TEST(h5.exists("/g/h"));
    h5.flush();

    H5File moved = std::move(h5);
    BOOST_TEST(!h5.isOpen());  // NOLINT(bugprone-use-after-move): checking the moved-from state
    BOOST_TEST(moved.isOpen());
    BOOST_CHECK_THROW((void)h5.exists("/"), IoError);
    moved.close();
    BOOST_TEST(!moved.isOpen());
    BOOST_CHECK_THROW(moved.close(), IoError);
    BOOST_CHECK_THROW((void)moved.readScalar("/a/b/c"), IoError);
  }
  {
    auto h5 = H5File::openReadWrite(file);
    h5.writeScalar("/later", 2.0, "s");
    h5 = H5File::create(dir / "other.h5");  // move-assignment closes the first file
    BOOST_TEST(h5.path() == dir / "other.h5");
  }
  const auto h5 = H5File::openReadOnly(file);
  BOOST_TEST(h5.readScalar("/a/b/c") == 1.0);
  BOOST_TEST(h5.readScalar("/later") == 2.0);
  BOOST_TEST(h5.readStringAttribute("/later", "units") == "s");
}

BOOST_AUTO_TEST_SUITE_END()
