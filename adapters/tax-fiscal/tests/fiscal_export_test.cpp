// The host-free parts of tax-fiscal: the document numbers seen per fiscal drive kept as ranges
// (what makes the state small), the state's round trip through its file, and times and dates.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <vector>

#include "fiscal_export.hpp"

namespace {

using ijro::tax_fiscal::parseDate;
using ijro::tax_fiscal::parseDateTime;
using ijro::tax_fiscal::State;

TEST(FiscalState, DocumentsReadInAnyOrderCollapseIntoOneRangePerDriveAndEachIsFound) {
  std::vector<std::int64_t> numbers(1000);
  std::iota(numbers.begin(), numbers.end(), 1);
  std::shuffle(numbers.begin(), numbers.end(), std::mt19937(7));
  State s;
  for (auto n : numbers) {
    EXPECT_FALSE(s.seen("FD1", n)) << n;
    s.add("FD1", n);
    EXPECT_TRUE(s.seen("FD1", n)) << n;
  }
  ASSERT_EQ(s.documents.at("FD1").size(), 1u);
  EXPECT_EQ(s.documents.at("FD1").begin()->first, 1);
  EXPECT_EQ(s.documents.at("FD1").begin()->second, 1000);
  EXPECT_FALSE(s.seen("FD1", 0));
  EXPECT_FALSE(s.seen("FD1", 1001));
  EXPECT_FALSE(s.seen("FD2", 5));
  s.add("FD1", 1005);
  EXPECT_EQ(s.documents.at("FD1").size(), 2u);
  EXPECT_FALSE(s.seen("FD1", 1003));
}

TEST(FiscalState, ASerialisedStateReadsBackTheSame) {
  State s;
  s.generation = 4;
  s.asOf = 1796065199;
  s.registers["UZ-KKM-1"] = {"FD1", "301234567", "1703202", 20000, 20400, 1796000000};
  s.registers["UZ-KKM-2"] = {"FD2", "301234568", "1726", 20100, std::nullopt, std::nullopt};
  s.add("FD1", 3);
  s.add("FD1", 9);
  const State back = State::parse(s.serialize(), "state-4.json");
  EXPECT_EQ(back.serialize(), s.serialize());
  EXPECT_EQ(back.generation, 4u);
  EXPECT_TRUE(back.seen("FD1", 9));
  EXPECT_FALSE(back.seen("FD1", 4));
  EXPECT_EQ(back.registers.at("UZ-KKM-1").deregisteredOn, 20400);
  EXPECT_FALSE(back.registers.at("UZ-KKM-2").lastReceipt.has_value());
  EXPECT_THROW(State::parse("{\"format\":\"other\"}", "x.json"), std::runtime_error);
}

TEST(FiscalTimes, ATimeWithoutAnOffsetIsTashkentTimeAndImpossibleDaysAreRefused) {
  EXPECT_EQ(parseDateTime("2026-11-30T05:00:00"), parseDateTime("2026-11-30T00:00:00Z"));
  EXPECT_EQ(parseDateTime("2026-11-30T05:00:00+05:00"), parseDateTime("2026-11-30T00:00:00Z"));
  EXPECT_EQ(*parseDateTime("1970-01-01T00:00:00Z"), 0);
  EXPECT_TRUE(parseDate("2028-02-29"));
  EXPECT_FALSE(parseDate("2026-02-29"));
  std::string why;
  EXPECT_FALSE(parseDateTime("2026-11-30T23:60:00", &why));
  EXPECT_EQ(why, "minute 60 does not exist");
  EXPECT_FALSE(parseDateTime("2026-11-30 10:00:00", &why));
  EXPECT_FALSE(parseDateTime("2026-11-30T10:00:00+5", &why));
}

}  // namespace
