// The ABI's layout, pinned. Every plugin ever built relies on these offsets: a change here is a
// new ABI major (IJRO_ABI_MAJOR), never an accident.
#include <gtest/gtest.h>

#include <cstddef>

#include "ijro_plugin.h"
#include "ijro_plugin.hpp"

namespace {

static_assert(sizeof(void*) == 8, "the pinned offsets are those of an LP64 platform");

TEST(Abi, VersionIsOneTwo) {
  EXPECT_EQ(IJRO_ABI_MAJOR, 1);
  EXPECT_EQ(IJRO_ABI_MINOR, 2);
}

TEST(Abi, OptionTypesKeepTheirNumbers) {
  EXPECT_EQ(IJRO_OPTION_PATH, 4);
  EXPECT_EQ(IJRO_OPTION_TABLE, 5);   // ABI 1.2
  EXPECT_EQ(IJRO_OPTION_SECRET, 6);  // ABI 1.2
}

TEST(Abi, DescriptorLayoutIsFrozen) {
  EXPECT_EQ(offsetof(ijro_plugin_descriptor, struct_size), 0u);
  EXPECT_EQ(offsetof(ijro_plugin_descriptor, abi_major), 4u);
  EXPECT_EQ(offsetof(ijro_plugin_descriptor, abi_minor), 6u);
  EXPECT_EQ(offsetof(ijro_plugin_descriptor, name), 8u);
  EXPECT_EQ(offsetof(ijro_plugin_descriptor, version), 16u);
  EXPECT_EQ(offsetof(ijro_plugin_descriptor, description), 24u);
  EXPECT_EQ(offsetof(ijro_plugin_descriptor, kind), 32u);
  EXPECT_EQ(offsetof(ijro_plugin_descriptor, option_count), 36u);
  EXPECT_EQ(offsetof(ijro_plugin_descriptor, options), 40u);
  EXPECT_EQ(offsetof(ijro_plugin_descriptor, on_create), 48u);
  EXPECT_EQ(offsetof(ijro_plugin_descriptor, on_destroy), 56u);
  EXPECT_EQ(offsetof(ijro_plugin_descriptor, on_poll), 64u);
  EXPECT_EQ(offsetof(ijro_plugin_descriptor, on_deliver), 72u);
  EXPECT_EQ(offsetof(ijro_plugin_descriptor, on_transform), 80u);
  EXPECT_EQ(sizeof(ijro_plugin_descriptor), 88u);
}

TEST(Abi, HostTableLayoutIsFrozen) {
  EXPECT_EQ(offsetof(ijro_host_api, struct_size), 0u);
  EXPECT_EQ(offsetof(ijro_host_api, abi_major), 4u);
  EXPECT_EQ(offsetof(ijro_host_api, abi_minor), 6u);
  EXPECT_EQ(offsetof(ijro_host_api, callback_log), 8u);
  EXPECT_EQ(offsetof(ijro_host_api, callback_emit_record), 16u);
  EXPECT_EQ(offsetof(ijro_host_api, callback_checkpoint_read), 24u);
  EXPECT_EQ(offsetof(ijro_host_api, callback_checkpoint_commit), 32u);
  EXPECT_EQ(offsetof(ijro_host_api, callback_counter_add), 40u);
  EXPECT_EQ(offsetof(ijro_host_api, callback_config_get), 48u);
  // ABI 1.1: appended, so a 1.0 table (56 bytes) is a prefix of this one.
  EXPECT_EQ(offsetof(ijro_host_api, callback_report_xml_read), 56u);
  EXPECT_EQ(offsetof(ijro_host_api, callback_report_xml_write), 64u);
  // ABI 1.2: appended, so a 1.1 table (72 bytes) is a prefix of this one.
  EXPECT_EQ(offsetof(ijro_host_api, callback_gauge_set), 72u);
  EXPECT_EQ(sizeof(ijro_host_api), 80u);
  EXPECT_EQ(offsetof(ijro_host, api), 0u);
}

TEST(Abi, StatusReportResultsAreLaidOutAsPublished) {
  // An array element: frozen for the major.
  EXPECT_EQ(sizeof(ijro_report_problem), 40u);
  EXPECT_EQ(offsetof(ijro_report_problem, reason_count), 4u);
  EXPECT_EQ(offsetof(ijro_report_problem, reasons), 8u);
  EXPECT_EQ(offsetof(ijro_report_problem, measure_id), 16u);
  EXPECT_EQ(offsetof(ijro_report_problem, region), 24u);
  EXPECT_EQ(offsetof(ijro_report_problem, organisation), 32u);
  // Results start with their size and grow at the end only.
  EXPECT_EQ(offsetof(ijro_report_read, struct_size), 0u);
  EXPECT_EQ(offsetof(ijro_report_read, record_count), 4u);
  EXPECT_EQ(offsetof(ijro_report_read, records), 8u);
  EXPECT_EQ(offsetof(ijro_report_read, problem_count), 16u);
  EXPECT_EQ(offsetof(ijro_report_read, problems), 24u);
  EXPECT_EQ(offsetof(ijro_report_read, source), 32u);
  EXPECT_EQ(offsetof(ijro_report_read, generated_at), 40u);
  EXPECT_EQ(offsetof(ijro_report_read, error), 48u);
  EXPECT_EQ(offsetof(ijro_report_read, error_line), 56u);
  EXPECT_EQ(offsetof(ijro_report_read, error_column), 60u);
  EXPECT_EQ(sizeof(ijro_report_read), 64u);
  EXPECT_EQ(offsetof(ijro_report_written, struct_size), 0u);
  EXPECT_EQ(offsetof(ijro_report_written, problem_count), 4u);
  EXPECT_EQ(offsetof(ijro_report_written, xml), 8u);
  EXPECT_EQ(offsetof(ijro_report_written, xml_len), 16u);
  EXPECT_EQ(offsetof(ijro_report_written, problems), 24u);
  EXPECT_EQ(offsetof(ijro_report_written, error), 32u);
  EXPECT_EQ(sizeof(ijro_report_written), 40u);
}

TEST(Abi, IjroHostHasTellsWhetherTheHostTableReachesACallback) {
  ijro_host_api api{};
  api.callback_report_xml_read = [](ijro_host*, const char*, std::size_t, std::size_t,
                                    const ijro_report_read**) -> ijro_status { return IJRO_OK; };
  // A 1.0 hub's table ends before the field: whatever lies there is not a callback.
  api.struct_size = offsetof(ijro_host_api, callback_report_xml_read);
  EXPECT_FALSE(IJRO_HOST_HAS(&api, callback_report_xml_read));
  api.struct_size = sizeof(ijro_host_api);
  EXPECT_TRUE(IJRO_HOST_HAS(&api, callback_report_xml_read));
  EXPECT_FALSE(IJRO_HOST_HAS(&api, callback_report_xml_write));  // in the table, but NULL
}

TEST(Abi, ArrayElementsAreFrozen) {
  // Arrays of these cross the boundary, so their size is their stride.
  EXPECT_EQ(sizeof(ijro_option), 32u);
  EXPECT_EQ(offsetof(ijro_option, type), 8u);
  EXPECT_EQ(offsetof(ijro_option, required), 12u);
  EXPECT_EQ(offsetof(ijro_option, default_value), 16u);
  EXPECT_EQ(offsetof(ijro_option, description), 24u);
  EXPECT_EQ(sizeof(ijro_record), 16u);
  EXPECT_EQ(sizeof(ijro_config_entry), 16u);
  EXPECT_EQ(sizeof(ijro_status), 4u);
  EXPECT_EQ(sizeof(ijro_batch), 16u);
  EXPECT_EQ(sizeof(ijro_config), 16u);
  EXPECT_EQ(sizeof(ijro_message), 16u);
}

TEST(Sdk, OptionHelpersFillTheTable) {
  constexpr ijro_option o =
      ijro::sdk::option(ijro::sdk::OptionType::Int, "count", "3", "How many.");
  EXPECT_STREQ(o.name, "count");
  EXPECT_EQ(o.type, IJRO_OPTION_INT);
  EXPECT_EQ(o.required, 0);
  EXPECT_STREQ(o.default_value, "3");
  constexpr ijro_option r = ijro::sdk::required(ijro::sdk::OptionType::Path, "folder", "Where.");
  EXPECT_EQ(r.required, 1);
  EXPECT_EQ(r.default_value, nullptr);
  EXPECT_EQ(r.type, IJRO_OPTION_PATH);
}

TEST(Sdk, MessagesAreTruncatedNotOverflowed) {
  char buffer[8] = "xxxxxxx";
  ijro_message m{buffer, 5};
  ijro::sdk::detail::writeMessage(&m, "a long explanation");
  EXPECT_STREQ(buffer, "a lo");
  EXPECT_EQ(buffer[5], 'x');
}

}  // namespace
