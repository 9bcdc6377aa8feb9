// Small helpers shared by the tests.
#pragma once

#include <filesystem>
#include <string>

namespace ijro::test {

std::filesystem::path sourceDir();  // repository root (IJRO_SOURCE_DIR)
std::filesystem::path binaryDir();  // build tree (IJRO_BINARY_DIR)
std::string readFile(const std::filesystem::path& p);
// Connection URL of the throwaway PostgreSQL cluster; fails the current test if it is not running.
std::string postgresUrl();
// A fresh empty directory under the build tree, removed by the caller when wanted.
std::filesystem::path tempDir(const std::string& hint);

}  // namespace ijro::test
