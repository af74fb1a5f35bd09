// SPDX-License-Identifier: MIT
// core::Registry: lookup by name and alias, duplicates refused, unknown names listed.
#include <boost/test/unit_test.hpp>

#include <string>
#include <string_view>

#include "xbarsim/core/error.hpp"
#include "xbarsim/core/registry.hpp"

namespace {

struct Kind {
  std::string_view name;
  std::string_view aliases;
  int value = 0;
};

const Kind kA{"alpha", "a,first", 1};
const Kind kB{"beta", "", 2};
const Kind kDuplicate{"gamma", "beta", 3};

}  // namespace

BOOST_AUTO_TEST_SUITE(registry)

BOOST_AUTO_TEST_CASE(finds_kinds_by_name_and_alias) {
  const xbarsim::core::Registry<Kind> r("thing", {&kA, &kB});
  BOOST_TEST(r.get("alpha").value == 1);
  BOOST_TEST(r.get("a").value == 1);
  BOOST_TEST(r.get("first").value == 1);
  BOOST_TEST(r.get("beta").value == 2);
  BOOST_TEST(r.find("alph") == nullptr);   // no prefix matching
  BOOST_TEST(r.find("") == nullptr);       // an empty alias list matches nothing
  BOOST_TEST(r.names() == (std::vector<std::string>{"alpha", "beta"}));
  BOOST_TEST(r.namesAndAliases() == (std::vector<std::string>{"alpha", "a", "first", "beta"}));
}

BOOST_AUTO_TEST_CASE(unknown_names_list_the_known_ones) {
  const xbarsim::core::Registry<Kind> r("thing", {&kA, &kB});
  try {
    (void)r.get("delta");
    BOOST_FAIL("no error");
  } catch (const xbarsim::Error& e) {
    BOOST_TEST(std::string(e.what()) == "unknown thing \"delta\" (known: alpha, beta)");
  }
}

BOOST_AUTO_TEST_CASE(a_name_registered_twice_is_refused) {
  BOOST_CHECK_THROW((xbarsim::core::Registry<Kind>("thing", {&kA, &kB, &kDuplicate})), xbarsim::Error);
  BOOST_CHECK_THROW((xbarsim::core::Registry<Kind>("thing", {&kA, &kA})), xbarsim::Error);
}

BOOST_AUTO_TEST_SUITE_END()
