// Header names and status words, matched by ICU keys (see header_names.hpp).
#include "header_names.hpp"

#include <unicode/normalizer2.h>
#include <unicode/translit.h>
#include <unicode/unistr.h>
#include <unicode/utypes.h>

#include <stdexcept>

namespace ijro::spreadsheet {

namespace {

struct BuiltIn {
  Field field;
  std::vector<const char*> names;  // Uzbek Latin, Uzbek Cyrillic, Russian, English
};

// The headers regional tracking sheets use, in the four languages.
const std::vector<BuiltIn>& builtInHeaders() {
  static const std::vector<BuiltIn> headers = {
      {Field::Number,
       {"Raqam", "Raqami", "T/r", "Tartib raqami", "Band", "Рақам", "Рақами", "Т/р",
        "Тартиб рақами", "Банд", "Номер", "№", "№ п/п", "Пункт", "Number", "No", "Item",
        "Measure number", "Measure ID"}},
      {Field::Title,
       {"Nomi",
        "Tadbir",
        "Tadbir nomi",
        "Chora-tadbir",
        "Chora-tadbir nomi",
        "Mazmuni",
        "Vazifa",
        "Vazifa nomi",
        "Topshiriq",
        "Номи",
        "Тадбир",
        "Тадбир номи",
        "Чора-тадбир",
        "Чора-тадбир номи",
        "Мазмуни",
        "Вазифа",
        "Вазифа номи",
        "Топшириқ",
        "Наименование",
        "Название",
        "Мероприятие",
        "Наименование мероприятия",
        "Содержание",
        "Задача",
        "Поручение",
        "Title",
        "Name",
        "Measure",
        "Task"}},
      {Field::Executor,
       {"Ijrochi", "Mas'ul", "Masʼul ijrochi", "Mas'ul ijrochi", "Javobgar", "Ижрочи", "Масъул",
        "Масъул ижрочи", "Жавобгар", "Исполнитель", "Ответственный", "Ответственный исполнитель",
        "Executor", "Responsible", "Organisation", "Organization"}},
      {Field::Deadline,
       {"Muddat", "Muddati", "Ijro muddati", "Bajarish muddati", "Муддат", "Муддати",
        "Ижро муддати", "Бажариш муддати", "Срок", "Срок исполнения", "Срок выполнения",
        "Крайний срок", "Deadline", "Due date", "Due"}},
      {Field::Status,
       {"Holati", "Holat", "Ijro holati", "Ҳолати", "Ҳолат", "Ижро ҳолати", "Статус", "Состояние",
        "Ход исполнения", "Status", "State"}},
      {Field::Percent,
       {"Bajarilish foizi", "Bajarilishi", "Foiz", "Бажарилиш фоизи", "Бажарилиши", "Фоиз",
        "Процент выполнения", "Процент исполнения", "% выполнения", "Процент", "Percent done",
        "Percent complete", "% done", "Progress"}},
      {Field::Comment,
       {"Izoh", "Izohlar", "Eslatma", "Изоҳ", "Изоҳлар", "Эслатма", "Комментарий", "Примечание",
        "Примечания", "Comment", "Comments", "Note", "Notes", "Remarks"}},
      {Field::Start,
       {"Boshlanish sanasi", "Boshlanishi", "Бошланиш санаси", "Бошланиши", "Дата начала", "Начало",
        "Start", "Start date"}},
      {Field::Completed,
       {"Bajarilgan sana", "Bajarilgan sanasi", "Бажарилган сана", "Бажарилган санаси",
        "Дата исполнения", "Дата выполнения", "Фактическая дата", "Completed", "Completion date",
        "Done on"}},
  };
  return headers;
}

struct BuiltInStatus {
  const char* lifecycle;
  std::vector<const char*> words;
};

const std::vector<BuiltInStatus>& builtInStatus() {
  static const std::vector<BuiltInStatus> words = {
      {"completed",
       {"Bajarildi", "Bajarilgan", "Ijro etildi", "Бажарилди", "Бажарилган", "Ижро этилди",
        "Выполнено", "Исполнено", "Завершено", "Done", "Completed", "Complete"}},
      {"inProgress",
       {"Jarayonda", "Bajarilmoqda", "Ijroda", "Жараёнда", "Бажарилмоқда", "Ижрода", "В процессе",
        "В работе", "Выполняется", "Исполняется", "In progress", "Ongoing"}},
      {"planned",
       {"Rejalashtirilgan", "Boshlanmagan", "Режалаштирилган", "Бошланмаган", "Запланировано",
        "Не начато", "Planned", "Not started"}},
      {"cancelled",
       {"Bekor qilingan", "Bekor qilindi", "Бекор қилинган", "Бекор қилинди", "Отменено", "Отменён",
        "Cancelled", "Canceled"}},
      {"suspended",
       {"To'xtatilgan", "To'xtatildi", "Тўхтатилган", "Тўхтатилди", "Приостановлено", "Suspended",
        "On hold"}},
  };
  return words;
}

constexpr const char* kFieldNames[kFieldCount] = {"number",   "title",  "executor",
                                                  "deadline", "status", "percent",
                                                  "comment",  "start",  "completed"};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  while (true) {
    const auto at = s.find(sep);
    const auto piece = trim(s.substr(0, at));
    if (!piece.empty()) out.push_back(piece);
    if (at == std::string_view::npos) return out;
    s.remove_prefix(at + 1);
  }
}

}  // namespace

const char* fieldName(Field f) {
  return kFieldNames[static_cast<int>(f)];
}

std::optional<Field> fieldNamed(std::string_view name) {
  for (int i = 0; i < kFieldCount; ++i)
    if (name == kFieldNames[i]) return static_cast<Field>(i);
  return std::nullopt;
}

struct NameKeys::Icu {
  const icu::Normalizer2* fold = nullptr;  // NFKC with case folding: "№" is "no", "Ё" is "ё"
  std::unique_ptr<icu::Transliterator> toLatin;
};

NameKeys::NameKeys() : icu_(std::make_unique<Icu>()) {
  UErrorCode status = U_ZERO_ERROR;
  icu_->fold = icu::Normalizer2::getNFKCCasefoldInstance(status);
  if (U_FAILURE(status) || icu_->fold == nullptr)
    throw std::runtime_error(std::string("ICU has no NFKC case folding: ") + u_errorName(status));
  // Cyrillic to Latin as Uzbek writes it (ш to sh, ч to ch, қ to q, ҳ to h; Russian words come
  // out readable too), then Latin letters with marks to plain ASCII (oʻ to o').
  icu_->toLatin.reset(
      icu::Transliterator::createInstance("uz_Cyrl-uz_Latn; Latin-ASCII", UTRANS_FORWARD, status));
  if (U_FAILURE(status) || !icu_->toLatin)
    throw std::runtime_error(std::string("ICU has no uz_Cyrl-uz_Latn transliterator: ") +
                             u_errorName(status));
}

NameKeys::~NameKeys() = default;

std::string NameKeys::key(std::string_view name) const {
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(
      icu::StringPiece(name.data(), static_cast<std::int32_t>(name.size())));
  UErrorCode status = U_ZERO_ERROR;
  u = icu_->fold->normalize(u, status);
  icu_->toLatin->transliterate(u);
  u = icu_->fold->normalize(u, status);
  if (U_FAILURE(status)) return std::string();
  std::string folded;
  u.toUTF8String(folded);
  std::string out;
  for (char c : folded)
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) out += c;
  return out;
}

HeaderNames::HeaderNames(std::string_view extraHeaders, std::string_view extraStatus)
    : names_(kFieldCount) {
  for (const auto& h : builtInHeaders())
    for (const char* n : h.names) {
      const std::string k = keys_.key(n);
      if (!k.empty()) fields_.emplace(k, h.field);
      names_[static_cast<int>(h.field)].emplace_back(n);
    }
  for (const auto& s : builtInStatus())
    for (const char* w : s.words) status_.emplace(keys_.key(w), s.lifecycle);

  // Configured names come first: they replace a built-in name with the same key.
  for (std::string_view pair : split(extraHeaders, ';')) {
    const auto eq = pair.find('=');
    const auto field =
        eq == std::string_view::npos ? std::nullopt : fieldNamed(trim(pair.substr(0, eq)));
    if (!field) {
      std::string all;
      for (const char* n : kFieldNames) all += (all.empty() ? "" : ", ") + std::string(n);
      throw std::invalid_argument("option \"headers\": \"" + std::string(pair) +
                                  "\" is not FIELD=Header|Header; the fields are " + all);
    }
    for (std::string_view header : split(pair.substr(eq + 1), '|')) {
      const std::string k = keys_.key(header);
      if (k.empty())
        throw std::invalid_argument("option \"headers\": \"" + std::string(header) +
                                    "\" has no letter or digit to match a header by");
      fields_[k] = *field;
    }
  }
  for (std::string_view pair : split(extraStatus, ';')) {
    const auto eq = pair.find('=');
    const std::string value(trim(pair.substr(0, eq)));
    const bool known = value == "planned" || value == "inProgress" || value == "completed" ||
                       value == "cancelled" || value == "suspended";
    if (eq == std::string_view::npos || !known)
      throw std::invalid_argument("option \"status_values\": \"" + std::string(pair) +
                                  "\" is not VALUE=Word|Word with VALUE one of planned, "
                                  "inProgress, completed, cancelled, suspended");
    for (std::string_view word : split(pair.substr(eq + 1), '|')) status_[keys_.key(word)] = value;
  }
}

std::optional<Field> HeaderNames::field(std::string_view header) const {
  const auto it = fields_.find(keys_.key(header));
  if (it == fields_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> HeaderNames::lifecycle(std::string_view status) const {
  const auto it = status_.find(keys_.key(status));
  if (it == status_.end()) return std::nullopt;
  return it->second;
}

std::string HeaderNames::namesOf(Field f) const {
  std::string out;
  for (const auto& n : names_[static_cast<int>(f)]) out += (out.empty() ? "" : ", ") + n;
  return out;
}

std::string HeaderNames::statusWords() const {
  std::string out;
  for (const auto& s : builtInStatus()) {
    out += (out.empty() ? "" : "; ") + std::string(s.lifecycle) + ": ";
    for (std::size_t i = 0; i < s.words.size(); ++i)
      out += (i ? ", " : "") + std::string(s.words[i]);
  }
  return out;
}

}  // namespace ijro::spreadsheet
