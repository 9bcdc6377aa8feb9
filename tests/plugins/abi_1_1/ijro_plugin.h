/* A frozen copy of sdk/ijro_plugin.h as released for ABI 1.1, so that the test plugin
 * c_source_1_1 (tests/plugins/CMakeLists.txt) is built exactly as a plugin built before ABI 1.2,
 * and the tests can prove that a newer hub keeps loading and running it. Never edit it. */
/*
 * ijro_plugin.h: the ijro-hub plugin ABI, version 1.1.
 *
 * The one header a plugin needs. Pure C (C99 or later, or C++), no C++ types, no exceptions.
 * C++ authors will usually prefer ijro_plugin.hpp, a header-only SDK over this file.
 *
 * ## How a plugin meets the hub
 *
 * A plugin is a shared library that exports one function, ijro_plugin_entry(), returning a
 * descriptor: which ABI version it was built for, its name and kind, the options it accepts and
 * its hooks (functions named on_*). The hub hands every instance a table of services (functions
 * named callback_*): logging, emitting records, a checkpoint, counters, option values and (since
 * ABI 1.1) reading and writing status-report XML with the hub's own codecs.
 *
 * Kinds:
 *   source     polled by the hub; each on_poll emits records (and may commit a checkpoint)
 *   sink       receives batches of records in on_deliver and answers OK / RETRY / ERROR per record
 *   transform  maps one record to one record, or drops it, in on_transform
 *
 * ## Versioning
 *
 * IJRO_ABI_MAJOR changes when something a built plugin relies on changes; the hub refuses a
 * plugin built for another major. IJRO_ABI_MINOR grows when something is added (a hook at the end
 * of the descriptor, a callback at the end of the host table, an option type, a status code); the
 * hub refuses a plugin built for a newer minor than its own and accepts every older one. So a
 * plugin built against SDK 1.N runs on every hub with ABI 1.M, M >= N.
 *
 * Both tables start with their own size (struct_size) and only ever grow at their end. The hub
 * copies only struct_size bytes of a descriptor into a zeroed copy of its own, so fields a plugin
 * does not know about read as NULL / 0. A plugin that uses a callback added in a later minor can
 * check that the host's table reaches it (IJRO_HOST_HAS, below); the C++ SDK does so and says
 * that the hub is too old when it does not.
 *
 * History: 1.0 the first ABI. 1.1 callback_report_xml_read, callback_report_xml_write.
 *
 * Every enumerated value crosses the boundary as an int32_t: the size of a C enum is up to the
 * compiler (-fshort-enums), the size of int32_t is not.
 *
 * ## Memory: who owns what, for how long
 *
 * Nothing is ever freed on the other side of the boundary. The rules, repeated at each field:
 *   - what the plugin gives the host in a callback (a record, a checkpoint, a log line), the host
 *     copies before the callback returns; the plugin may reuse or free it right after;
 *   - what the host gives the plugin (a record, a checkpoint, a message buffer) lives until the
 *     hook it was given in returns, unless stated otherwise; copy what you want to keep;
 *   - option values (ijro_config, callback_config_get) live until on_destroy returns;
 *   - what the descriptor points to (names, option table) lives as long as the library is loaded:
 *     make it static;
 *   - a transform's output record is owned by the plugin and must stay valid until the next
 *     hook call on the same instance (or on_destroy); the host copies it as soon as on_transform
 *     returns;
 *   - what a status-report callback gives back (ijro_report_read, ijro_report_written) is
 *     host-owned and lives until the hook it was called in returns. Every call keeps its result
 *     until then, so a hook that reads many documents holds all of them: copy what you keep and
 *     read large batches over several hooks if memory matters.
 *
 * ## Threads
 *
 * The hub never calls two hooks of the same instance at the same time; it may call hooks of
 * different instances of the same plugin concurrently, so keep state in the instance, not in
 * globals. callback_log and callback_counter_add may be called from any thread while the
 * instance exists; the other callbacks only from inside a hook, on the thread that runs it.
 *
 * ## Records
 *
 * A record is one implementation in the JSON form of a status report: the object that sits inside
 * the "implementations" array of a report (schemas/status-report.xsd describes every field; in
 * C++, ijro_record.hpp builds records from plain structs), e.g.
 *
 *   {"revision": 3, "measure": {"id": "DU2030-1.2.15", "title": "...",
 *    "act": {"type": "decree", "number": "UP-6079", "date": "2020-10-05"}},
 *    "region": "1726", "organisation": "Ministry of Health", "sector": "health",
 *    "lifecycle": "inProgress", "start": "2026-01-01", "deadline": "2026-12-31"}
 *
 * UTF-8, one JSON object, at most 1 MiB. JSON lets the model grow without breaking plugins built
 * earlier: fields added to the model later are optional, so a plugin that does not know them
 * simply does not send them. A field the hub does not know makes the record invalid (the report
 * names it), so a typo is never silently lost. There is no "source" field: the hub sets the
 * source from the plugin instance's configured name.
 */
#ifndef IJRO_PLUGIN_H
#define IJRO_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#define IJRO_ABI_MAJOR 1
#define IJRO_ABI_MINOR 1

/* The name of the one symbol a plugin exports (for dlsym). */
#define IJRO_PLUGIN_ENTRY_SYMBOL "ijro_plugin_entry"

/* Marks the entry point for export. Build plugins with -fvisibility=hidden so that nothing else
 * leaks out of the library. */
#if defined(_WIN32)
#define IJRO_PLUGIN_VISIBLE __declspec(dllexport)
#else
#define IJRO_PLUGIN_VISIBLE __attribute__((visibility("default")))
#endif
#ifdef __cplusplus
#define IJRO_PLUGIN_EXPORT extern "C" IJRO_PLUGIN_VISIBLE
#else
#define IJRO_PLUGIN_EXPORT IJRO_PLUGIN_VISIBLE
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------------
 * Status codes (ijro_status)
 * ------------------------------------------------------------------------------------------- */

typedef int32_t ijro_status;

enum ijro_status_code {
  IJRO_OK = 0,    /* done */
  IJRO_RETRY = 1, /* failed for now (target unreachable, busy, timeout): try the same again later */
  IJRO_ERROR = 2  /* failed for good (bad data, bad configuration): retrying will not help */
};

/* Where a hook explains a failure. The buffer belongs to the host and lives until the hook
 * returns; it is zero-filled on entry. Write a NUL-terminated sentence of at most capacity - 1
 * bytes (truncate, do not overflow): what failed and how to fix it. The host reads it when the
 * hook returns anything but IJRO_OK, and adds the plugin's name and the hook for context. */
typedef struct ijro_message {
  char* text;      /* host-owned, capacity bytes, writable by the plugin during the hook */
  size_t capacity; /* at least 256 */
} ijro_message;

/* ---------------------------------------------------------------------------------------------
 * Records and batches
 * ------------------------------------------------------------------------------------------- */

/* One record: a JSON object as UTF-8 text (see "Records" above). Frozen for ABI major 1, since
 * arrays of it cross the boundary; per-record data added later comes as parallel arrays at the end
 * of ijro_batch. When the host hands a record over, json[json_len] is a NUL; a plugin handing one
 * to the host need not terminate it. */
typedef struct ijro_record {
  const char* json; /* owner: whoever hands it over; see the hook or callback */
  size_t json_len;  /* bytes, without any terminating NUL */
} ijro_record;

/* A batch for a sink. Host-owned, with everything it points to; lives until on_deliver returns. */
typedef struct ijro_batch {
  uint32_t struct_size;       /* sizeof(ijro_batch) as the host knows it; grows at the end */
  uint32_t count;             /* number of records */
  const ijro_record* records; /* host-owned array of count records */
} ijro_batch;

/* ---------------------------------------------------------------------------------------------
 * Options
 * ------------------------------------------------------------------------------------------- */

/* How the host checks an option's text before the plugin sees it. */
enum ijro_option_type {
  IJRO_OPTION_STRING = 0, /* any UTF-8 text, may be empty */
  IJRO_OPTION_INT = 1,    /* decimal integer that fits int64_t, optional sign: "-12", "40" */
  IJRO_OPTION_DOUBLE = 2, /* finite decimal number: "0.5", "-3", "1e3" (no hex, inf or nan) */
  IJRO_OPTION_BOOL = 3,   /* accepted as true/false, yes/no, on/off, 1/0 (any case); always
                             handed to the plugin as exactly "true" or "false" */
  IJRO_OPTION_PATH = 4    /* a non-empty filesystem path; the host may resolve a relative one
                             against the folder of the configuration file that set it */
};

/* One entry of a plugin's option table. Frozen for ABI major 1 (it is an array element).
 * Every pointer is plugin-owned and static: it must live as long as the library is loaded.
 * The host checks the table at load (names non-empty, unique, of [a-z0-9_.-]; a known type; a
 * default that is valid for its type; not both required and defaulted) and refuses the plugin
 * otherwise. Before on_create it checks the configured options against the table: an unknown
 * name, a value of the wrong type or a missing required option is an error naming the valid
 * options, and on_create is not called. */
typedef struct ijro_option {
  const char* name;          /* e.g. "folder"; NUL-terminated */
  int32_t type;              /* enum ijro_option_type */
  int32_t required;          /* nonzero: must be configured (then default_value must be NULL) */
  const char* default_value; /* the value when not configured, as text, or NULL for none */
  const char* description;   /* one sentence for `ijro-hub plugin info` and the docs; may be NULL */
} ijro_option;

/* One configured option value. Host-owned, valid until on_destroy returns. */
typedef struct ijro_config_entry {
  const char* name;  /* NUL-terminated, one of the plugin's option names */
  const char* value; /* NUL-terminated, valid for the option's type (BOOL: "true" or "false") */
} ijro_config_entry;

/* The options of one instance, after validation and defaults: every option of the table that has
 * a value (configured or default), in table order. Host-owned, with everything it points to; valid
 * until on_destroy returns. */
typedef struct ijro_config {
  uint32_t struct_size; /* sizeof(ijro_config) as the host knows it; grows at the end */
  uint32_t count;
  const ijro_config_entry* entries; /* host-owned array of count entries */
} ijro_config;

/* ---------------------------------------------------------------------------------------------
 * Status reports as XML (ABI 1.1)
 *
 * A status report (namespace urn:ijro-hub:report:1, schemas/status-report.xsd) is what a sector
 * system or another hub exchanges as a file: <report source=".." generatedAt="..."> with one
 * <implementation> per record. The host reads and writes it with its own codecs (the same as for
 * POST /api/v1/reports), so a plugin needs no XML library, and untrusted XML is only ever parsed
 * by the hub's safe reader: no DTD, no entities, no network; limits on size, depth, attributes
 * and text.
 * ------------------------------------------------------------------------------------------- */

/* One implementation that could not be read from a report or written into one: where it is, what
 * of it could be identified, and why. Frozen for ABI major 1 (it is an array element). Host-owned
 * with everything it points to, for as long as the result that holds it. */
typedef struct ijro_report_problem {
  uint32_t position;          /* 1-based: the implementation's position in the report read, or
                                 the record's position in the array written */
  uint32_t reason_count;      /* entries in reasons, at least 1 */
  const char* const* reasons; /* NUL-terminated UTF-8 sentences, each naming the element or the
                                 field and what is expected, e.g. "line 12: <region>: missing" */
  const char* measure_id;     /* NUL-terminated; "" when it could not be read */
  const char* region;         /* NUL-terminated; "" when it could not be read */
  const char* organisation;   /* NUL-terminated; "" when it could not be read */
} ijro_report_problem;

/* What callback_report_xml_read found in a document. Host-owned, with everything it points to,
 * valid until the hook it was called in returns. Grows at its end (struct_size). */
typedef struct ijro_report_read {
  uint32_t struct_size;       /* sizeof(ijro_report_read) as the host knows it */
  uint32_t record_count;      /* entries in records */
  const ijro_record* records; /* the implementations that could be read, in document order, each
                                 in the record form (see "Records"; json[json_len] is a NUL),
                                 ready for callback_emit_record */
  uint32_t problem_count;     /* entries in problems */
  const ijro_report_problem* problems; /* the implementations that could not be read */
  const char* source;                  /* the report's source attribute; "" when absent */
  const char* generated_at;            /* its generatedAt attribute, as written; "" when absent */
  const char* error;    /* "" when the document was read; else why it cannot be read as a
                           whole (not well-formed, a DOCTYPE, invalid UTF-8, over a limit,
                           not a status report), without the location */
  int32_t error_line;   /* where error is: 1-based line, 0 when unknown or no error */
  int32_t error_column; /* 1-based column, 0 when unknown or no error */
} ijro_report_read;

/* What callback_report_xml_write produced. Host-owned, with everything it points to, valid until
 * the hook it was called in returns. Grows at its end (struct_size). */
typedef struct ijro_report_written {
  uint32_t struct_size;                /* sizeof(ijro_report_written) as the host knows it */
  uint32_t problem_count;              /* entries in problems; 0 when the document was written */
  const char* xml;                     /* the document (UTF-8, NUL-terminated), or NULL when
                                          nothing was written */
  size_t xml_len;                      /* bytes of xml, without the NUL */
  const ijro_report_problem* problems; /* the records that cannot be written */
  const char* error;                   /* "" when written; else the first reason nothing was
                                          written (a record, the source, no records at all) */
} ijro_report_written;

/* ---------------------------------------------------------------------------------------------
 * Host services (callback_*)
 * ------------------------------------------------------------------------------------------- */

enum ijro_log_level {
  IJRO_LOG_DEBUG = 0,
  IJRO_LOG_INFO = 1,
  IJRO_LOG_WARN = 2,
  IJRO_LOG_ERROR = 3
};

struct ijro_host_api;

/* The host's handle for one plugin instance, passed to on_create and to every callback. Host-owned
 * and valid until on_destroy returns; the plugin keeps the pointer and never reads anything but
 * api, nor writes, copies or frees it. */
typedef struct ijro_host {
  const struct ijro_host_api* api; /* the service table; host-owned, same lifetime as the handle */
  void* host_private;              /* the host's; do not touch */
} ijro_host;

/* The service table. Host-owned, lives until on_destroy returns. Grows only at its end; since a
 * hub refuses plugins built for a newer minor, every callback of the header a plugin was built
 * with is present. Callbacks never throw, never keep a pointer the plugin passed in, and are safe
 * to call with the arguments described; a callback used outside its allowed context returns
 * IJRO_ERROR (and the host logs why). */
typedef struct ijro_host_api {
  uint32_t struct_size; /* sizeof(ijro_host_api) as the host knows it */
  uint16_t abi_major;   /* the host's IJRO_ABI_MAJOR */
  uint16_t abi_minor;   /* the host's IJRO_ABI_MINOR */

  /* Writes one line to the hub's log, prefixed with the instance's name. level: enum
   * ijro_log_level. message: NUL-terminated UTF-8, plugin-owned, copied before returning.
   * Any thread, while the instance exists. */
  void (*callback_log)(ijro_host* host, int32_t level, const char* message);

  /* Emits one record (see "Records"). json: plugin-owned, json_len bytes, copied before returning.
   * Only during on_poll. Returns IJRO_OK when taken; IJRO_ERROR when called outside on_poll or when
   * the record is larger than the host's limit (1 MiB by default) or one too many for this poll
   * (100000 by default). Once a record of a poll is refused, the whole poll fails even if on_poll
   * returns IJRO_OK, so that no checkpoint ever moves past a lost record: emit fewer, smaller
   * records per poll. Taking a record does not mean it is valid: the host parses records after
   * the poll and reports the invalid ones (log, counters, dead letters); they never stop the valid
   * ones, and the checkpoint moves past them. */
  ijro_status (*callback_emit_record)(ijro_host* host, const char* json, size_t json_len);

  /* Reads the instance's last committed checkpoint: opaque bytes the plugin itself committed
   * earlier (possibly in an earlier run of the hub). *out_data: host-owned, valid until the hook
   * returns; NULL with *out_len 0 when there is none. A commit during the current poll is not
   * visible here until the poll has succeeded. Inside any hook; returns IJRO_OK. */
  ijro_status (*callback_checkpoint_read)(ijro_host* host, const void** out_data, size_t* out_len);

  /* Sets the checkpoint to commit with this poll: data (plugin-owned, len bytes, copied before
   * returning; len 0 clears it). It takes effect together with the records emitted in the same
   * poll, and only if on_poll returns IJRO_OK: both are stored in one transaction, so after a crash
   * the plugin resumes from a checkpoint that matches exactly the records the hub has. The last
   * commit of a poll wins. Only during on_poll; at most 64 KiB. */
  ijro_status (*callback_checkpoint_commit)(ijro_host* host, const void* data, size_t len);

  /* Adds delta to the instance's counter `name` (NUL-terminated, [a-z0-9_], plugin-owned, copied),
   * exported with the hub's metrics. Any thread, while the instance exists. */
  void (*callback_counter_add)(ijro_host* host, const char* name, int64_t delta);

  /* The value of option `name` (NUL-terminated, plugin-owned), after validation and defaults, or
   * NULL when the option has no value or is not in the plugin's table. The returned string is
   * host-owned and valid until on_destroy returns. Inside any hook. */
  const char* (*callback_config_get)(ijro_host* host, const char* name);

  /* ---- ABI 1.1 ---- */

  /* Reads a status report (see "Status reports as XML") with the hub's safe XML reader. xml:
   * plugin-owned, xml_len bytes (need not be NUL-terminated), not kept. max_bytes: the largest
   * document the plugin accepts, 0 for the host's default (8 MiB); a larger one is a document
   * error. *out: set to the host-owned result, valid until the hook returns.
   * Returns IJRO_OK when the document was read, even if some or all of its implementations could
   * not be (each is in problems, the others in records); IJRO_ERROR when the document as a whole
   * cannot be read ((*out)->error, error_line, error_column say why and where), or when called
   * outside a hook or with NULL out (then *out, if out is not NULL, is NULL and the host logs
   * why). Inside any hook, on the thread that runs it. */
  ijro_status (*callback_report_xml_read)(ijro_host* host, const char* xml, size_t xml_len,
                                          size_t max_bytes, const ijro_report_read** out);

  /* Writes records (see "Records"; plugin-owned, record_count of them, copied before returning)
   * as one status report. source: NUL-terminated UTF-8 for the report's source attribute, or
   * NULL or "" to leave it out (plugin-owned, copied). generatedAt is the current time.
   * *out: set to the host-owned result, valid until the hook returns.
   * Returns IJRO_OK with (*out)->xml, a document valid against schemas/status-report.xsd that
   * reads back as the same records. Returns IJRO_ERROR and writes nothing when any record is not
   * a record (not JSON, not the record form, a field the form does not know, larger than the
   * record limit) or holds text XML cannot carry (e.g. U+0001): (*out)->problems names each of
   * them by position with its reasons, so the plugin can write the others without them; also
   * when source holds such text, when record_count is 0 (a report has at least one
   * implementation), or when called outside a hook or with NULL out (then *out, if out is not
   * NULL, is NULL and the host logs why). Structure only: the model's business rules (known
   * regions and sectors, dates in order) are not applied. Inside any hook, on its thread. */
  ijro_status (*callback_report_xml_write)(ijro_host* host, const char* source,
                                           const ijro_record* records, uint32_t record_count,
                                           const ijro_report_written** out);
} ijro_host_api;

/* Whether the host's table reaches a callback: nonzero when `api` (a const ijro_host_api*) is
 * large enough to hold `callback` (a field name), e.g. IJRO_HOST_HAS(host->api,
 * callback_report_xml_read). Every callback of the ABI the plugin declares is always there; this
 * matters only for a callback of a later minor. */
#define IJRO_HOST_HAS(api, callback)                                                    \
  ((api)->struct_size >= offsetof(ijro_host_api, callback) + sizeof((api)->callback) && \
   (api)->callback != NULL)

/* ---------------------------------------------------------------------------------------------
 * The descriptor and its hooks (on_*)
 * ------------------------------------------------------------------------------------------- */

enum ijro_plugin_kind {
  IJRO_KIND_SOURCE = 0,   /* requires on_poll */
  IJRO_KIND_SINK = 1,     /* requires on_deliver */
  IJRO_KIND_TRANSFORM = 2 /* requires on_transform */
};

/* What ijro_plugin_entry() returns. Plugin-owned and static, with everything it points to: it
 * must live as long as the library is loaded. Hooks the plugin's kind does not use are NULL. */
typedef struct ijro_plugin_descriptor {
  /* The header: the one part every ABI major keeps in place. */
  uint32_t struct_size; /* sizeof(ijro_plugin_descriptor) as the plugin was built */
  uint16_t abi_major;   /* IJRO_ABI_MAJOR as the plugin was built */
  uint16_t abi_minor;   /* IJRO_ABI_MINOR as the plugin was built */

  const char* name;           /* e.g. "file-drop": [a-z0-9_.-], NUL-terminated */
  const char* version;        /* the plugin's own version, e.g. "1.4.2" */
  const char* description;    /* one sentence; may be NULL */
  int32_t kind;               /* enum ijro_plugin_kind */
  uint32_t option_count;      /* entries in options */
  const ijro_option* options; /* plugin-owned static array of option_count entries; may be NULL
                                 when option_count is 0 */

  /* Creates an instance. host: see ijro_host; keep it for the callbacks. config: the validated
   * options (also readable later with callback_config_get). On IJRO_OK, *out_instance is the
   * plugin's state, passed back to every other hook and never touched by the host (it may be
   * NULL). On anything else, explain in message; the host does not call on_destroy then, so free
   * what you allocated before returning. IJRO_RETRY means "try again later" (a target not
   * reachable yet); IJRO_ERROR means the configuration cannot work. Required. */
  ijro_status (*on_create)(ijro_host* host, const ijro_config* config, void** out_instance,
                           ijro_message* message);

  /* Frees the instance. Called exactly once per successful on_create, after the last hook call;
   * must not fail. Required. */
  void (*on_destroy)(void* instance);

  /* Source: fetches what is new since the checkpoint and emits it with callback_emit_record,
   * optionally committing a new checkpoint. IJRO_OK: the records and the checkpoint are taken.
   * IJRO_RETRY / IJRO_ERROR: everything emitted in this poll is discarded and the checkpoint stays;
   * the hub polls again later (after a back-off). Required for sources. */
  ijro_status (*on_poll)(void* instance, ijro_message* message);

  /* Sink: delivers a batch. results: host-owned array of batch->count statuses, each set to IJRO_OK
   * before the call. Return IJRO_OK and set results[i] per record where the target answers per
   * record (IJRO_RETRY: send it again later; IJRO_ERROR: the target refused it for good). Return
   * IJRO_RETRY or IJRO_ERROR to answer for the whole batch; results are then ignored. Delivery
   * must be idempotent: after a crash a batch may be delivered again. Required for sinks. */
  ijro_status (*on_deliver)(void* instance, const ijro_batch* batch, ijro_status* results,
                            ijro_message* message);

  /* Transform: maps one record. record: host-owned, valid until the hook returns. out: set to
   * {NULL, 0} by the host; leave it so to drop the record, or point it at the mapped record
   * (plugin-owned, valid until the next hook call on this instance; it may point into record).
   * IJRO_ERROR: this record cannot be mapped (it goes to the dead letters with the message);
   * IJRO_RETRY: try this record again later. Required for transforms. */
  ijro_status (*on_transform)(void* instance, const ijro_record* record, ijro_record* out,
                              ijro_message* message);
} ijro_plugin_descriptor;

/* The entry point every plugin exports (with IJRO_PLUGIN_EXPORT). It may be called more than once
 * and from any thread, and must return the same static descriptor every time; it must not do any
 * other work (that belongs in on_create). */
typedef const ijro_plugin_descriptor* (*ijro_plugin_entry_fn)(void);
IJRO_PLUGIN_EXPORT const ijro_plugin_descriptor* ijro_plugin_entry(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* IJRO_PLUGIN_H */
