// SPDX-License-Identifier: MIT
#include <boost/test/unit_test.hpp>
#include <charconv>
#include <cmath>
#include <limits>

#include "xbarsim/core/error.hpp"
#include "xbarsim/core/numbers.hpp"
#include "xbarsim/core/rng.hpp"

BOOST_AUTO_TEST_SUITE(numbers)

BOOST_AUTO_TEST_CASE(round_trip_is_exact) {
  xbarsim::RngStream rng(7, xbarsim::StreamPurpose::Inputs);
  for (int k = 0; k < 10000; ++k) {
    const double x = std::ldexp(rng.uniform(), static_cast<int>(rng.uniform(-60, 60)));
    const std::string text = xbarsim::formatExact(x);
    double back = 0;
    std::from_chars(text.data(), text.data() + text.size(), back);
    BOOST_TEST(back == x);
  }
  BOOST_TEST(xbarsim::formatExact(2e-9) == "2e-09");
}

BOOST_AUTO_TEST_CASE(spice_numbers_reject_non_finite) {
  BOOST_CHECK_THROW((void)xbarsim::spiceNumber(std::nan("")), xbarsim::Error);
  BOOST_CHECK_THROW((void)xbarsim::spiceNumber(std::numeric_limits<double>::infinity()),
                    xbarsim::Error);
}

BOOST_AUTO_TEST_CASE(rng_streams_are_reproducible_and_distinct) {
  xbarsim::RngStream a(1, xbarsim::StreamPurpose::Conductances);
  xbarsim::RngStream b(1, xbarsim::StreamPurpose::Conductances);
  xbarsim::RngStream c(1, xbarsim::StreamPurpose::Programming);
  const double xa = a.uniform();
  BOOST_TEST(xa == b.uniform());
  BOOST_TEST(xa != c.uniform());
  BOOST_TEST(xa >= 0.0);
  BOOST_TEST(xa < 1.0);
}

BOOST_AUTO_TEST_SUITE_END()
