// SPDX-License-Identifier: MIT
#define BOOST_TEST_MODULE spice_session
#include <boost/test/unit_test.hpp>
