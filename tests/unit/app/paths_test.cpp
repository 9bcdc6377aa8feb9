// Where the hub finds its own files: relative to the binary, with --schemas and $IJRO_SCHEMA_DIR
// as overrides, and a folder that was asked for but lacks the schema named in the error.
#include "hub/app/paths.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "tests/support/test_support.hpp"

namespace ijro::app {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

TEST(Paths, SchemasAndPluginsAreBesideTheBinary) {
  EXPECT_EQ(schemaDirBeside("/opt/ijro/bin/ijro-hub"),
            fs::path("/opt/ijro/share/ijro-hub/schemas"));
  EXPECT_EQ(pluginDirBeside("/opt/ijro/bin/ijro-hub"), fs::path("/opt/ijro/lib/ijro-hub/plugins"));
  // The build tree: build/hub/ijro-hub beside build/share and build/lib.
  EXPECT_EQ(schemaDirBeside("/src/build/hub/ijro-hub"),
            fs::path("/src/build/share/ijro-hub/schemas"));
  EXPECT_EQ(pluginDirBeside("/src/build/hub/ijro-hub"),
            fs::path("/src/build/lib/ijro-hub/plugins"));
}

TEST(Paths, ExecutablePathIsTheRunningBinary) {
  const fs::path exe = executablePath();
  EXPECT_TRUE(exe.is_absolute()) << exe;
  EXPECT_EQ(exe.filename(), "test_app");
  EXPECT_TRUE(fs::is_regular_file(exe)) << exe;
}

class SchemaLookup : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = test::tempDir("schema-lookup");
    for (const char* dir : {"flag", "env", "prefix/share/ijro-hub/schemas"})
      fs::create_directories(root_ / dir);
    fs::create_directories(root_ / "prefix/bin");
  }
  void TearDown() override { fs::remove_all(root_); }

  void schemaIn(const std::string& dir) { std::ofstream(root_ / dir / "hub-config.xsd") << "<x/>"; }
  std::string dir(const std::string& name) const { return (root_ / name).string(); }
  fs::path exe() const { return root_ / "prefix/bin/ijro-hub"; }

  fs::path root_;
};

TEST_F(SchemaLookup, FlagThenEnvironmentThenBesideTheBinary) {
  for (const char* d : {"flag", "env", "prefix/share/ijro-hub/schemas"}) schemaIn(d);
  const std::string env = dir("env");
  EXPECT_EQ(findSchema("hub-config.xsd", dir("flag"), env.c_str(), exe()),
            root_ / "flag/hub-config.xsd");
  EXPECT_EQ(findSchema("hub-config.xsd", "", env.c_str(), exe()), root_ / "env/hub-config.xsd");
  EXPECT_EQ(findSchema("hub-config.xsd", "", "", exe()),
            root_ / "prefix/share/ijro-hub/schemas/hub-config.xsd");
  EXPECT_EQ(findSchema("hub-config.xsd", "", nullptr, exe()),
            root_ / "prefix/share/ijro-hub/schemas/hub-config.xsd");
}

TEST_F(SchemaLookup, AFolderAskedForButWithoutTheSchemaIsAnErrorNotAFallback) {
  schemaIn("prefix/share/ijro-hub/schemas");  // would be found if the lookup fell through
  try {
    findSchema("hub-config.xsd", dir("flag"), nullptr, exe());
    FAIL() << "an empty --schemas folder was accepted";
  } catch (const SchemaNotFound& e) {
    EXPECT_THAT(e.what(),
                AllOf(HasSubstr("hub-config.xsd"), HasSubstr(dir("flag")), HasSubstr("--schemas")));
  }
  const std::string env = dir("env");
  try {
    findSchema("hub-config.xsd", "", env.c_str(), exe());
    FAIL() << "an empty IJRO_SCHEMA_DIR folder was accepted";
  } catch (const SchemaNotFound& e) {
    EXPECT_THAT(e.what(), AllOf(HasSubstr(env), HasSubstr("IJRO_SCHEMA_DIR")));
  }
}

TEST_F(SchemaLookup, MissingInstalledSchemasNameWhereTheyWereLookedFor) {
  try {
    findSchema("plugin-options.xsd", "", nullptr, exe());
    FAIL() << "found a schema that is not there";
  } catch (const SchemaNotFound& e) {
    EXPECT_THAT(e.what(), AllOf(HasSubstr("plugin-options.xsd"),
                                HasSubstr(dir("prefix/share/ijro-hub/schemas")),
                                HasSubstr(exe().string()), HasSubstr("--schemas DIR")));
  }
  EXPECT_THROW(findSchema("hub-config.xsd", "", nullptr, fs::path()), SchemaNotFound);
}

TEST_F(SchemaLookup, TheRunningProcessReadsIjroSchemaDir) {
  schemaIn("env");
  ::setenv("IJRO_SCHEMA_DIR", dir("env").c_str(), 1);
  const fs::path found = findSchema("hub-config.xsd", "");
  ::unsetenv("IJRO_SCHEMA_DIR");
  EXPECT_EQ(found, root_ / "env/hub-config.xsd");
  // Without it, beside this test's own binary, where there are none.
  EXPECT_THROW(findSchema("hub-config.xsd", ""), SchemaNotFound);
}

}  // namespace
}  // namespace ijro::app
