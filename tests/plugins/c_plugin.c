/*
 * Plugins written against the raw C ABI (C99), one source file built several times: without
 * IJRO_TEST_DEFECT it is a well-behaved source; with it, each build has one defect the hub must
 * refuse at load, or one crash the hub can survive only with process isolation.
 *
 * The good source ("c-source") emits `records` implementations per poll and commits the next
 * revision as its checkpoint. Its `mode` option makes it misbehave at run time:
 *   normal          as described
 *   misuse          in on_create, calls emit, checkpoint_commit and counter_add where the ABI
 *                   does not allow it (the host must refuse and count, not crash)
 *   unknown_status  on_poll returns 7, a status the ABI does not define
 *   ignore_refusal  ignores IJRO_ERROR from callback_emit_record and returns IJRO_OK
 *   report          (ABI 1.1) writes its records (at most 8) as a status report with
 *                   callback_report_xml_write, reads that back with callback_report_xml_read and
 *                   emits what it read
 *
 * Built against the header of the ABI it is compiled with; the build "c_source_1_0" compiles it
 * against a copy of the ABI 1.0 header (tests/plugins/abi_1_0), as a plugin built before 1.1.
 */
#define _POSIX_C_SOURCE 200809L

#include <ijro_plugin.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEFECT_ABI_MAJOR 1    /* built for the next ABI major */
#define DEFECT_ABI_MINOR 2    /* built for a newer ABI minor (and a larger descriptor) */
#define DEFECT_SHORT 3        /* struct_size too small for ABI 1.0 */
#define DEFECT_MISSING_HOOK 4 /* a sink without on_deliver */
#define DEFECT_BAD_OPTIONS 5  /* an INT option whose default is not an integer */
#define DEFECT_NO_ENTRY 6     /* exports no ijro_plugin_entry */
#define DEFECT_NULL_ENTRY 7   /* ijro_plugin_entry returns NULL */
#define DEFECT_SEGFAULT 8     /* on_poll dereferences NULL (for the isolation phase) */
#define DEFECT_HANG 9         /* on_poll never returns (for the isolation phase) */
#ifndef IJRO_TEST_DEFECT
#define IJRO_TEST_DEFECT 0 /* none */
#endif

typedef struct c_source {
  ijro_host* host;
  const char* mode; /* host-owned, valid until on_destroy */
  long records;
} c_source;

static void say(ijro_message* m, const char* text) {
  if (m != NULL && m->capacity > 0) {
    strncpy(m->text, text, m->capacity - 1);
    m->text[m->capacity - 1] = '\0';
  }
}

static int is(const char* a, const char* b) {
  return a != NULL && strcmp(a, b) == 0;
}

static ijro_status on_create(ijro_host* host, const ijro_config* config, void** out,
                             ijro_message* message) {
  const ijro_host_api* api = host->api;
  c_source* self = NULL;
  const char* records = api->callback_config_get(host, "records");
  uint32_t i;

  /* config and callback_config_get must tell the same story, in table order. */
  if (config->count != 2 || strcmp(config->entries[0].name, "records") != 0 ||
      strcmp(config->entries[1].name, "mode") != 0) {
    say(message, "ijro_config does not hold the two options in table order");
    return IJRO_ERROR;
  }
  for (i = 0; i < config->count; ++i)
    if (api->callback_config_get(host, config->entries[i].name) != config->entries[i].value) {
      say(message, "ijro_config and callback_config_get disagree");
      return IJRO_ERROR;
    }

  self = (c_source*)calloc(1, sizeof *self);
  if (self == NULL) {
    say(message, "out of memory");
    return IJRO_ERROR;
  }
  self->host = host;
  self->mode = api->callback_config_get(host, "mode");
  self->records = records != NULL ? strtol(records, NULL, 10) : 0;
  if (is(self->mode, "misuse")) {
    char line[128];
    ijro_status emitted = api->callback_emit_record(host, "{}", 2);
    ijro_status committed = api->callback_checkpoint_commit(host, "x", 1);
    api->callback_counter_add(host, "Not A Valid Name", 1);
    snprintf(line, sizeof line, "emit in on_create answered %d, checkpoint_commit %d", (int)emitted,
             (int)committed);
    api->callback_log(host, IJRO_LOG_INFO, line);
  }
  *out = self;
  return IJRO_OK;
}

static void on_destroy(void* instance) {
  free(instance);
}

#if IJRO_TEST_DEFECT != DEFECT_MISSING_HOOK
static size_t record_json(char* json, size_t capacity, long revision, long i) {
  int n = snprintf(json, capacity,
                   "{\"revision\":%ld,\"measure\":{\"id\":\"C-%ld\",\"title\":\"From C\","
                   "\"act\":{\"type\":\"order\",\"number\":\"7\",\"date\":\"2024-03-01\"}},"
                   "\"region\":\"1703\",\"organisation\":\"Andijan khokimiyat\","
                   "\"sector\":\"construction\",\"lifecycle\":\"planned\","
                   "\"start\":\"2026-02-01\",\"deadline\":\"2026-11-30\"}",
                   revision, i);
  return n < 0 ? 0 : (size_t)n;
}

#if IJRO_ABI_MINOR >= 1
/* The records of this poll through a status report and back (mode "report"). */
static ijro_status poll_through_report(c_source* self, long revision, ijro_message* message) {
  const ijro_host_api* api = self->host->api;
  char json[8][512];
  ijro_record records[8];
  const ijro_report_written* written = NULL;
  const ijro_report_read* read = NULL;
  long count = self->records < 8 ? self->records : 8;
  long i;
  uint32_t k;
  if (!IJRO_HOST_HAS(api, callback_report_xml_write) ||
      !IJRO_HOST_HAS(api, callback_report_xml_read)) {
    say(message, "this hub has no status-report services (ABI 1.1)");
    return IJRO_ERROR;
  }
  for (i = 0; i < count; ++i) {
    records[i].json = json[i];
    records[i].json_len = record_json(json[i], sizeof json[i], revision, i + 1);
  }
  if (api->callback_report_xml_write(self->host, "c-source", records, (uint32_t)count, &written) !=
      IJRO_OK) {
    say(message, written != NULL ? written->error : "callback_report_xml_write refused");
    return IJRO_ERROR;
  }
  if (api->callback_report_xml_read(self->host, written->xml, written->xml_len, 0, &read) !=
      IJRO_OK) {
    say(message, read != NULL ? read->error : "callback_report_xml_read refused");
    return IJRO_ERROR;
  }
  for (k = 0; k < read->record_count; ++k)
    if (api->callback_emit_record(self->host, read->records[k].json, read->records[k].json_len) !=
        IJRO_OK) {
      say(message, "the host refused a record");
      return IJRO_ERROR;
    }
  return IJRO_OK;
}
#endif

static ijro_status on_poll(void* instance, ijro_message* message) {
  c_source* self = (c_source*)instance;
  const ijro_host_api* api = self->host->api;
  const void* cp = NULL;
  size_t cp_len = 0;
  long revision = 1;
  long i;
  char text[32];

#if IJRO_TEST_DEFECT == DEFECT_SEGFAULT
  {
    volatile int* nowhere = NULL;
    *nowhere = 42;
  }
#elif IJRO_TEST_DEFECT == DEFECT_HANG
  for (;;) {
    struct timespec second = {1, 0};
    nanosleep(&second, NULL);
  }
#endif

  if (is(self->mode, "unknown_status")) return 7;
  if (api->callback_checkpoint_read(self->host, &cp, &cp_len) == IJRO_OK && cp != NULL &&
      cp_len < sizeof text) {
    memcpy(text, cp, cp_len);
    text[cp_len] = '\0';
    revision = strtol(text, NULL, 10) + 1;
  }
  if (is(self->mode, "report")) {
#if IJRO_ABI_MINOR >= 1
    ijro_status s = poll_through_report(self, revision, message);
    if (s != IJRO_OK) return s;
#else
    say(message, "mode report needs ABI 1.1; this build is for ABI 1.0");
    return IJRO_ERROR;
#endif
  }
  for (i = 1; i <= self->records && !is(self->mode, "report"); ++i) {
    char json[512];
    size_t n = record_json(json, sizeof json, revision, i);
    if (api->callback_emit_record(self->host, json, n) != IJRO_OK &&
        !is(self->mode, "ignore_refusal")) {
      say(message, "the host refused a record");
      return IJRO_ERROR;
    }
  }
  snprintf(text, sizeof text, "%ld", revision);
  api->callback_checkpoint_commit(self->host, text, strlen(text));
  api->callback_counter_add(self->host, "polls", 1);
  return IJRO_OK;
}
#endif

#if IJRO_TEST_DEFECT == DEFECT_MISSING_HOOK
#define KIND IJRO_KIND_SINK
#define NAME "forgetful-sink"
#else
#define KIND IJRO_KIND_SOURCE
#define NAME "c-source"
#endif

static const ijro_option options[] = {
    {"records", IJRO_OPTION_INT, 0,
#if IJRO_TEST_DEFECT == DEFECT_BAD_OPTIONS
     "many",
#else
     "2",
#endif
     "Implementations emitted per poll."},
    {"mode", IJRO_OPTION_STRING, 0, "normal",
     "normal, misuse, unknown_status, ignore_refusal or report (see c_plugin.c)."},
};

/* What a descriptor of a later ABI minor could look like: 1.0's fields, then new ones. */
typedef struct future_descriptor {
  ijro_plugin_descriptor v1_0;
  ijro_status (*on_something_new)(void* instance);
} future_descriptor;

static const future_descriptor descriptor = {
    {
#if IJRO_TEST_DEFECT == DEFECT_SHORT
        offsetof(ijro_plugin_descriptor, kind),
#elif IJRO_TEST_DEFECT == DEFECT_ABI_MINOR
        sizeof(future_descriptor),
#else
        sizeof(ijro_plugin_descriptor),
#endif
#if IJRO_TEST_DEFECT == DEFECT_ABI_MAJOR
        IJRO_ABI_MAJOR + 1,
#else
        IJRO_ABI_MAJOR,
#endif
#if IJRO_TEST_DEFECT == DEFECT_ABI_MINOR
        IJRO_ABI_MINOR + 1,
#else
        IJRO_ABI_MINOR,
#endif
        NAME,
        "0.9.0",
        "A plugin written against the raw C ABI.",
        KIND,
        sizeof options / sizeof options[0],
        options,
        on_create,
        on_destroy,
#if IJRO_TEST_DEFECT == DEFECT_MISSING_HOOK
        NULL, /* on_poll: a sink does not poll */
        NULL, /* on_deliver: forgotten */
#else
        on_poll,
        NULL,
#endif
        NULL,
    },
    NULL,
};

#if IJRO_TEST_DEFECT == DEFECT_NO_ENTRY
IJRO_PLUGIN_VISIBLE const ijro_plugin_descriptor* plugin_entry(void);
IJRO_PLUGIN_VISIBLE const ijro_plugin_descriptor* plugin_entry(void) {
  return &descriptor.v1_0; /* the wrong name: the hub finds no entry point */
}
#elif IJRO_TEST_DEFECT == DEFECT_NULL_ENTRY
IJRO_PLUGIN_EXPORT const ijro_plugin_descriptor* ijro_plugin_entry(void) {
  (void)descriptor; /* there is one, but the entry point forgets to return it */
  return NULL;
}
#else
IJRO_PLUGIN_EXPORT const ijro_plugin_descriptor* ijro_plugin_entry(void) {
  return &descriptor.v1_0;
}
#endif
