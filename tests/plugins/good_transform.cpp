// A well-behaved transform written with the C++ SDK, using Boost.JSON: drops the records of one
// region, sets a note on the others and keeps every other field as it is.
#include <ijro_plugin.hpp>

#include <boost/json.hpp>

#include <stdexcept>
#include <string>

namespace {

using ijro::sdk::OptionType;

class NoteTransform : public ijro::sdk::Transform {
 public:
  NoteTransform()
      : dropRegion_(host().optionString("drop_region")), note_(host().optionString("note")) {}

  std::optional<std::string> transform(std::string_view record) override {
    boost::json::value v = boost::json::parse(record);
    boost::json::object& o = v.as_object();
    if (const auto* region = o.if_contains("region");
        region != nullptr && region->is_string() && region->get_string() == dropRegion_)
      return std::nullopt;
    if (const auto* org = o.if_contains("organisation");
        org != nullptr && org->is_string() && org->get_string() == "fail")
      throw std::runtime_error("cannot map records of organisation \"fail\"");
    o["note"] = note_;
    return boost::json::serialize(v);
  }

 private:
  std::string dropRegion_;
  std::string note_;
};

}  // namespace

IJRO_DEFINE_TRANSFORM_PLUGIN(
    NoteTransform, "good-transform", "2.0.0", "Drops one region's records and notes the rest.",
    ijro::sdk::option(OptionType::String, "drop_region", "", "Records of this region are dropped."),
    ijro::sdk::required(OptionType::String, "note", "The note set on every record."))
