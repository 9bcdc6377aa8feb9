// A file-system fault shim for the store's fault tests, loaded into the real ijro-hub with
// LD_PRELOAD. It only touches files whose path starts with IJRO_FAULT_DIR (the store's folder);
// everything else passes straight through.
//
// IJRO_FAULT_CONTROL: a file read at every affected call; its first word arms a fault:
//   "enospc"    write/pwrite/writev on the files fail with ENOSPC (disk full);
//   "eio-sync"  fsync/fdatasync on the files fail with EIO;
//   anything else, or no file: no fault. The test rewrites the file while the hub runs.
// IJRO_FAULT_SYNC_LOG: after each successful fsync/fdatasync of a file, the line "SIZE PATH" is
//   appended to this file: the size known to be on stable storage, which a test uses to simulate
//   a power loss (dropping what was never synced).
//
// Plain C without sanitizers: it sits below the hub's own (ASan's) interceptors.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

typedef ssize_t (*write_fn)(int, const void*, size_t);
typedef ssize_t (*pwrite_fn)(int, const void*, size_t, off_t);
typedef ssize_t (*writev_fn)(int, const struct iovec*, int);
typedef int (*sync_fn)(int);

static void* next_symbol(const char* name) {
  return dlsym(RTLD_NEXT, name);
}

/* Is fd an open file under IJRO_FAULT_DIR? Its path goes to `path` (size n). */
static int affected(int fd, char* path, size_t n) {
  const char* dir = getenv("IJRO_FAULT_DIR");
  if (!dir || !*dir) return 0;
  char link[64];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t len = readlink(link, path, n - 1);
  if (len <= 0) return 0;
  path[len] = '\0';
  return strncmp(path, dir, strlen(dir)) == 0;
}

/* The armed fault's word ("" when none). */
static void armed(char* word, size_t n) {
  word[0] = '\0';
  const char* control = getenv("IJRO_FAULT_CONTROL");
  if (!control) return;
  int fd = open(control, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  ssize_t len = read(fd, word, n - 1);
  close(fd);
  if (len < 0) len = 0;
  word[len] = '\0';
  for (ssize_t i = 0; i < len; ++i)
    if (word[i] == '\n' || word[i] == ' ') word[i] = '\0';
}

static int fail_writes(int fd) {
  char path[4096], word[32];
  if (!affected(fd, path, sizeof path)) return 0;
  armed(word, sizeof word);
  return strcmp(word, "enospc") == 0;
}

ssize_t write(int fd, const void* buf, size_t count) {
  static write_fn real;
  if (!real) real = (write_fn)next_symbol("write");
  if (fail_writes(fd)) {
    errno = ENOSPC;
    return -1;
  }
  return real(fd, buf, count);
}

ssize_t pwrite(int fd, const void* buf, size_t count, off_t offset) {
  static pwrite_fn real;
  if (!real) real = (pwrite_fn)next_symbol("pwrite");
  if (fail_writes(fd)) {
    errno = ENOSPC;
    return -1;
  }
  return real(fd, buf, count, offset);
}

ssize_t pwrite64(int fd, const void* buf, size_t count, off_t offset) {
  static pwrite_fn real;
  if (!real) real = (pwrite_fn)next_symbol("pwrite64");
  if (fail_writes(fd)) {
    errno = ENOSPC;
    return -1;
  }
  return real(fd, buf, count, offset);
}

ssize_t writev(int fd, const struct iovec* iov, int n) {
  static writev_fn real;
  if (!real) real = (writev_fn)next_symbol("writev");
  if (fail_writes(fd)) {
    errno = ENOSPC;
    return -1;
  }
  return real(fd, iov, n);
}

static int synced(int fd, sync_fn real) {
  char path[4096], word[32];
  if (!affected(fd, path, sizeof path)) return real(fd);
  armed(word, sizeof word);
  if (strcmp(word, "eio-sync") == 0) {
    errno = EIO;
    return -1;
  }
  int rc = real(fd);
  const char* log = getenv("IJRO_FAULT_SYNC_LOG");
  if (rc == 0 && log && *log) {
    struct stat st;
    if (fstat(fd, &st) == 0) {
      static write_fn realWrite;
      if (!realWrite) realWrite = (write_fn)next_symbol("write");
      char line[4200];
      int len = snprintf(line, sizeof line, "%lld %s\n", (long long)st.st_size, path);
      int out = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
      if (out >= 0) {
        if (len > 0) realWrite(out, line, (size_t)len);
        close(out);
      }
    }
  }
  return rc;
}

int fsync(int fd) {
  static sync_fn real;
  if (!real) real = (sync_fn)next_symbol("fsync");
  return synced(fd, real);
}

int fdatasync(int fd) {
  static sync_fn real;
  if (!real) real = (sync_fn)next_symbol("fdatasync");
  return synced(fd, real);
}
