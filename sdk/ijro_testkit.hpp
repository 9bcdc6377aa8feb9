// ijro_testkit.hpp: unit tests for ijro-hub plugins, without a hub.
//
// Loads a plugin library the way the hub does (the same loader, ABI and option checks), runs it
// in-process and checks what it produced the way the hub checks a status report: the JSON form,
// then the model's rules (sectors, regions, dates). Made for GoogleTest, but needs nothing of it:
//
//   #include <ijro_testkit.hpp>
//   using ijro::testkit::PluginUnderTest;
//
//   TEST(MyAdapter, EmitsOneRecordPerRegion) {
//     PluginUnderTest p(IJRO_PLUGIN_PATH, {{"orgs_file", dataDir + "/orgs.csv"}});
//     auto run = p.poll();
//     ASSERT_EQ(run.status, ijro::testkit::Status::Ok) << run.message;
//     EXPECT_EQ(run.records.size(), 3u);
//     EXPECT_THAT(run.rejected, ::testing::IsEmpty());     // printed with the reasons if not
//     EXPECT_EQ(run.records[0].field("measure.id"), "DU2030-3.2.1");
//     EXPECT_EQ(run.checkpoint, "revision=1");
//   }
//
// One PluginUnderTest is one plugin instance: polls follow each other as in the hub, a poll that
// returns Ok commits its valid records and its checkpoint together, a failed one commits nothing.
//
// The library behind this header (IjroHub::testkit) carries the hub's plugin host; build your
// tests with the same compiler family as the package (GCC / libstdc++).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#if defined(_WIN32)
#define IJRO_TESTKIT_API
#else
#define IJRO_TESTKIT_API __attribute__((visibility("default")))
#endif

namespace ijro::testkit {

// A hook's answer (IJRO_OK / IJRO_RETRY / IJRO_ERROR).
enum class Status { Ok, Retry, Error };
IJRO_TESTKIT_API const char* toString(Status s);  // "ok" | "retry" | "error"
inline std::ostream& operator<<(std::ostream& os, Status s) {
  return os << toString(s);
}

// Option values as they would be configured: name -> text.
using Options = std::map<std::string, std::string>;

// The plugin could not be loaded (ABI version, descriptor, missing hook), its options were
// refused, or on_create failed. what() is the hub's message: it names the plugin and what to do.
class IJRO_TESTKIT_API PluginError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
  ~PluginError() override;
};

struct OptionInfo {
  std::string name;
  std::string type;  // "string" | "int" | "double" | "bool" | "path"
  bool required = false;
  std::optional<std::string> defaultValue;
  std::string description;
};

// What a plugin says about itself (what `ijro-hub plugin info` prints).
struct PluginInfo {
  std::string name;
  std::string version;
  std::string description;
  std::string kind;  // "source" | "sink" | "transform"
  std::string abi;   // the ABI it was built for, "1.0"
  std::vector<OptionInfo> options;
};

// A record the hub accepted.
struct Record {
  std::size_t poll = 0;   // the 1-based poll that emitted it (0: a transform's output)
  std::size_t index = 0;  // 1-based position among the records of that poll
  std::string json;       // the record as the hub read it, written back out as JSON

  // A field's value as text, by its path in the JSON form: "measure.id", "region",
  // "indicators[0].periods[1].actual". Numbers are written shortest ("27900", "0.5"), booleans
  // as "true" / "false", objects and arrays as JSON; "" when the field is absent.
  IJRO_TESTKIT_API std::string field(std::string_view path) const;
  IJRO_TESTKIT_API bool has(std::string_view path) const;
};

// A record the hub would reject, with its reasons (what the hub's log and dead letters say).
struct Rejected {
  std::size_t poll = 0;
  std::size_t index = 0;
  std::string json;  // as the plugin emitted it
  std::vector<std::string> reasons;
};

// Printed in test failures: `EXPECT_THAT(run.rejected, IsEmpty())` shows every reason.
inline std::ostream& operator<<(std::ostream& os, const Record& r) {
  return os << "record " << r.index << " of poll " << r.poll << ": " << r.json;
}
inline std::ostream& operator<<(std::ostream& os, const Rejected& r) {
  os << "rejected record " << r.index << " of poll " << r.poll << ":";
  for (const auto& reason : r.reasons) os << "\n    - " << reason;
  return os << "\n    json: " << r.json;
}

struct PollResult {
  std::size_t number = 0;  // 1-based
  Status status = Status::Error;
  std::string message;                    // the plugin's explanation when not Ok
  std::vector<Record> records;            // valid records, committed with the checkpoint (Ok only)
  std::vector<Rejected> rejected;         // invalid records of this poll (Ok only)
  std::optional<std::string> checkpoint;  // the instance's checkpoint after this poll
};

struct DeliverResult {
  Status status = Status::Error;  // the answer for the batch
  std::string message;
  std::vector<Status> records;  // one answer per record (all equal to status unless it is Ok)
};

struct TransformResult {
  Status status = Status::Error;
  std::string message;
  std::optional<Record> record;      // the mapped record when the hub accepts it
  std::optional<Rejected> rejected;  // the mapped record when the hub would reject it
  bool dropped() const { return status == Status::Ok && !record && !rejected; }
};

struct Settings {
  std::string instanceName;  // the instance's name (the records' source); default: plugin name
  // The checkpoint the instance starts from, as a restarted hub would hand it back.
  std::optional<std::string> checkpoint;
  // Also apply the hub's business rules (known sector and region, dates in order ...), as the
  // hub does; false: only the structure of the JSON form.
  bool validateModel = true;
};

class IJRO_TESTKIT_API PluginUnderTest {
 public:
  // Loads the library and creates one instance with these options. Throws PluginError.
  explicit PluginUnderTest(const std::filesystem::path& library, const Options& options = {},
                           const Settings& settings = {});
  ~PluginUnderTest();
  PluginUnderTest(PluginUnderTest&&) noexcept;
  PluginUnderTest& operator=(PluginUnderTest&&) noexcept;
  PluginUnderTest(const PluginUnderTest&) = delete;
  PluginUnderTest& operator=(const PluginUnderTest&) = delete;

  const PluginInfo& info() const;

  // Source: one poll. Throws std::logic_error for another kind.
  PollResult poll();
  // Sink: one batch (each record one JSON object, e.g. from sampleRecord()).
  DeliverResult deliver(const std::vector<std::string>& records);
  // Transform: one record.
  TransformResult transform(std::string_view record);

  // Every record committed so far (sources), in order.
  const std::vector<Record>& committed() const;
  // The committed records as a status report (urn:ijro-hub:report:1), as `ijro-hub plugin test`
  // prints it; validates against schemas/status-report.xsd when there is at least one record.
  std::string reportXml() const;
  std::optional<std::string> checkpoint() const;
  // The plugin's counters (callback_counter_add), summed over the instance's life.
  std::map<std::string, std::int64_t> counters() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Loads a library and describes it, without creating an instance. Throws PluginError.
IJRO_TESTKIT_API PluginInfo inspect(const std::filesystem::path& library);

// A valid record in the JSON form, for feeding sinks and transforms:
// {"revision":1,"measure":{"id":"TEST-1","title":"Test measure TEST-1","act":{...}},
//  "region":"1726","organisation":"Test Organisation","sector":"other",...}
IJRO_TESTKIT_API std::string sampleRecord(std::string_view measureId = "TEST-1",
                                          std::string_view region = "1726",
                                          std::int64_t revision = 1);

}  // namespace ijro::testkit
