// `ijro-hub dlq list|replay`: the records plugin instances could not take (a source's invalid or
// out-of-scope records, a sink's records answered ERROR), kept with the reason in the store.
//   dlq list   --config FILE [--store URL] [--source ID | --sink ID] [--all] [--json]
//   dlq replay --config FILE [--store URL] (--id N ... | --all) [--source ID | --sink ID]
// Replay queues them: the running hub retries them in the instance's next cycle (a source
// re-checks and stores them, a sink delivers them again). Nothing needs to be restarted.
#pragma once

namespace ijro::app {

// argv[0] is "dlq". Returns the process exit code: 0, 1 (store or other failure), 2 (usage).
int dlqCommand(int argc, char** argv);

}  // namespace ijro::app
