// SPDX-License-Identifier: MIT
#define BOOST_TEST_MODULE device_integration
#include <boost/test/unit_test.hpp>
