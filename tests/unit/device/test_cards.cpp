// SPDX-License-Identifier: MIT
// Parameter tables, cards (devices/*.toml) and the defaults of the SPICE faces (devices/*.lib):
// one parameter set for both faces.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>
#include <string>

#include "xbarsim/core/error.hpp"
#include "xbarsim/core/numbers.hpp"
#include "xbarsim/device/access_device.hpp"
#include "xbarsim/device/device_card.hpp"
#include "xbarsim/device/pcm_pulse.hpp"
#include "xbarsim/device/rram_stanford.hpp"

namespace tt = boost::test_tools;
using namespace xbarsim::device;

namespace {

/// name=value defaults of `.subckt <name> ...` (with + continuation lines) in a library text.
std::map<std::string, double> subcktDefaults(std::string_view lib, const std::string& name) {
  std::istringstream in{std::string(lib)};
  std::string line, header;
  bool inside = false;
  while (std::getline(in, line)) {
    if (!inside && line.rfind(".subckt " + name + " ", 0) == 0) {
      inside = true;
      header = line;
    } else if (inside && line.rfind("+", 0) == 0) {
      header += " " + line.substr(1);
    } else if (inside) {
      break;
    }
  }
  std::map<std::string, double> out;
  std::istringstream words(header);
  std::string w;
  while (words >> w) {
    const auto eq = w.find('=');
    if (eq != std::string::npos) out[w.substr(0, eq)] = std::stod(w.substr(eq + 1));
  }
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cards)

BOOST_AUTO_TEST_CASE(parameter_tables_are_complete) {
  for (const std::string& model : cardModelNames()) {
    for (const ParamInfo& p : cardParameterTable(model)) {
      BOOST_TEST_CONTEXT(model << "." << p.name) {
        BOOST_TEST((std::find(kUnits.begin(), kUnits.end(), p.unit) != kUnits.end()));
        BOOST_TEST(p.min <= p.default_value);
        BOOST_TEST(p.default_value <= p.max);
        BOOST_TEST(!p.description.empty());
        BOOST_TEST(!p.source.empty());
        // unit suffix on every dimensional name
        if (p.unit == "S") BOOST_TEST(p.name.ends_with("_s"));
        if (p.unit == "s") BOOST_TEST(p.name.ends_with("_s"));
        if (p.unit == "V") BOOST_TEST(p.name.ends_with("_v"));
        if (p.unit == "m") BOOST_TEST(p.name.ends_with("_m"));
        if (p.unit == "K") BOOST_TEST(p.name.ends_with("_k"));
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(builtin_cards_load_and_cite) {
  for (const std::string_view name : builtinCardNames()) {
    const DeviceCard card = builtinCard(name);
    BOOST_TEST_CONTEXT(name) {
      BOOST_TEST(!card.citation.empty());
      BOOST_TEST(card.name.rfind(std::string(name), 0) == 0);
      // Shipped cards spell out every parameter; all but the HERMES card keep the table defaults.
      if (name != "pcm_hermes")
        for (const ParamInfo& p : card.params.table())
          BOOST_TEST(card.params.get(p.name) == p.default_value, p.name);
    }
  }
  const DeviceCard hermes = builtinCard("pcm_hermes");
  BOOST_TEST(hermes.variant == "hermes_2dev");
  BOOST_TEST(hermes.params.get("t0_s") == 300.0);
}

BOOST_AUTO_TEST_CASE(bad_cards_are_config_errors) {
  const std::string ok = "[card]\nmodel = \"rram_stanford\"\ncitation = \"x\"\n[params]\ng0_m = 0.3e-9\n";
  BOOST_TEST(parseCard(ok, "ok.toml").params.get("g0_m") == 0.3e-9);
  BOOST_CHECK_THROW((void)parseCard("[card]\nmodel = \"rram_stanford\"\ncitation = \"x\"\n[params]\nbogus = 1\n", "a.toml"),
                    xbarsim::ConfigError);
  BOOST_CHECK_THROW((void)parseCard("[card]\nmodel = \"rram_stanford\"\ncitation = \"x\"\n[params]\ng0_m = -1\n", "b.toml"),
                    xbarsim::ConfigError);
  BOOST_CHECK_THROW((void)parseCard("[card]\nmodel = \"rram_stanford\"\n", "c.toml"), xbarsim::ConfigError);
  BOOST_CHECK_THROW((void)parseCard("[card]\nmodel = \"memristor9\"\ncitation = \"x\"\n", "d.toml"),
                    xbarsim::ConfigError);
  BOOST_CHECK_THROW((void)parseCard("[card\n", "e.toml"), xbarsim::ConfigError);
  BOOST_CHECK_THROW((void)loadCard("/nonexistent/card.toml"), xbarsim::ConfigError);
  try {
    (void)parseCard("[card]\nmodel = \"rram_stanford\"\ncitation = \"x\"\n[params]\n\ng0_m = 5\n", "f.toml");
    BOOST_FAIL("no error");
  } catch (const xbarsim::ConfigError& e) {
    BOOST_TEST(e.line() == 6);
    BOOST_TEST(e.key() == "params.g0_m");
  }
}

BOOST_AUTO_TEST_CASE(spice_library_defaults_equal_native_defaults) {
  const StanfordRram rram;
  const auto lib = subcktDefaults(rram.spiceLibrary(), "rram_stanford");
  for (const ParamInfo& p : stanfordRramParameters())
    BOOST_TEST(lib.at(std::string(p.spice)) == p.default_value, tt::tolerance(1e-15));
  BOOST_TEST(lib.size() == stanfordRramParameters().size());

  const PcmPulse pcm;
  const auto plib = subcktDefaults(pcm.spiceLibrary(), "pcm_pulse");
  std::size_t n = 0;
  for (const ParamInfo& p : pcmPulseParameters())
    if (!p.spice.empty()) {
      BOOST_TEST(plib.at(std::string(p.spice)) == p.default_value, tt::tolerance(1e-15));
      ++n;
    }
  BOOST_TEST(plib.size() == n);

  const Selector sel;
  const auto slib = subcktDefaults(builtinSpiceLibrary("access.lib"), "selector");
  BOOST_TEST(slib.at("g0") == sel.g0(), tt::tolerance(1e-14));
  BOOST_TEST(slib.at("v0s") == sel.v0(), tt::tolerance(1e-14));
  const NmosAccess mos;
  BOOST_TEST(builtinSpiceLibrary("access.lib").find(mos.spiceModelCard()) != std::string_view::npos);
}

BOOST_AUTO_TEST_SUITE_END()
