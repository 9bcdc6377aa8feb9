// `ijro-hub feed verify|keygen|sign`: the signatures of feed batches from the command line.
//   feed verify FILE --cert PEM [--cert PEM]   checks FILE's signature against the certificates
//       (a hub trusts two during a key rotation); exit 0 and "FILE: signed by ...", or exit 1 and
//       "FILE: <unsigned|unknown key|altered|malformed|expired>: <reason>" on stderr
//   feed keygen --key FILE --cert FILE --hub ID [--days N]   a new EC P-256 key and a
//       self-signed certificate CN=<hub id> for a hub (neither file may exist yet)
//   feed sign FILE --key PEM --cert PEM --out FILE   signs a feed written by the hub
#pragma once

namespace ijro::app {

// argv[0] is "feed". Returns the process exit code: 0, 1 (failure, refused signature), 2 (usage).
int feedCommand(int argc, char** argv);

}  // namespace ijro::app
