// Shared setup for the store tests: a fresh database per test on either backend, sample data and
// raw SQL access for white-box checks.
#pragma once

#include <gtest/gtest.h>
#include <soci/session.h>

#include <filesystem>
#include <memory>
#include <string>

#include "hub/model/types.hpp"
#include "hub/store/store.hpp"

namespace ijro::store::test {

model::Date day(const char* iso);

// A measure implementation with every kind of child filled in.
model::Implementation sample(const std::string& measureId = "DU2030-1.2.15",
                             const std::string& region = "1703",
                             const std::string& organisation = "Ministry of Health",
                             std::int64_t revision = 1);

// sample() stripped of what schema version 3 added (request fields, decisions other than the
// approval an approver implies, titles in other languages, control events, comments): a record
// as earlier hubs stored it.
model::Implementation withoutExecutionControl(model::Implementation x);

class FreshDatabase;
// Builds the database an earlier hub left behind: the schema up to `version` (1 or 2) and, written
// with that version's columns, sample()'s key with an approved and a requested deadline change,
// an assignment with an approved change, and its history row. Returns what the store must read
// back once it has migrated the database.
model::Implementation createEarlierDatabase(const FreshDatabase& db, int version);

// A fresh, empty database for one test: "sqlite" (a file in the build tree) or "postgresql"
// (a new schema in the test cluster, dropped afterwards).
class FreshDatabase {
 public:
  explicit FreshDatabase(const std::string& backend);
  ~FreshDatabase();
  FreshDatabase(const FreshDatabase&) = delete;
  FreshDatabase& operator=(const FreshDatabase&) = delete;

  const std::string& url() const { return url_; }
  // PostgreSQL: the schema, also the application_name of every connection to this database.
  const std::string& schema() const { return schema_; }
  std::unique_ptr<Store> open(std::size_t poolSize = 4) const {
    return Store::open(url_, poolSize);
  }
  // A plain SOCI session on the same database (and schema).
  std::unique_ptr<soci::session> raw() const;
  long long scalar(const std::string& sql) const;
  std::string text(const std::string& sql) const;

 private:
  std::string backend_;
  std::string url_;
  std::string schema_;         // PostgreSQL
  std::string adminConnect_;   // PostgreSQL, without the search_path
  std::filesystem::path dir_;  // SQLite
};

class StoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { db_ = std::make_unique<FreshDatabase>(GetParam()); }
  void TearDown() override { db_.reset(); }
  FreshDatabase& db() { return *db_; }

 private:
  std::unique_ptr<FreshDatabase> db_;
};

}  // namespace ijro::store::test
