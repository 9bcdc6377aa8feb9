// Why a dropped file cannot be read as a whole: what is wrong and how to fix it. The plugin moves
// such a file to the quarantine folder with both sentences in a reason file beside it.
#pragma once

#include <stdexcept>
#include <string>

namespace ijro::file_drop {

class FileProblem : public std::runtime_error {
 public:
  FileProblem(const std::string& problem, std::string fix)
      : std::runtime_error(problem), fix_(std::move(fix)) {}
  const std::string& fix() const { return fix_; }

 private:
  std::string fix_;
};

}  // namespace ijro::file_drop
