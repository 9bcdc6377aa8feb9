// The declarative mapping from an external system's item (a JSON object, a database row) to one
// implementation in the record form: which input value gives which field of the model (option
// `fields`), constant values for what the input lacks (option `defaults`) and the system's status
// words as lifecycle words (option `statuses`). Each value is checked and converted here (dates,
// SOATO codes, percentages, status words); an item that cannot be mapped gets one problem per
// field, each naming where the value came from and what is wrong with it.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <ijro_plugin.hpp>
#include <ijro_record.hpp>

namespace ijro::mapping {

// The fields of the model a mapping can fill.
enum class Field {
  Measure,       // measure.id
  Title,         // measure.title
  ActType,       // measure.act.type
  ActNumber,     // measure.act.number
  ActDate,       // measure.act.date
  ActItem,       // measure.act.item
  Organisation,  // organisation
  Region,        // region (SOATO)
  Sector,        // sector
  Start,         // start
  Deadline,      // deadline
  Completed,     // completed
  Status,        // lifecycle, through the statuses table
  Progress,      // percent done, 0 to 100: the indicator PROGRESS
  Comment,       // note
  Revision,      // revision: an integer or an ISO 8601 date-time
};

// "measure", "act_number", ... as the options spell them.
const char* fieldName(Field f);
std::optional<Field> fieldNamed(std::string_view name);
// "measure, title, act_type, ..." for messages.
std::string fieldList();

// One value read from the input.
struct Value {
  enum class Kind { Text, Integer, Number, Boolean, Other };
  Kind kind = Kind::Text;
  std::string text;   // Text: the text; Integer, Number, Boolean: as written; Other: what it is
  double number = 0;  // Integer and Number
};

// What the input holds at a mapped place: the value (nullopt when absent or null) and where it
// is, as a message names it ("items[3].due_date", "row 7 (measure AND-7), column due_date").
struct Found {
  std::optional<Value> value;
  std::string where;
};

// Finds the value at a mapped place (a JSON path, a column name) of the current item.
using Lookup = std::function<Found(std::string_view place)>;

struct Mapped {
  std::optional<ijro::sdk::Implementation> implementation;  // set when there is no problem
  std::vector<std::string> problems;                        // each: where: what is wrong
  std::string measure, region;  // what could be read of the identity, for messages
};

class Mapping {
 public:
  // fields: model field name -> place in the input; defaults: model field name -> value;
  // statuses: status word of the system -> lifecycle word. `mapName` is the option holding the
  // places ("fields", "columns"), for messages. Throws std::invalid_argument naming the option
  // and the row for an unknown field, a lifecycle word that is none, a default that cannot be
  // used, or a required field neither mapped nor defaulted.
  Mapping(const ijro::sdk::Table& fields, const ijro::sdk::Table& defaults,
          const ijro::sdk::Table& statuses, std::string mapName);

  // The place of a field in the input, nullopt when the field is not mapped.
  std::optional<std::string_view> placeOf(Field f) const;

  // Maps one item. fallbackRevision: the revision when none is mapped (or the item has none).
  Mapped map(const Lookup& lookup, std::int64_t fallbackRevision) const;

  // The lifecycle word for a status word of the system, nullopt when it is not known.
  std::optional<std::string> lifecycleOf(std::string_view word) const;

 private:
  struct Place {
    Field field;
    std::string place;
  };
  std::vector<Place> places_;
  std::vector<std::pair<Field, std::string>> defaults_;
  std::vector<std::pair<std::string, std::string>> statuses_;  // folded word -> lifecycle
  std::string mapName_;
};

// "2026-12-31" from "2026-12-31" or a date-time that starts with it ("2026-12-31T10:00:00Z");
// nullopt for anything else, or a day that does not exist.
std::optional<std::string> isoDate(std::string_view text);
// Seconds since 1970-01-01T00:00:00Z of an ISO 8601 date or date-time ("2026-11-01",
// "2026-11-01T10:00:00Z", "2026-11-01 10:00:00+05:00"; no zone: UTC); nullopt for anything else.
std::optional<std::int64_t> unixSeconds(std::string_view text);
// The text without spaces at either end.
std::string_view trimmed(std::string_view text);

}  // namespace ijro::mapping
