// The spreadsheet plugin's header names and status words (plugins/spreadsheet/header_names.hpp):
// the four languages out of the box, matched without regard to case or script through ICU, and
// names added by the options.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "header_names.hpp"

namespace ijro::spreadsheet {
namespace {

using ::testing::HasSubstr;
using ::testing::Optional;

TEST(SpreadsheetHeaders, KeysIgnoreCaseScriptMarksAndPunctuation) {
  NameKeys k;
  EXPECT_EQ(k.key("Ijro muddati"), "ijromuddati");
  EXPECT_EQ(k.key("ИЖРО МУДДАТИ"), k.key("ijro muddati"));  // Cyrillic and Latin, any case
  EXPECT_EQ(k.key("Муддат"), k.key("MUDDAT"));
  EXPECT_EQ(k.key("Ҳолати"), k.key("holati"));
  EXPECT_EQ(k.key("Ёзув"), k.key("ЁЗУВ"));
  EXPECT_EQ(k.key("№"), "no");  // NFKC: the numero sign is "No"
  EXPECT_EQ(k.key("Masʼul"), k.key("Mas'ul"));
  EXPECT_EQ(k.key("  Срок исполнения, дата "), k.key("срок исполнения дата"));
  EXPECT_NE(k.key("Муддат"), k.key("Номи"));
}

TEST(SpreadsheetHeaders, AllFourLanguagesOutOfTheBoxInAnyCase) {
  HeaderNames n("", "");
  // Uzbek Latin
  EXPECT_THAT(n.field("Raqam"), Optional(Field::Number));
  EXPECT_THAT(n.field("TADBIR NOMI"), Optional(Field::Title));
  EXPECT_THAT(n.field("ijrochi"), Optional(Field::Executor));
  EXPECT_THAT(n.field("Ijro muddati"), Optional(Field::Deadline));
  EXPECT_THAT(n.field("Holati"), Optional(Field::Status));
  EXPECT_THAT(n.field("Bajarilish foizi"), Optional(Field::Percent));
  EXPECT_THAT(n.field("Izoh"), Optional(Field::Comment));
  // Uzbek Cyrillic, in other case
  EXPECT_THAT(n.field("НОМЕР"), Optional(Field::Number));
  EXPECT_THAT(n.field("номи"), Optional(Field::Title));
  EXPECT_THAT(n.field("ИЖРОЧИ"), Optional(Field::Executor));
  EXPECT_THAT(n.field("Муддат"), Optional(Field::Deadline));
  EXPECT_THAT(n.field("ҲОЛАТИ"), Optional(Field::Status));
  EXPECT_THAT(n.field("бажарилиш ФОИЗИ"), Optional(Field::Percent));
  EXPECT_THAT(n.field("ИЗОҲ"), Optional(Field::Comment));
  // Russian
  EXPECT_THAT(n.field("№ П/П"), Optional(Field::Number));
  EXPECT_THAT(n.field("Наименование мероприятия"), Optional(Field::Title));
  EXPECT_THAT(n.field("ответственный исполнитель"), Optional(Field::Executor));
  EXPECT_THAT(n.field("СРОК ИСПОЛНЕНИЯ"), Optional(Field::Deadline));
  EXPECT_THAT(n.field("Статус"), Optional(Field::Status));
  EXPECT_THAT(n.field("% выполнения"), Optional(Field::Percent));
  EXPECT_THAT(n.field("Примечание"), Optional(Field::Comment));
  // English
  EXPECT_THAT(n.field("No."), Optional(Field::Number));
  EXPECT_THAT(n.field("TITLE"), Optional(Field::Title));
  EXPECT_THAT(n.field("Responsible"), Optional(Field::Executor));
  EXPECT_THAT(n.field("due date"), Optional(Field::Deadline));
  EXPECT_THAT(n.field("Status"), Optional(Field::Status));
  EXPECT_THAT(n.field("Percent Done"), Optional(Field::Percent));
  EXPECT_THAT(n.field("Comments"), Optional(Field::Comment));
  EXPECT_EQ(n.field("Budget"), std::nullopt);
}

TEST(SpreadsheetHeaders, StatusWordsInTheFourLanguages) {
  HeaderNames n("", "");
  EXPECT_THAT(n.lifecycle("Bajarildi"), Optional(std::string("completed")));
  EXPECT_THAT(n.lifecycle("ЖАРАЁНДА"), Optional(std::string("inProgress")));
  EXPECT_THAT(n.lifecycle("в процессе"), Optional(std::string("inProgress")));
  EXPECT_THAT(n.lifecycle("Запланировано"), Optional(std::string("planned")));
  EXPECT_THAT(n.lifecycle("To‘xtatilgan"), Optional(std::string("suspended")));
  EXPECT_THAT(n.lifecycle("Cancelled"), Optional(std::string("cancelled")));
  EXPECT_EQ(n.lifecycle("someday"), std::nullopt);
}

TEST(SpreadsheetHeaders, OtherNamesComeFromTheOptions) {
  // Given in one script, matched in the other through the transliterator.
  HeaderNames n("deadline=Topshirish sanasi|Дата сдачи; title = Vazifa",
                "completed=Yopildi|Закрыто");
  EXPECT_THAT(n.field("ТОПШИРИШ САНАСИ"), Optional(Field::Deadline));
  EXPECT_THAT(n.field("дата сдачи"), Optional(Field::Deadline));
  EXPECT_THAT(n.field("VAZIFA"), Optional(Field::Title));
  EXPECT_THAT(n.lifecycle("ёпилди"), Optional(std::string("completed")));
  EXPECT_THAT(n.lifecycle("закрыто"), Optional(std::string("completed")));

  try {
    HeaderNames bad("due=Muddat", "");
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), HasSubstr("option \"headers\": \"due=Muddat\" is not FIELD=Header"));
    EXPECT_THAT(e.what(), HasSubstr("the fields are number, title, executor, deadline"));
  }
  EXPECT_THROW(HeaderNames("title=%", ""), std::invalid_argument);
  EXPECT_THROW(HeaderNames("", "done=Tayyor"), std::invalid_argument);
}

}  // namespace
}  // namespace ijro::spreadsheet
