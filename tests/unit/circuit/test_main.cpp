// SPDX-License-Identifier: MIT
#define BOOST_TEST_MODULE circuit_native
#include <boost/test/unit_test.hpp>
