// What the out-of-tree tests share (adapter_example_test, plugin_copy_out_test): running the
// build commands an adapter team runs, with their output in a log that a failure prints, and
// installing the SDK the way such a team gets it: `cmake -S sdk`, on its own.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace ijro::test {

// Runs argv (no shell) with stdout and stderr appended to `log`. On failure the current test
// fails with the command and the end of the log; returns whether it succeeded.
bool run(const std::vector<std::string>& argv, const std::filesystem::path& log);

// `s` quoted for sh.
std::string shellQuote(const std::string& s);

// The cmake arguments that make a project build as this tree does (generator, make program,
// compiler, build type) and find packages only under `prefix`.
std::vector<std::string> cmakeConfigure(const std::filesystem::path& source,
                                        const std::filesystem::path& build,
                                        const std::filesystem::path& prefix);

// The folders directly under /usr/include that the Debian packages install headers into
// (`dpkg -L`), e.g. {"/usr/include/soci"} for libsoci-dev. Fails the test when there is none.
std::vector<std::filesystem::path> headerFolders(const std::vector<std::string>& packages);

// A sh script prefix that mounts an empty tmpfs over each folder and checks it is empty; meant
// for `unshare -m sh -c`, where the mounts are private to that command and vanish with it.
std::string hideFolders(const std::vector<std::filesystem::path>& folders);

}  // namespace ijro::test
