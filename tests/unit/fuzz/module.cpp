// SPDX-License-Identifier: MIT
#define BOOST_TEST_MODULE fuzz_regressions
#include <boost/test/unit_test.hpp>
