/*
 * Files in: one reader of a whole regular file with a size cap, under every file twinsim reads
 * (model, experiment, mapping, data and instance files).
 */
#include "core/core.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int tsim__read_file(const char *path, size_t max, char **out, size_t *len, char *err,
                    size_t errlen)
{
    /* O_NONBLOCK: opening a FIFO named by a model must not hang the loader; only regular files
     * are read, so a path such as /dev/zero or /dev/stdin is refused rather than read. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "cannot open '%s': %s", path, strerror(errno));
        return TSIM_EIO;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        snprintf(err, errlen, "cannot read '%s': %s", path, strerror(errno));
        close(fd);
        return TSIM_EIO;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "cannot read '%s': %s", path,
                 S_ISDIR(st.st_mode) ? "it is a directory" : "not a regular file");
        close(fd);
        return TSIM_EIO;
    }
    if ((uint64_t)st.st_size > max) {
        snprintf(err, errlen, "'%s' is too large (%lld bytes; the limit is %zu)", path,
                 (long long)st.st_size, max);
        close(fd);
        return TSIM_ELIMIT;
    }
    /* The size may change while we read: read until end of file, never past max + 1. */
    size_t cap = (size_t)st.st_size + 1, n = 0;
    char *buf = tsim__malloc(cap + 1);
    for (;;) {
        if (n == cap) {
            if (cap > max) break;
            cap = cap * 2 > max + 1 ? max + 1 : cap * 2;
            buf = tsim__realloc(buf, cap + 1);
        }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            snprintf(err, errlen, "cannot read '%s': %s", path, strerror(errno));
            tsim__free(buf);
            close(fd);
            return TSIM_EIO;
        }
        if (r == 0) break;
        n += (size_t)r;
    }
    close(fd);
    if (n > max) {
        snprintf(err, errlen, "'%s' is too large (more than %zu bytes)", path, max);
        tsim__free(buf);
        return TSIM_ELIMIT;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return 0;
}
