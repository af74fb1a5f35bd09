// SPDX-License-Identifier: MIT
#include <zlib.h>

#include <boost/test/unit_test.hpp>

#include "dnn_test_util.hpp"
#include "xbarsim/core/error.hpp"
#include "xbarsim/dnn/dataset.hpp"

using namespace dnn_test;
using namespace xbarsim::dnn;

namespace {

void writeGz(const std::filesystem::path& p, const std::vector<unsigned char>& bytes) {
  gzFile f = gzopen(p.c_str(), "wb");
  gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(f);
}

std::vector<unsigned char> idx(std::vector<std::uint32_t> dims, std::size_t payload,
                               unsigned char fill) {
  std::vector<unsigned char> b{0, 0, 0x08, static_cast<unsigned char>(dims.size())};
  for (std::uint32_t d : dims)
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<unsigned char>(d >> s));
  for (std::size_t i = 0; i < payload; ++i) b.push_back(static_cast<unsigned char>((i * 7 + fill) % 10));
  return b;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(dataset)

BOOST_AUTO_TEST_CASE(synthetic_is_seeded) {
  const Dataset a = makeSynthetic(SyntheticSpec{}, Split::Train);
  const Dataset b = makeSynthetic(SyntheticSpec{}, Split::Train);
  const Dataset t = makeSynthetic(SyntheticSpec{}, Split::Test);
  BOOST_TEST(a.size() == 2048);
  BOOST_TEST(t.size() == 512);
  BOOST_TEST((a.pixels == b.pixels));
  BOOST_TEST((a.pixels.leftCols(10) != t.pixels.leftCols(10)));
  BOOST_TEST(a.labels[5] == 1);
  SyntheticSpec other;
  other.seed = 8;
  BOOST_TEST((makeSynthetic(other, Split::Train).pixels != a.pixels));
}

BOOST_AUTO_TEST_CASE(idx_files) {
  TempDir dir;
  // 3 images of 2x2 and their labels
  writeGz(dir.path() / "t10k-images-idx3-ubyte.gz", idx({3, 2, 2}, 12, 0));
  writeGz(dir.path() / "t10k-labels-idx1-ubyte.gz", idx({3}, 3, 1));
  const Dataset d = loadFashionMnist(Split::Test, dir.path());
  BOOST_TEST(d.size() == 3);
  BOOST_TEST((d.shape == Shape{1, 2, 2}));
  BOOST_TEST(d.pixels(1, 0) == 7);   // second pixel of the first image
  BOOST_TEST(d.pixels(0, 1) == 8);   // first pixel of the second image: (4*7) % 10
  BOOST_TEST(d.labels[1] == 8);
  // truncated payload, wrong magic, count mismatch
  writeGz(dir.path() / "t10k-images-idx3-ubyte.gz", idx({3, 2, 2}, 11, 0));
  BOOST_CHECK_THROW((void)loadFashionMnist(Split::Test, dir.path()), xbarsim::IoError);
  writeGz(dir.path() / "t10k-images-idx3-ubyte.gz", idx({3, 4}, 12, 0));
  BOOST_CHECK_THROW((void)loadFashionMnist(Split::Test, dir.path()), xbarsim::IoError);
  writeGz(dir.path() / "t10k-images-idx3-ubyte.gz", idx({4, 2, 2}, 16, 0));
  BOOST_CHECK_THROW((void)loadFashionMnist(Split::Test, dir.path()), xbarsim::IoError);
}

BOOST_AUTO_TEST_CASE(missing_package_is_named) {
  TempDir dir;
  try {
    (void)loadFashionMnist(Split::Test, dir.path() / "nowhere");
    BOOST_ERROR("no exception");
  } catch (const xbarsim::IoError& e) {
    BOOST_TEST(std::string(e.what()).find("dataset-fashion-mnist") != std::string::npos);
    BOOST_TEST(std::string(e.what()).find("nowhere") != std::string::npos);
  }
  BOOST_CHECK_THROW((void)loadDataset("cifar", Split::Test), xbarsim::ConfigError);
}

BOOST_AUTO_TEST_SUITE_END()
