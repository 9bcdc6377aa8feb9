// Option values: typed checks, defaults, and messages that name the valid options.
#include "hub/plugin_host/options.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ijro::plugin_host {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

TEST(OptionValue, Integers) {
  EXPECT_EQ(canonicalOptionValue(OptionType::Int, "42"), "42");
  EXPECT_EQ(canonicalOptionValue(OptionType::Int, "+42"), "42");
  EXPECT_EQ(canonicalOptionValue(OptionType::Int, "-7"), "-7");
  EXPECT_EQ(canonicalOptionValue(OptionType::Int, "007"), "7");
  EXPECT_EQ(canonicalOptionValue(OptionType::Int, "9223372036854775807"), "9223372036854775807");
  for (const char* bad :
       {"", "+", "-", "4x", " 4", "4 ", "1.5", "+-4", "9223372036854775808", "0x10"})
    EXPECT_FALSE(canonicalOptionValue(OptionType::Int, bad)) << bad;
}

TEST(OptionValue, Doubles) {
  EXPECT_EQ(canonicalOptionValue(OptionType::Double, "0.5"), "0.5");
  EXPECT_EQ(canonicalOptionValue(OptionType::Double, "-3"), "-3");
  EXPECT_EQ(canonicalOptionValue(OptionType::Double, "1e3"), "1e3");
  EXPECT_EQ(canonicalOptionValue(OptionType::Double, "+2.5"), "2.5");
  for (const char* bad : {"", "abc", "inf", "nan", "1e999", "0x10", "1.5.2", " 1"})
    EXPECT_FALSE(canonicalOptionValue(OptionType::Double, bad)) << bad;
}

TEST(OptionValue, BooleansBecomeTrueOrFalse) {
  for (const char* yes : {"true", "TRUE", "yes", "On", "1"})
    EXPECT_EQ(canonicalOptionValue(OptionType::Bool, yes), "true") << yes;
  for (const char* no : {"false", "No", "off", "0"})
    EXPECT_EQ(canonicalOptionValue(OptionType::Bool, no), "false") << no;
  for (const char* bad : {"", "y", "2", "truthy"})
    EXPECT_FALSE(canonicalOptionValue(OptionType::Bool, bad)) << bad;
}

TEST(OptionValue, StringsAndPaths) {
  EXPECT_EQ(canonicalOptionValue(OptionType::String, ""), "");
  EXPECT_EQ(canonicalOptionValue(OptionType::String, " as is "), " as is ");
  EXPECT_EQ(canonicalOptionValue(OptionType::Path, "in/box"), "in/box");
  EXPECT_FALSE(canonicalOptionValue(OptionType::Path, ""));
  using namespace std::string_view_literals;
  EXPECT_FALSE(canonicalOptionValue(OptionType::String, "a\0b"sv));  // would cut a C string
}

PluginInfo table() {
  PluginInfo i;
  i.path = "/plugins/demo.so";
  i.name = "demo";
  i.version = "1.0";
  i.options = {
      {"folder", OptionType::Path, true, std::nullopt, "Where files arrive."},
      {"interval", OptionType::Int, false, "30", "Seconds between scans."},
      {"strict", OptionType::Bool, false, "false", ""},
      {"label", OptionType::String, false, std::nullopt, ""},
  };
  return i;
}

TEST(ResolveOptions, AppliesDefaultsInTableOrder) {
  ResolvedOptions r = resolveOptions(table(), {{"strict", "YES"}, {"folder", "/in"}});
  ASSERT_EQ(r.values.size(), 3u);  // label has neither a value nor a default
  EXPECT_EQ(r.values[0], (std::pair<std::string, std::string>{"folder", "/in"}));
  EXPECT_EQ(r.values[1], (std::pair<std::string, std::string>{"interval", "30"}));
  EXPECT_EQ(r.values[2], (std::pair<std::string, std::string>{"strict", "true"}));
  EXPECT_EQ(*r.find("interval"), "30");
  EXPECT_EQ(r.find("label"), nullptr);
}

std::string problems(const OptionValues& given) {
  try {
    resolveOptions(table(), given);
  } catch (const PluginError& e) {
    EXPECT_EQ(e.reason(), PluginError::Reason::InvalidOptions);
    return e.what();
  }
  ADD_FAILURE() << "accepted";
  return {};
}

TEST(ResolveOptions, UnknownOptionNamesTheValidOnes) {
  std::string m = problems({{"folder", "/in"}, {"intreval", "5"}});
  EXPECT_THAT(m, AllOf(HasSubstr("invalid options for plugin \"demo\" 1.0 (/plugins/demo.so)"),
                       HasSubstr("unknown option \"intreval\""),
                       HasSubstr("Valid options: folder (path, required), interval (int, default "
                                 "\"30\"), strict (bool, default \"false\"), label (string)")));
}

TEST(ResolveOptions, WrongTypeAndMissingRequired) {
  EXPECT_THAT(problems({{"folder", "/in"}, {"interval", "soon"}}),
              HasSubstr("option \"interval\" must be an integer (e.g. 42), not \"soon\""));
  EXPECT_THAT(problems({{"folder", "/in"}, {"strict", "maybe"}}),
              HasSubstr("option \"strict\" must be true or false, not \"maybe\""));
  EXPECT_THAT(problems({}), HasSubstr("option \"folder\" is required (a non-empty path)"));
}

TEST(ResolveOptions, ReportsEveryProblemAtOnce) {
  std::string m = problems({{"x", "1"}, {"interval", "1.5"}});
  EXPECT_THAT(m, AllOf(HasSubstr("unknown option \"x\""), HasSubstr("option \"interval\" must be"),
                       HasSubstr("option \"folder\" is required")));
}

TEST(ResolveOptions, APluginWithoutOptionsSaysSo) {
  PluginInfo i;
  i.path = "/p.so";
  i.name = "bare";
  i.version = "1";
  EXPECT_TRUE(resolveOptions(i, {}).values.empty());
  try {
    resolveOptions(i, {{"a", "b"}});
    ADD_FAILURE();
  } catch (const PluginError& e) {
    EXPECT_THAT(e.what(), HasSubstr("Valid options: none"));
  }
}

}  // namespace
}  // namespace ijro::plugin_host
