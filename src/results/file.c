/*
 * Output files written whole or not at all, and the one number format every writer uses.
 *
 * A failed write must not look like success: every file goes to a temporary file beside its
 * target, is flushed, checked (the stream's error flag catches a short write that fputs and
 * fprintf do not report), synced and closed (close can be the first to report a full disk on
 * some file systems), and only then renamed over the target. A crash or a full disk therefore
 * leaves the previous file, or none, never a truncated one; the temporary file is removed on
 * every failure. Not atomic against a crash of the machine itself beyond what fsync gives.
 */
#include "core/core.h"
#include "results/results.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void tsim__fmt_double(char *buf, size_t len, double v)
{
    if (!isfinite(v)) {
        snprintf(buf, len, "%s", isnan(v) ? "nan" : v > 0 ? "inf" : "-inf");
        return;
    }
    for (int prec = 15; prec < 17; prec++) {
        snprintf(buf, len, "%.*g", prec, v);
        if (strtod(buf, NULL) == v) return;
    }
    snprintf(buf, len, "%.17g", v);
}

static int fail_errno(const char *path, int err)
{
    return tsim__fail(TSIM_EIO, "out", "cannot write '%s': %s", path, strerror(err));
}

int tsim__out_open(struct tsim__out *o, const char *path)
{
    memset(o, 0, sizeof *o);
    o->path = tsim__strdup(path);
    if (strcmp(path, "-") == 0) {
        o->f = stdout;
        return 0;
    }
    /* A terminal, a pipe or /dev/null cannot be replaced by a rename, and needs no protection
     * from a half-written file: write it directly. */
    struct stat st;
    int exists = stat(path, &st) == 0;
    if (exists && !S_ISREG(st.st_mode)) {
        if (S_ISDIR(st.st_mode)) {
            tsim__free(o->path);
            o->path = NULL;
            return tsim__fail(TSIM_EIO, "out", "cannot write '%s': it is a directory", path);
        }
        o->f = fopen(path, "w");
        if (!o->f) {
            int e = errno;
            tsim__free(o->path);
            o->path = NULL;
            return fail_errno(path, e);
        }
        return 0;
    }
    /* The temporary name: the target's with a hidden prefix, in its directory, unique by the
     * process and a counter, created exclusively (never someone else's file). */
    const char *slash = strrchr(path, '/');
    size_t dirlen = slash ? (size_t)(slash - path + 1) : 0;
    size_t len = strlen(path) + 64;
    o->tmp = tsim__malloc(len);
    static unsigned counter;
    int fd = -1, e = 0;
    for (int tries = 0; tries < 100 && fd < 0; tries++) {
        snprintf(o->tmp, len, "%.*s.%s.%ld.%u.tmp", (int)dirlen, path, path + dirlen,
                 (long)getpid(), counter++);
        /* 0666 less the umask, as fopen gives a new file; a replaced file keeps its mode. */
        fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        e = errno;
        if (fd < 0 && e != EEXIST) break;
    }
    if (fd >= 0 && exists) fchmod(fd, st.st_mode & 07777);
    if (fd < 0 || !(o->f = fdopen(fd, "w"))) {
        if (fd >= 0) {
            e = errno;
            close(fd);
            unlink(o->tmp);
        }
        int rc = fail_errno(path, e);
        tsim__free(o->tmp);
        tsim__free(o->path);
        memset(o, 0, sizeof *o);
        return rc;
    }
    return 0;
}

void tsim__out_write(struct tsim__out *o, const void *p, size_t n)
{
    if (fwrite(p, 1, n, o->f) != n && !o->err) o->err = errno ? errno : EIO;
}

void tsim__out_abandon(struct tsim__out *o)
{
    if (o->f && o->f != stdout) fclose(o->f);
    if (o->tmp) unlink(o->tmp);
    tsim__free(o->tmp);
    tsim__free(o->path);
    memset(o, 0, sizeof *o);
}

int tsim__out_close(struct tsim__out *o)
{
    if (o->closed) return 0;
    if (!o->f) return tsim__fail(TSIM_EIO, "out", "no output file is open");
    int e = 0;
    /* fflush writes again what an earlier write could not, so a full disk is reported here
     * with its own errno; ferror catches what it cannot tell. */
    if (fflush(o->f) != 0) e = errno;
    if (!e && ferror(o->f)) e = o->err ? o->err : EIO;
    if (o->f == stdout) {
        o->f = NULL;
        if (e) {
            tsim__out_abandon(o);
            return tsim__fail(TSIM_EIO, "out", "cannot write to standard output: %s",
                              strerror(e));
        }
        o->closed = 1;
        return 0;
    }
    if (!e && o->tmp && fsync(fileno(o->f)) != 0) e = errno;
    if (fclose(o->f) != 0 && !e) e = errno;
    o->f = NULL;
    if (e) {
        int rc = fail_errno(o->path, e);
        tsim__out_abandon(o);
        return rc;
    }
    o->closed = 1;
    return 0;
}

int tsim__out_commit(struct tsim__out *o)
{
    int rc = tsim__out_close(o);
    if (rc < 0) return rc;
    if (o->tmp && rename(o->tmp, o->path) != 0) {
        rc = fail_errno(o->path, errno);
        tsim__out_abandon(o);
        return rc;
    }
    tsim__free(o->tmp);
    tsim__free(o->path);
    memset(o, 0, sizeof *o);
    return 0;
}
