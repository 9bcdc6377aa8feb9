// Which column of a tracking sheet holds which field, by its header, and which life-cycle value a
// status word means. Names match without regard to case or script: each name is reduced to a key
// by ICU (NFKC case folding, the Uzbek Cyrillic-Latin transliterator uz_Cyrl-uz_Latn, marks
// dropped by Latin-ASCII, then only letters and digits kept), so "НОМЕР", "Номер" and "Nomer" are
// one name, and so are "Ҳолати" and "Holati", "ТОПШИРИШ" and "topshirish".
// Headers and status words in Uzbek Latin, Uzbek Cyrillic, Russian and English are built in;
// others come from the options "headers" and "status_values".
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ijro::spreadsheet {

enum class Field { Number, Title, Executor, Deadline, Status, Percent, Comment, Start, Completed };
inline constexpr int kFieldCount = 9;

// "number", "title", ... as the options name them.
const char* fieldName(Field f);
// The field an option names; nullopt for another word.
std::optional<Field> fieldNamed(std::string_view name);

// The matching key of a name: "Ijro muddati" and "ИЖРО МУДДАТИ" give "ijromuddati".
class NameKeys {
 public:
  NameKeys();  // throws std::runtime_error when ICU lacks the transliterator
  ~NameKeys();
  NameKeys(const NameKeys&) = delete;
  NameKeys& operator=(const NameKeys&) = delete;
  std::string key(std::string_view name) const;

 private:
  struct Icu;
  std::unique_ptr<Icu> icu_;
};

class HeaderNames {
 public:
  // extraHeaders: "deadline=Ijro sanasi|Срок сдачи;title=Tadbir"; extraStatus:
  // "completed=Yakunlandi|Закрыто;inProgress=Ishda". Throws std::invalid_argument naming the
  // option and what is wrong.
  HeaderNames(std::string_view extraHeaders, std::string_view extraStatus);

  std::optional<Field> field(std::string_view header) const;
  // The life-cycle value ("completed", "inProgress", ...) of a status word.
  std::optional<std::string> lifecycle(std::string_view status) const;
  // "Raqam, Номер, Number, ..." for messages: the built-in names of a field.
  std::string namesOf(Field f) const;
  std::string statusWords() const;
  const NameKeys& keys() const { return keys_; }

 private:
  NameKeys keys_;
  std::map<std::string, Field> fields_;          // key -> field
  std::map<std::string, std::string> status_;    // key -> life-cycle value
  std::vector<std::vector<std::string>> names_;  // per field: names, for messages
};

}  // namespace ijro::spreadsheet
