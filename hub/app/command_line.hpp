// What the subcommands' command lines share: the --help/--config/--schemas (and --store) options,
// parsing with --help answered before anything is checked, and opening the store a configuration
// names.
#pragma once

#include <boost/program_options.hpp>
#include <memory>
#include <string>

#include "hub/app/config.hpp"
#include "hub/store/store.hpp"

namespace ijro::app {

// --help, --config FILE (default config/hub.xml), --schemas DIR, and with `withStore` --store URL.
boost::program_options::options_description configOptions(const char* title, bool withStore);

// Parses into `vm`. With --help it prints `usage` (when given) and the options, and returns false
// before required options are checked; otherwise checks them (throws po::error) and returns true.
bool parseCommandLine(
    int argc, char** argv, const boost::program_options::options_description& desc,
    boost::program_options::variables_map& vm,
    const boost::program_options::positional_options_description* positional = nullptr,
    const char* usage = nullptr);

// Loads the configuration of --config (without loading its plugins), lets --store override its
// store URL, and opens that store with one connection.
std::unique_ptr<store::Store> openConfiguredStore(const boost::program_options::variables_map& vm,
                                                  Config& cfg);

}  // namespace ijro::app
