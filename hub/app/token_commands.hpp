// `ijro-hub token issue|list|revoke`: bearer tokens issued at run time, kept hashed in the store
// with their roles and scope. A running hub honours a new or revoked token from its next request;
// nothing needs to be restarted.
//   token issue  --config FILE [--store URL] --id ID --roles "executor" --regions "1703"
//                --sectors "*" [--note TEXT]     prints the token once; only its hash is stored
//   token list   --config FILE [--store URL] [--json]
//   token revoke --config FILE [--store URL] --id ID
#pragma once

namespace ijro::app {

// argv[0] is "token". Returns the process exit code: 0, 1 (store or other failure), 2 (usage).
int tokenCommand(int argc, char** argv);

}  // namespace ijro::app
