// SPDX-License-Identifier: MIT
#define BOOST_TEST_MODULE dnn
#include <boost/test/unit_test.hpp>
