// A source written with the C++ SDK that emits one valid record among invalid ones: broken JSON,
// a JSON array, an empty object, wrong types, an unknown field, a record the model's rules refuse.
#include <ijro_plugin.hpp>

namespace {

constexpr const char* kValid =
    R"({"revision":1,"measure":{"id":"OK-1","title":"Valid","act":{"type":"decree",)"
    R"("number":"UP-1","date":"2020-10-05"}},"region":"1726","organisation":"Tax Committee",)"
    R"("sector":"tax","lifecycle":"planned","start":"2026-01-01","deadline":"2026-12-31"})";

class InvalidRecords : public ijro::sdk::Source {
 public:
  ijro::sdk::Status poll(ijro::sdk::Context& ctx) override {
    ctx.emit("{\"revision\": 1, \"measure\": ");    // 1: not JSON
    ctx.emit("[1, 2, 3]");                          // 2: not an object
    ctx.emit("{}");                                 // 3: every required field missing
    ctx.emit(kValid);                               // 4: valid
    ctx.emit(R"({"revision":"two","region":17})");  // 5: wrong types
    std::string unknown = kValid;                   // 6: a field the hub does not know
    unknown.insert(1, R"("colour":"red",)");
    ctx.emit(unknown);
    std::string sector = kValid;  // 7: well-formed, but no such sector
    sector.replace(sector.find("\"tax\""), 5, "\"fishing\"");
    ctx.emit(sector);
    ctx.commitCheckpoint("after-7");
    return ijro::sdk::Status::Ok;
  }
};

}  // namespace

IJRO_DEFINE_SOURCE_PLUGIN(InvalidRecords, "invalid-records", "0.1.0",
                          "Emits mostly invalid records.")
