// One plugin option as configured in XML (<option> in hub.xml and in a `plugin test` options
// file): its value as text, as table rows (<row key value/> or a two-column CSV file) or as a
// secret read from a file or an environment variable. Shared by the configuration and the plugin
// commands so that both read options one way, with errors that name the file and line.
#pragma once

#include <libxml/tree.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace ijro::app {

// How a value was given; which forms fit which option type is checked against the plugin's table
// (optionFormFits).
enum class OptionForm { Text, Rows, CsvFile, FromFile, FromEnv };

struct OptionElement {
  std::string name;
  std::string value;  // tables: their canonical text (ijro_plugin.h, "Tables")
  OptionForm form = OptionForm::Text;
  int line = 0;
};

// Reads one <option> element. Relative files (file, fromFile) resolve against configDir.
// Problems are appended as "FILE:LINE: what: ... how to fix"; nullopt when the value cannot be
// had. `what` names the instance ("plugin source \"x\"").
std::optional<OptionElement> readOptionElement(xmlNode* option, const std::string& configPath,
                                               const std::filesystem::path& configDir,
                                               const std::string& what,
                                               std::vector<std::string>& problems);

// Reads a two-column CSV file (key,value per line; a first line "key,value" is a header) into
// table rows as canonical text. Problems name csvPath:line, the option and the row.
std::optional<std::string> readTableCsv(const std::filesystem::path& csvPath,
                                        const std::string& option, const std::string& what,
                                        std::vector<std::string>& problems);

// A secret read from a file: its content without trailing line breaks; warns, naming `where`
// ("FILE:LINE") and `what` (whose secret it is), when every user of the machine may read the
// file. nullopt when it cannot be read, with `problem` saying what to check. Shared by plugin
// secrets (fromFile) and the configuration's tokens (tokenFromFile).
std::optional<std::string> readSecretFile(const std::filesystem::path& path,
                                          const std::string& where, const std::string& what,
                                          std::string& problem);

// A secret read from an environment variable of the hub; nullopt when it is not set, with
// `problem` saying where to set it.
std::optional<std::string> readSecretEnv(const std::string& variable, std::string& problem);

// Whether an option given in `form` may be of `typeName` ("table", "secret", ...); else the
// sentence saying why not and what to write instead.
std::optional<std::string> optionFormProblem(OptionForm form, const std::string& typeName,
                                             const std::string& option);

}  // namespace ijro::app
