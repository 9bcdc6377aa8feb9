// Pure parts of the store: change descriptions, fingerprints, text helpers and URL parsing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hub/store/changes.hpp"
#include "hub/store/store.hpp"
#include "hub/store/text.hpp"
#include "hub/store/url.hpp"
#include "store_fixture.hpp"

namespace ijro::store::test {
namespace {

using ::testing::HasSubstr;

TEST(StoreChanges, NothingChangedGivesAnEmptyDescription) {
  auto a = sample();
  auto b = a;
  b.revision = 7;
  b.source = "other";
  EXPECT_EQ(describeChanges(a, b), "");
}

TEST(StoreChanges, OneLinePerChangedField) {
  auto a = sample();
  auto b = a;
  b.measure.title = "New title";
  b.lifecycle = model::Lifecycle::Completed;
  b.completed = day("2026-06-20");
  b.deadlineChanges[1].decision = model::Decision::Rejected;
  b.deadlineChanges[1].decidedBy = "Cabinet of Ministers";
  b.deadlineChanges[1].decidedOn = day("2026-10-01");
  b.deadlineChanges.push_back({day("2026-12-31"), day("2027-03-31"), "", std::nullopt, ""});
  b.indicators[0].periods[1].actual = 42.5;
  b.indicators[0].periods.push_back({day("2027-01-01"), day("2027-06-30"), 100, std::nullopt});
  b.indicators[1].ascending = true;
  b.indicators[1].baseline = 10;
  b.indicators.push_back({"new", "New one", "", true, 0, {}});
  b.assignments[0].control = model::ControlStatus::Verified;
  b.assignments[0].deadlineChanges.clear();
  b.assignments[1].assignee = "Other clinic";
  b.evidence.erase(b.evidence.begin());
  b.evidence[0].title = "Photo 2";
  b.note = "";
  EXPECT_EQ(describeChanges(a, b),
            "title: Expand primary care coverage in rural districts -> New title\n"
            "lifecycle: inProgress -> completed\n"
            "completed: (none) -> 2026-06-20\n"
            "deadline change 2 decision: pending -> rejected\n"
            "deadline change 2 decided by: (empty) -> Cabinet of Ministers\n"
            "deadline change 2 decided on: (none) -> 2026-10-01\n"
            "deadline change 4 added: 2026-12-31 to 2027-03-31, pending\n"
            "indicator consultations period 2026-07-01..2026-12-31 actual: (none) -> 42.5\n"
            "indicator consultations period 2027-01-01..2027-06-30 added: target 100, actual "
            "(none)\n"
            "indicator wait-days direction: lower is better -> higher is better\n"
            "indicator wait-days baseline: 14 -> 10\n"
            "indicator new added: New one, 0 period(s)\n"
            "assignment A-1 control: submitted -> verified\n"
            "assignment A-1 deadline change 1 removed: 2026-04-30 to 2026-05-31, approved by "
            "Deputy hokim on 2026-04-15, reason: supplier\n"
            "assignment A-1.1 assignee: District clinic, Ургут -> Other clinic\n"
            "evidence https://docs.example.uz/photo.jpg title: Photo -> Photo 2\n"
            "evidence removed: https://docs.example.uz/act-17.pdf\n"
            "note: Поставка оборудования; 2-quarter report\\nsecond line -> (empty)");
}

// Journals only grow: an entry a later revision leaves out is kept by the store, not removed.
TEST(StoreChanges, NamesNewJournalEntriesAndTitlesButNoRemovedEntries) {
  auto a = sample();
  auto b = a;
  b.controlEvents.clear();
  b.comments.erase(b.comments.begin());
  b.comments.push_back({"Deputy hokim", "2026-06-03T10:00:00+05:00", "uz-Cyrl", "Қабул қилинди."});
  b.assignments[1].controlEvents.push_back({model::ControlStatus::Removed, "Deputy hokim",
                                            day("2026-06-03"), "", std::nullopt,
                                            "merged into A-1"});
  b.measure.titles[1].text = "Расширить охват";
  b.measure.titles.erase(b.measure.titles.begin());
  b.measure.titles.push_back({"en", "Expand coverage"});
  b.assignments[0].titles.clear();
  EXPECT_EQ(describeChanges(a, b),
            "title (ru): Расширить охват первичной помощью в сельских районах -> Расширить "
            "охват\n"
            "title (en) added: Expand coverage\n"
            "title (uz-Cyrl) removed\n"
            "assignment A-1 title (uz-Latn) removed\n"
            "assignment A-1.1 control event added: removed by Deputy hokim on 2026-06-03, "
            "reason: merged into A-1\n"
            "comment added: Deputy hokim (uz-Cyrl, 2026-06-03T10:00:00+05:00): Қабул қилинди.");
}

TEST(StoreChanges, ReorderingIsReported) {
  auto a = sample();
  auto b = a;
  std::swap(b.evidence[0], b.evidence[1]);
  EXPECT_EQ(describeChanges(a, b), "evidence reordered");
  EXPECT_NE(fingerprint(a), fingerprint(b));
}

// Records without the fields schema version 3 added keep the fingerprint earlier hubs stored,
// so that a revision sent again after the upgrade is still a duplicate. The value is what the
// fingerprint was before those fields existed.
TEST(StoreFingerprint, UnchangedForRecordsWithoutExecutionControl) {
  EXPECT_EQ(fingerprint(withoutExecutionControl(sample())),
            "a224adc26a0fa1fd6d9e028b6f27b43d5329a1de7d86a6404909082d592f97ac");
  auto x = withoutExecutionControl(sample());
  x.deadlineChanges[0].requestedBy = "someone";
  EXPECT_NE(fingerprint(x), fingerprint(withoutExecutionControl(sample())));
  x = withoutExecutionControl(sample());
  x.deadlineChanges[1].decision = model::Decision::Rejected;  // pending before
  EXPECT_NE(fingerprint(x), fingerprint(withoutExecutionControl(sample())));
}

TEST(StoreFingerprint, CoversContentButNotSourceOrRevision) {
  auto a = sample();
  auto fp = fingerprint(a);
  EXPECT_EQ(fp.size(), 64u);
  auto b = a;
  b.revision = 9;
  b.source = "x";
  EXPECT_EQ(fingerprint(b), fp);

  auto changed = [&](auto mutate) {
    auto c = a;
    mutate(c);
    return fingerprint(c) != fp;
  };
  using I = model::Implementation;
  EXPECT_TRUE(changed([](I& c) { c.measure.title += "."; }));
  EXPECT_TRUE(changed([](I& c) { c.measure.act.date += std::chrono::days{1}; }));
  EXPECT_TRUE(changed([](I& c) { c.completed = day("2026-06-01"); }));
  EXPECT_TRUE(changed([](I& c) { c.assignments[0].completed.reset(); }));
  EXPECT_TRUE(changed([](I& c) { c.deadlineChanges[0].reason = ""; }));
  EXPECT_TRUE(changed([](I& c) { c.indicators[0].periods[1].actual = 0; }));
  EXPECT_TRUE(changed([](I& c) { c.indicators[0].periods[1].target.reset(); }));
  EXPECT_TRUE(changed([](I& c) { c.assignments[1].deadlineChanges.push_back({}); }));
  EXPECT_TRUE(changed([](I& c) { c.evidence[1].uploader = "x"; }));
  EXPECT_TRUE(changed([](I& c) { c.note = "x"; }));
  EXPECT_TRUE(changed([](I& c) { c.measure.titles[1].text += "."; }));
  EXPECT_TRUE(changed([](I& c) { c.measure.titles.pop_back(); }));
  EXPECT_TRUE(changed([](I& c) { c.deadlineChanges[2].decision = model::Decision::Approved; }));
  EXPECT_TRUE(changed([](I& c) { c.deadlineChanges[0].requestedOn.reset(); }));
  EXPECT_TRUE(changed([](I& c) { c.controlEvents[0].completed.reset(); }));
  EXPECT_TRUE(changed([](I& c) { c.comments[1].lang = "uz-Latn"; }));
  EXPECT_TRUE(changed([](I& c) { c.assignments[0].titles.clear(); }));
  EXPECT_TRUE(changed([](I& c) { c.assignments[0].controlEvents[1].reason = "x"; }));
  EXPECT_TRUE(changed([](I& c) { c.assignments[0].comments[0].at = "2026-05-25T12:00:01Z"; }));
  // An entry moved from the implementation to a task is another record.
  EXPECT_TRUE(changed([](I& c) {
    c.assignments[1].comments = c.comments;
    c.comments.clear();
  }));
  // Field boundaries are unambiguous.
  auto p = a, q = a;
  p.measure.act.type = "ab";
  p.measure.act.number = "c";
  q.measure.act.type = "a";
  q.measure.act.number = "bc";
  EXPECT_NE(fingerprint(p), fingerprint(q));
  // -0.0 == 0.0, as operator== says.
  p = a, q = a;
  p.indicators[0].baseline = 0.0;
  q.indicators[0].baseline = -0.0;
  EXPECT_EQ(fingerprint(p), fingerprint(q));
}

TEST(StoreText, FoldsCaseAcrossScripts) {
  using detail::foldCase;
  EXPECT_EQ(foldCase("ABC xyz"), "abc xyz");
  EXPECT_EQ(foldCase("ÄÖÜ ÉÇ"), "äöü éç");
  EXPECT_EQ(foldCase("МАКТАБ Ёлка"), "мактаб ёлка");
  EXPECT_EQ(foldCase("ЎҚҒҲ ўқғҳ"), "ўқғҳ ўқғҳ");
  EXPECT_EQ(foldCase("O‘ZBEKISTON"), "o‘zbekiston");
  EXPECT_EQ(foldCase("ŞĞİ"), "şği");
  EXPECT_EQ(foldCase("\xFF\xC3"), "\xFF\xC3");  // invalid bytes pass through
}

TEST(StoreText, Utf8EscapingAndTimestamps) {
  using namespace detail;
  EXPECT_TRUE(isValidUtf8("plain ўзбек 😀"));
  EXPECT_FALSE(isValidUtf8("\xC3\x28"));
  EXPECT_FALSE(isValidUtf8("\xC0\xAF"));          // overlong
  EXPECT_FALSE(isValidUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(isValidUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(isValidUtf8("\xE2\x82"));          // truncated
  EXPECT_EQ(escapeLike("100%_a!b"), "100!%!_a!!b");
  using namespace std::chrono;
  EXPECT_EQ(formatTimestamp(sys_days{2026y / 3 / 1} + 10h + 5min + 7s + 999ms),
            "2026-03-01T10:05:07Z");
}

TEST(StoreUrl, AcceptedForms) {
  using detail::Dialect;
  using detail::parseStoreUrl;
  auto a = parseStoreUrl("sqlite:/var/lib/ijro/hub.db");
  EXPECT_EQ(a.dialect, Dialect::Sqlite);
  EXPECT_EQ(a.path, "/var/lib/ijro/hub.db");
  EXPECT_EQ(a.connect, "/var/lib/ijro/hub.db");
  EXPECT_EQ(parseStoreUrl("sqlite3:data/hub.db").path, "data/hub.db");
  EXPECT_EQ(parseStoreUrl("sqlite:///tmp/x.db").path, "/tmp/x.db");
  EXPECT_EQ(parseStoreUrl("sqlite:/tmp/a=b.db").connect, "db=\"/tmp/a=b.db\"");

  auto b = parseStoreUrl("postgresql://dbname=ijro host=/run/pg port=5432 user=postgres");
  EXPECT_EQ(b.dialect, Dialect::Postgres);
  EXPECT_EQ(b.connect, "dbname=ijro host=/run/pg port=5432 user=postgres");
  EXPECT_EQ(parseStoreUrl("postgresql:dbname=ijro").connect, "dbname=ijro");
  auto c = parseStoreUrl("postgresql://hub:s3cret@db.example:5433/ijro?sslmode=require");
  EXPECT_EQ(c.connect, "postgresql://hub:s3cret@db.example:5433/ijro?sslmode=require");
  EXPECT_EQ(c.display, "postgresql://hub:***@db.example:5433/ijro?sslmode=require");
  EXPECT_EQ(parseStoreUrl("postgres://db/ijro").connect, "postgresql://db/ijro");
  EXPECT_EQ(parseStoreUrl("postgresql://dbname=x password='a b' user=u").display,
            "postgresql://dbname=x password=*** user=u");

  EXPECT_THROW(parseStoreUrl("mysql://x"), StoreError);
  EXPECT_THROW(parseStoreUrl("/tmp/hub.db"), StoreError);
  EXPECT_THROW(parseStoreUrl(""), StoreError);
}

// A password given beside the URL (from a file or the environment) reaches libpq in the form the
// URL uses, quoted, and never shows in what is displayed.
TEST(StoreUrl, APasswordGivenBesideTheUrlIsAddedToTheConnectionAndNotDisplayed) {
  using detail::parseStoreUrl;
  auto kv = parseStoreUrl("postgresql://dbname=ijro host=/run/pg user=hub", "it's \\ secret");
  EXPECT_EQ(kv.connect, "dbname=ijro host=/run/pg user=hub password='it\\'s \\\\ secret'");
  EXPECT_EQ(kv.display, "postgresql://dbname=ijro host=/run/pg user=hub");
  auto uri = parseStoreUrl("postgresql://hub@db.example/ijro", "p&ss w/rd");
  EXPECT_EQ(uri.connect, "postgresql://hub@db.example/ijro?password=p%26ss%20w%2Frd");
  EXPECT_EQ(parseStoreUrl("postgresql://hub@db/ijro?sslmode=require", "x").connect,
            "postgresql://hub@db/ijro?sslmode=require&password=x");
  EXPECT_EQ(parseStoreUrl("postgresql://hub@db/ijro", "").connect, "postgresql://hub@db/ijro");
  try {
    parseStoreUrl("sqlite:/tmp/hub.db", "x");
    FAIL() << "a SQLite store took a password";
  } catch (const StoreError& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("takes no password"));
  }
  EXPECT_EQ(redactStoreUrl("postgresql://hub:s3cret@db/ijro"), "postgresql://hub:***@db/ijro");
}

}  // namespace
}  // namespace ijro::store::test
