// Loading: good plugins are described; every defect is refused with a message that names the
// file, both ABI versions and what to do.
#include "hub/plugin_host/loader.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <functional>

namespace ijro::plugin_host {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using Reason = PluginError::Reason;

// The ABI of this build's header, which the test plugins are built for too; messages name both.
const std::string kAbi = std::to_string(IJRO_ABI_MAJOR) + "." + std::to_string(IJRO_ABI_MINOR);
const std::string kBothAbis = "plugin ABI " + kAbi + ", hub ABI " + kAbi;

// Runs f, which must throw a PluginError for `reason`; returns its message.
std::string refusal(Reason reason, const std::function<void()>& f) {
  try {
    f();
  } catch (const PluginError& e) {
    EXPECT_EQ(static_cast<int>(e.reason()), static_cast<int>(reason)) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "no PluginError thrown";
  return {};
}

std::string loadRefusal(Reason reason, const char* path) {
  std::string message = refusal(reason, [&] { load(path); });
  EXPECT_THAT(message, HasSubstr(path));
  return message;
}

TEST(Loader, DescribesAGoodSdkSource) {
  LoadedPlugin p = load(IJRO_TEST_PLUGIN_GOOD_SOURCE);
  const PluginInfo& i = p.info();
  EXPECT_EQ(i.name, "good-source");
  EXPECT_EQ(i.version, "1.2.0");
  EXPECT_EQ(i.description, "Emits demo implementations, one revision per poll.");
  EXPECT_EQ(i.kind, Kind::Source);
  EXPECT_EQ(i.abi, (AbiVersion{IJRO_ABI_MAJOR, IJRO_ABI_MINOR}));
  EXPECT_EQ(i.path, IJRO_TEST_PLUGIN_GOOD_SOURCE);
  ASSERT_EQ(i.options.size(), 7u);
  EXPECT_EQ(i.options[0].name, "endpoint");
  EXPECT_TRUE(i.options[0].required);
  EXPECT_FALSE(i.options[0].defaultValue);
  EXPECT_EQ(i.options[1].type, OptionType::Int);
  EXPECT_EQ(i.options[1].defaultValue, "3");
  EXPECT_EQ(i.options[1].description, "Implementations emitted per poll.");
  EXPECT_EQ(i.options[4].type, OptionType::Double);
  EXPECT_EQ(i.options[5].type, OptionType::Bool);
  EXPECT_EQ(i.options[5].defaultValue, "false");
  EXPECT_EQ(i.options[6].type, OptionType::Path);
  EXPECT_FALSE(i.options[6].defaultValue);
  EXPECT_NE(p.descriptor().on_poll, nullptr);
  EXPECT_EQ(p.descriptor().on_deliver, nullptr);
}

TEST(Loader, DescribesEveryGoodKind) {
  EXPECT_EQ(load(IJRO_TEST_PLUGIN_GOOD_SINK).info().kind, Kind::Sink);
  EXPECT_EQ(load(IJRO_TEST_PLUGIN_GOOD_TRANSFORM).info().kind, Kind::Transform);
  LoadedPlugin c = load(IJRO_TEST_PLUGIN_C_SOURCE);
  EXPECT_EQ(c.info().name, "c-source");
  EXPECT_EQ(c.info().options.size(), 2u);
  EXPECT_EQ(load(IJRO_TEST_PLUGIN_INVALID_RECORDS).info().options.size(), 0u);
}

TEST(Loader, CrashingPluginsLoadTheirDefectsShowOnlyWhenRun) {
  // For the isolation phase: in-process, polling them would take the test down.
  EXPECT_EQ(load(IJRO_TEST_PLUGIN_SEGFAULT).info().name, "c-source");
  EXPECT_EQ(load(IJRO_TEST_PLUGIN_HANG).info().name, "c-source");
}

TEST(Loader, RefusesAnotherAbiMajor) {
  std::string m = loadRefusal(Reason::AbiMajor, IJRO_TEST_PLUGIN_ABI_MAJOR);
  EXPECT_THAT(
      m, AllOf(HasSubstr("plugin ABI 2." + std::to_string(IJRO_ABI_MINOR) + ", hub ABI " + kAbi),
               HasSubstr("rebuild the plugin against ijro-hub SDK 1.x"),
               HasSubstr("or run it on an ijro-hub release that implements plugin ABI 2.x")));
}

TEST(Loader, RefusesANewerAbiMinor) {
  // The plugin was built for the minor after this hub's.
  const std::string next =
      std::to_string(IJRO_ABI_MAJOR) + "." + std::to_string(IJRO_ABI_MINOR + 1);
  std::string m = loadRefusal(Reason::AbiMinor, IJRO_TEST_PLUGIN_ABI_MINOR);
  EXPECT_THAT(
      m,
      AllOf(HasSubstr("\"c-source\" 0.9.0"), HasSubstr("plugin ABI " + next + ", hub ABI " + kAbi),
            HasSubstr("upgrade ijro-hub to a release with plugin ABI " + next + " or later"),
            HasSubstr("rebuild the plugin against ijro-hub SDK " + kAbi)));
}

TEST(Loader, RefusesAShortDescriptor) {
  std::string m = loadRefusal(Reason::DescriptorSize, IJRO_TEST_PLUGIN_SHORT_DESCRIPTOR);
  EXPECT_THAT(
      m, AllOf(HasSubstr("descriptor of 32 bytes"), HasSubstr("at least 64"), HasSubstr(kBothAbis),
               HasSubstr("rebuild the plugin against ijro-hub SDK 1.x")));
}

TEST(Loader, RefusesAMissingRequiredHook) {
  std::string m = loadRefusal(Reason::MissingHook, IJRO_TEST_PLUGIN_MISSING_HOOK);
  EXPECT_THAT(m, AllOf(HasSubstr("\"forgetful-sink\" 0.9.0"),
                       HasSubstr("is a sink but has no on_deliver hook"), HasSubstr(kBothAbis),
                       HasSubstr("Sink::deliver"), HasSubstr("rebuild the plugin")));
}

TEST(Loader, RefusesAnInconsistentOptionTable) {
  std::string m = loadRefusal(Reason::BadOptionTable, IJRO_TEST_PLUGIN_BAD_OPTIONS);
  EXPECT_THAT(m, AllOf(HasSubstr("option 1 \"records\" has default \"many\", which is not an "
                                 "integer"),
                       HasSubstr(kBothAbis), HasSubstr("rebuild the plugin")));
}

TEST(Loader, RefusesALibraryThatIsNotAPlugin) {
  std::string m = loadRefusal(Reason::NotAPlugin, IJRO_TEST_PLUGIN_NO_ENTRY);
  EXPECT_THAT(m, AllOf(HasSubstr("is not an ijro-hub plugin"),
                       HasSubstr("does not export ijro_plugin_entry"), HasSubstr("hub ABI " + kAbi),
                       HasSubstr("IJRO_DEFINE_SOURCE_PLUGIN")));
  m = loadRefusal(Reason::NotAPlugin, IJRO_TEST_PLUGIN_NULL_ENTRY);
  EXPECT_THAT(m, HasSubstr("returned NULL"));
}

TEST(Loader, RefusesAMissingFile) {
  std::string m = loadRefusal(Reason::NotLoadable, "/nonexistent/plugin.so");
  EXPECT_THAT(m, AllOf(HasSubstr("cannot load plugin /nonexistent/plugin.so"),
                       HasSubstr("No such file"), HasSubstr("hub ABI " + kAbi)));
}

TEST(Loader, CopiesKeepTheLibraryLoaded) {
  std::optional<LoadedPlugin> copy;
  {
    LoadedPlugin p = load(IJRO_TEST_PLUGIN_GOOD_SINK);
    copy = p;
  }
  EXPECT_EQ(copy->info().name, "good-sink");
  EXPECT_STREQ(copy->descriptor().name, "good-sink");  // points into the library: still mapped
}

// In-memory descriptors for the checks a built plugin can hardly get wrong.
ijro_status create(ijro_host*, const ijro_config*, void**, ijro_message*) {
  return IJRO_OK;
}
void destroy(void*) {}
ijro_status pollHook(void*, ijro_message*) {
  return IJRO_OK;
}

ijro_plugin_descriptor source(const ijro_option* options = nullptr, std::uint32_t count = 0) {
  ijro_plugin_descriptor d{};
  d.struct_size = sizeof d;
  d.abi_major = IJRO_ABI_MAJOR;
  d.abi_minor = IJRO_ABI_MINOR;
  d.name = "mem";
  d.version = "1";
  d.kind = IJRO_KIND_SOURCE;
  d.options = options;
  d.option_count = count;
  d.on_create = &create;
  d.on_destroy = &destroy;
  d.on_poll = &pollHook;
  return d;
}

std::string checkRefusal(Reason reason, const ijro_plugin_descriptor& d) {
  return refusal(reason, [&] { checkDescriptor(&d, "mem.so"); });
}

TEST(CheckDescriptor, AcceptsAMinimalSource) {
  auto d = source();
  CheckedDescriptor c = checkDescriptor(&d, "mem.so");
  EXPECT_EQ(c.info.name, "mem");
  EXPECT_EQ(c.info.description, "");
  EXPECT_EQ(c.descriptor.on_poll, &pollHook);
}

TEST(CheckDescriptor, CopiesOnlyStructSizeBytes) {
  // A descriptor that ends before on_poll: the hook beyond it must read as missing even though
  // the memory after it holds a pointer.
  auto d = source();
  d.struct_size = offsetof(ijro_plugin_descriptor, on_poll);
  EXPECT_THAT(checkRefusal(Reason::MissingHook, d),
              HasSubstr("is a source but has no on_poll hook"));
}

TEST(CheckDescriptor, RefusesSizesOutsideTheAbi) {
  auto d = source();
  d.struct_size = 4;
  EXPECT_THAT(checkRefusal(Reason::DescriptorSize, d),
              HasSubstr("too small to hold even the ABI version"));
  d.struct_size = sizeof d + 8;
  EXPECT_THAT(
      checkRefusal(Reason::DescriptorSize, d),
      AllOf(HasSubstr("larger than the 88 bytes ABI " + kAbi + " defines"), HasSubstr(kBothAbis)));
}

TEST(CheckDescriptor, RefusesAnOlderMajorToo) {
  auto d = source();
  d.abi_major = 0;
  std::string m = checkRefusal(Reason::AbiMajor, d);
  EXPECT_THAT(m, HasSubstr("plugin ABI 0." + std::to_string(IJRO_ABI_MINOR) + ", hub ABI " + kAbi));
  EXPECT_THAT(m, ::testing::Not(HasSubstr("release that implements")));
}

TEST(CheckDescriptor, RefusesUnknownKindsAndBadNames) {
  auto d = source();
  d.kind = 9;
  EXPECT_THAT(checkRefusal(Reason::BadDescriptor, d), HasSubstr("its kind is 9"));
  d = source();
  d.name = "Has Spaces";
  EXPECT_THAT(checkRefusal(Reason::BadDescriptor, d), HasSubstr("name is missing or not made of"));
  d = source();
  d.version = nullptr;
  EXPECT_THAT(checkRefusal(Reason::BadDescriptor, d), HasSubstr("version is missing"));
  d = source();
  d.on_destroy = nullptr;
  EXPECT_THAT(checkRefusal(Reason::MissingHook, d), HasSubstr("no on_destroy hook"));
}

TEST(CheckDescriptor, RefusesInconsistentOptionTables) {
  const ijro_option twice[] = {{"a", IJRO_OPTION_INT, 0, "1", nullptr},
                               {"a", IJRO_OPTION_STRING, 0, nullptr, nullptr}};
  EXPECT_THAT(checkRefusal(Reason::BadOptionTable, source(twice, 2)),
              HasSubstr("option 2 \"a\" is declared twice"));
  const ijro_option both[] = {{"a", IJRO_OPTION_INT, 1, "1", nullptr}};
  EXPECT_THAT(checkRefusal(Reason::BadOptionTable, source(both, 1)),
              HasSubstr("is required and also has a default"));
  const ijro_option type[] = {{"a", 17, 0, nullptr, nullptr}};
  EXPECT_THAT(checkRefusal(Reason::BadOptionTable, source(type, 1)), HasSubstr("unknown type 17"));
  const ijro_option unnamed[] = {{"", IJRO_OPTION_INT, 0, nullptr, nullptr}};
  EXPECT_THAT(checkRefusal(Reason::BadOptionTable, source(unnamed, 1)), HasSubstr("has no name"));
  EXPECT_THAT(checkRefusal(Reason::BadOptionTable, source(nullptr, 2)),
              HasSubstr("table pointer is NULL"));
  EXPECT_THAT(checkRefusal(Reason::BadOptionTable, source(twice, 100000)),
              HasSubstr("more than the 1024"));
}

}  // namespace
}  // namespace ijro::plugin_host
