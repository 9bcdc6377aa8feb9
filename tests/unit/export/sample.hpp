// Implementations for the export tests.
#pragma once

#include "hub/model/types.hpp"

namespace ijro::exports::test {

inline model::Date day(int y, unsigned m, unsigned d) {
  return model::Date{std::chrono::year{y} / std::chrono::month{m} / std::chrono::day{d}};
}

// A measure in Andijan region's district 1703202, due 2026-03-31, with a Russian title.
inline model::Implementation sample() {
  model::Implementation impl;
  impl.source = "andijan-region";
  impl.measure.id = "DU2030-1.2.15";
  impl.measure.title = "Build schools, \"new\" ones";
  impl.measure.titles = {{"ru", "Строительство школ"}};
  impl.measure.act = {"decree", "UP-6079", day(2020, 10, 5), "12"};
  impl.region = "1703202";
  impl.organisation = "Andijan education department";
  impl.sector = "education";
  impl.revision = 1;
  impl.lifecycle = model::Lifecycle::InProgress;
  impl.start = day(2026, 1, 1);
  impl.deadline = day(2026, 3, 31);
  return impl;
}

}  // namespace ijro::exports::test
