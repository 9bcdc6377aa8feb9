// The C++ SDK's status-report services (Host::readReportXml, Host::writeReportXml) on a hub whose
// host table predates them (ABI 1.0): a clear HostTooOld, decided by the table's struct_size and
// never by calling past its end.
#include <ijro_plugin.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstddef>

namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

int callsPastTheEnd = 0;

ijro_status readPastTheEnd(ijro_host*, const char*, std::size_t, std::size_t,
                           const ijro_report_read**) {
  ++callsPastTheEnd;
  return IJRO_ERROR;
}
ijro_status writePastTheEnd(ijro_host*, const char*, const ijro_record*, std::uint32_t,
                            const ijro_report_written**) {
  ++callsPastTheEnd;
  return IJRO_ERROR;
}

TEST(SdkHost, ReportServicesOnAHubBeforeAbiOneOneSayTheHubIsTooOld) {
  // What a 1.0 hub hands out: its table ends where the 1.1 callbacks begin. The memory after it
  // is not the hub's; here it holds functions that must never be called.
  ijro_host_api api{};
  api.struct_size = offsetof(ijro_host_api, callback_report_xml_read);
  api.abi_major = 1;
  api.abi_minor = 0;
  api.callback_report_xml_read = &readPastTheEnd;
  api.callback_report_xml_write = &writePastTheEnd;
  ijro_host host{&api, nullptr};
  const ijro::sdk::Host h(&host);

  try {
    (void)h.readReportXml("<report/>");
    ADD_FAILURE() << "read on a 1.0 hub";
  } catch (const ijro::sdk::HostTooOld& e) {
    EXPECT_THAT(e.what(),
                AllOf(HasSubstr("Host::readReportXml"), HasSubstr("ABI 1.1 or later"),
                      HasSubstr("this hub implements ABI 1.0"), HasSubstr("upgrade ijro-hub")));
  }
  try {
    (void)h.writeReportXml("", std::vector<std::string>{"{}"});
    ADD_FAILURE() << "write on a 1.0 hub";
  } catch (const ijro::sdk::HostTooOld& e) {
    EXPECT_THAT(e.what(), AllOf(HasSubstr("Host::writeReportXml"), HasSubstr("ABI 1.0")));
  }
  EXPECT_EQ(callsPastTheEnd, 0);

  // The same table from a 1.1 hub: the services are called.
  api.struct_size = sizeof(ijro_host_api);
  api.abi_minor = 1;
  EXPECT_THROW((void)h.readReportXml("<report/>"), std::runtime_error);
  EXPECT_EQ(callsPastTheEnd, 1);
}

TEST(SdkHost, ProblemsDescribeThemselves) {
  ijro::sdk::ReportProblem p{3, "DU2030-1.2", "1726", "Org", {"line 9: <sector>: missing", "x"}};
  EXPECT_EQ(p.describe(),
            "implementation 3 (measure DU2030-1.2, region 1726): line 9: <sector>: "
            "missing; x");
  p.measureId.clear();
  EXPECT_EQ(p.describe("record"), "record 3: line 9: <sector>: missing; x");
  const ijro::sdk::ReportXmlError e("not well-formed", 4, 17);
  EXPECT_STREQ(e.what(), "line 4, column 17: not well-formed");
  EXPECT_STREQ(ijro::sdk::ReportXmlError("too large", 0, 0).what(), "too large");
}

}  // namespace
