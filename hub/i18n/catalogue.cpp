#include "hub/i18n/catalogue.hpp"

#include <array>

namespace ijro::i18n {

namespace {

// Columns: key, en, ru, uz-Latn, uz-Cyrl. Uzbek Latin writes oʻ and gʻ with U+02BB and the
// tutuq belgisi with U+02BC; tests/unit/i18n checks every entry has all four texts and that no
// Uzbek Latin text uses an ASCII or typographic apostrophe instead.
constexpr Entry kEntries[] = {
    // Execution statuses (model::ExecutionStatus).
    {"status.NOT_STARTED", "Not started", "Не начато", "Boshlanmagan", "Бошланмаган"},
    {"status.ON_TRACK", "On track", "Выполняется в срок", "Muddatida bajarilmoqda",
     "Муддатида бажарилмоқда"},
    {"status.AT_RISK", "At risk", "Под угрозой срыва", "Bajarilmaslik xavfi",
     "Бажарилмаслик хавфи"},
    {"status.OVERDUE", "Overdue", "Просрочено", "Muddati oʻtgan", "Муддати ўтган"},
    {"status.DONE_ON_TIME", "Done on time", "Выполнено в срок", "Muddatida bajarilgan",
     "Муддатида бажарилган"},
    {"status.DONE_LATE", "Done late", "Выполнено с опозданием", "Kechikib bajarilgan",
     "Кечикиб бажарилган"},
    {"status.CANCELLED", "Cancelled", "Отменено", "Bekor qilingan", "Бекор қилинган"},
    {"status.SUSPENDED", "Suspended", "Приостановлено", "Toʻxtatilgan", "Тўхтатилган"},
    // RAG ratings (model::Rag).
    {"rag.NONE", "Not rated", "Без оценки", "Baholanmagan", "Баҳоланмаган"},
    {"rag.GREEN", "Green", "Зелёный", "Yashil", "Яшил"},
    {"rag.AMBER", "Amber", "Жёлтый", "Sariq", "Сариқ"},
    {"rag.RED", "Red", "Красный", "Qizil", "Қизил"},
    // Column headers of the measures export (one row per implementation).
    {"column.measure", "Measure ID", "Код мероприятия", "Chora-tadbir kodi", "Чора-тадбир коди"},
    {"column.title", "Title", "Наименование", "Nomi", "Номи"},
    {"column.act", "Legal act", "Нормативный акт", "Normativ hujjat", "Норматив ҳужжат"},
    {"column.actDate", "Act date", "Дата акта", "Hujjat sanasi", "Ҳужжат санаси"},
    {"column.region", "Territory code", "Код территории", "Hudud kodi", "Ҳудуд коди"},
    {"column.regionName", "Region", "Регион", "Hudud", "Ҳудуд"},
    {"column.district", "District code", "Код района", "Tuman kodi", "Туман коди"},
    {"column.organisation", "Responsible organisation", "Ответственная организация",
     "Masʼul tashkilot", "Масъул ташкилот"},
    {"column.sector", "Sector", "Отрасль", "Soha", "Соҳа"},
    {"column.source", "Source", "Источник", "Manba", "Манба"},
    {"column.start", "Start", "Начало", "Boshlanish sanasi", "Бошланиш санаси"},
    {"column.originalDeadline", "Original deadline", "Первоначальный срок", "Dastlabki muddat",
     "Дастлабки муддат"},
    {"column.deadline", "Deadline in force", "Действующий срок", "Amaldagi muddat",
     "Амалдаги муддат"},
    {"column.completed", "Completed on", "Дата исполнения", "Bajarilgan sana", "Бажарилган сана"},
    {"column.status", "Status", "Статус", "Holati", "Ҳолати"},
    {"column.rag", "RAG rating", "Цветовая оценка", "Rang bahosi", "Ранг баҳоси"},
    {"column.delayDays", "Delay, days", "Просрочка, дней", "Kechikish, kun", "Кечикиш, кун"},
    {"column.progress", "Progress", "Ход выполнения", "Bajarilish darajasi", "Бажарилиш даражаси"},
    {"column.earlyWarning", "Early warning", "Раннее предупреждение", "Erta ogohlantirish",
     "Эрта огоҳлантириш"},
    {"column.tasksTotal", "Tasks", "Поручения", "Topshiriqlar", "Топшириқлар"},
    {"column.tasksOverdue", "Tasks overdue", "Просроченные поручения",
     "Muddati oʻtgan topshiriqlar", "Муддати ўтган топшириқлар"},
    {"column.tasksDoneLate", "Tasks done late", "Поручения, выполненные с опозданием",
     "Kechikib bajarilgan topshiriqlar", "Кечикиб бажарилган топшириқлар"},
    // Column headers of the summary export (one row per group); the counts per status are
    // headed by the status labels above.
    {"column.key", "Code", "Код", "Kod", "Код"},
    {"column.name", "Name", "Наименование", "Nomi", "Номи"},
    {"column.total", "Implementations", "Всего исполнений", "Jami ijrolar", "Жами ижролар"},
    {"column.done", "Done", "Выполнено", "Bajarilgan", "Бажарилган"},
    {"column.doneLate", "Done late", "Выполнено с опозданием", "Kechikib bajarilgan",
     "Кечикиб бажарилган"},
    {"column.dueOrFinished", "Due or finished", "Подлежало исполнению", "Ijro muddati kelgan",
     "Ижро муддати келган"},
    {"column.shareDoneLateOfDueOrFinished", "Share done late (of due or finished)",
     "Доля выполненных с опозданием (от подлежавших исполнению)",
     "Kechikib bajarilganlar ulushi (ijro muddati kelganlardan)",
     "Кечикиб бажарилганлар улуши (ижро муддати келганлардан)"},
    {"column.shareDoneLateOfFinished", "Share done late (of finished)",
     "Доля выполненных с опозданием (от выполненных)",
     "Kechikib bajarilganlar ulushi (bajarilganlardan)",
     "Кечикиб бажарилганлар улуши (бажарилганлардан)"},
    {"column.earlyWarnings", "Early warnings", "Ранние предупреждения", "Erta ogohlantirishlar",
     "Эрта огоҳлантиришлар"},
    // Sheet names of the XLSX exports (at most 31 characters, none of []:*?/\).
    {"sheet.measures", "Measures", "Мероприятия", "Chora-tadbirlar", "Чора-тадбирлар"},
    {"sheet.summary", "Summary", "Сводка", "Yigʻma", "Йиғма"},
    // The built-in sectors (model::SectorCatalogue); configured ones show their code.
    {"sector.health", "Health", "Здравоохранение", "Sogʻliqni saqlash", "Соғлиқни сақлаш"},
    {"sector.education", "Education", "Образование", "Taʼlim", "Таълим"},
    {"sector.tax", "Tax", "Налоги", "Soliq", "Солиқ"},
    {"sector.construction", "Construction", "Строительство", "Qurilish", "Қурилиш"},
    {"sector.banking", "Banking", "Банковское дело", "Bank ishi", "Банк иши"},
    {"sector.other", "Other", "Прочее", "Boshqa", "Бошқа"},
    // The national level (SOATO 17); the 14 regions' names are in hub/model/regions.
    {"region.17", "National", "Республиканский уровень", "Respublika miqyosida",
     "Республика миқёсида"},
};

char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool equalFolded(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

}  // namespace

std::string_view tag(Language lang) {
  switch (lang) {
    case Language::En:
      return "en";
    case Language::Ru:
      return "ru";
    case Language::UzLatn:
      return "uz-Latn";
    case Language::UzCyrl:
      return "uz-Cyrl";
  }
  return "en";
}

std::optional<Language> languageOf(std::string_view t) {
  for (Language l : kLanguages)
    if (equalFolded(t, tag(l))) return l;
  return std::nullopt;
}

Language supportedLanguage(const std::vector<std::string>& preferences) {
  for (const auto& pref : preferences) {
    if (auto exact = languageOf(pref)) return *exact;
    std::string_view p(pref);
    const std::string_view primary = p.substr(0, p.find('-'));
    if (equalFolded(primary, "en")) return Language::En;
    if (equalFolded(primary, "ru")) return Language::Ru;
    if (equalFolded(primary, "uz")) {
      // uz-Cyrl-UZ names the script; uz, uz-UZ and uz-Latn-UZ are the official Latin script.
      const std::string_view rest = p.size() > primary.size() ? p.substr(primary.size() + 1) : "";
      const std::string_view script = rest.substr(0, rest.find('-'));
      return equalFolded(script, "Cyrl") ? Language::UzCyrl : Language::UzLatn;
    }
  }
  return Language::En;
}

std::string_view Entry::in(Language lang) const {
  switch (lang) {
    case Language::En:
      return en;
    case Language::Ru:
      return ru;
    case Language::UzLatn:
      return uzLatn;
    case Language::UzCyrl:
      return uzCyrl;
  }
  return en;
}

std::span<const Entry> entries() {
  return kEntries;
}

std::optional<std::string_view> label(std::string_view key, Language lang) {
  for (const auto& e : kEntries)
    if (e.key == key) return e.in(lang);
  return std::nullopt;
}

std::string labelOr(std::string_view key, Language lang, std::string_view fallback) {
  return std::string(label(key, lang).value_or(fallback));
}

std::map<std::string, std::string> labels(Language lang) {
  std::map<std::string, std::string> out;
  for (const auto& e : kEntries) out.emplace(e.key, e.in(lang));
  return out;
}

std::string keyOf(std::string_view group, std::string_view camelName) {
  std::string out(group);
  out += '.';
  for (char c : camelName) {
    if (c >= 'A' && c <= 'Z') {
      out += '_';
      out += c;
    } else {
      out += c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
    }
  }
  return out;
}

std::string uzbekLatinApostrophes(std::string_view text) {
  static constexpr std::string_view kTurned = "\u02BB", kModifier = "\u02BC";
  static constexpr std::string_view kLeftQuote = "\u2018", kRightQuote = "\u2019";
  std::string out;
  out.reserve(text.size() + 8);
  for (std::size_t i = 0; i < text.size();) {
    std::size_t width = 0;
    if (text[i] == '\'')
      width = 1;
    else if (text.substr(i, 3) == kLeftQuote || text.substr(i, 3) == kRightQuote)
      width = 3;
    if (width == 0) {
      out += text[i++];
      continue;
    }
    const char before = i > 0 ? lower(text[i - 1]) : '\0';
    out += before == 'o' || before == 'g' ? kTurned : kModifier;
    i += width;
  }
  return out;
}

}  // namespace ijro::i18n
