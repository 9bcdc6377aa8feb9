// Why a dropped file cannot be read as a whole: what is wrong and how to fix it. The plugin moves
// such a file to the quarantine folder with both sentences in a reason file beside it. It is the
// SDK's table error, so the CSV reader's refusals (sdk/tables) are file problems as they are.
#pragma once

#include <tables/table_error.hpp>

namespace ijro::file_drop {

using FileProblem = ijro::tables::TableError;

}  // namespace ijro::file_drop
