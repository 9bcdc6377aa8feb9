// The error every reader of sdk/tables throws: what is wrong, where (the entry, line, sheet or
// cell, already part of what()), and how to fix it, in sentences a person who made the file can
// act on. Plugins catch it to refuse a file or a row with its reason.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>

namespace ijro::tables {

class TableError : public std::runtime_error {
 public:
  TableError(const std::string& problem, std::string fix)
      : std::runtime_error(problem), fix_(std::move(fix)) {}
  // What to do about it ("Save the file as ...", "Unmerge the cell ..."); may be empty.
  const std::string& fix() const { return fix_; }

 private:
  std::string fix_;
};

}  // namespace ijro::tables
