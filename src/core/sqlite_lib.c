/* libsqlite3 loaded when the first database is opened (sqlite_lib.h). */
#include "core/sqlite_lib.h"
#include "core/dynlib.h"

#include <pthread.h>
#include <stdio.h>

#define SONAME "libsqlite3.so.0"

struct tsim__sqlite_fns tsim__sql;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char failure[300]; /* "": loaded; written once, under `once` */

static void load(void)
{
    void *lib = tsim__dynlib_open(SONAME, "libsqlite3-0", failure, sizeof failure);
    if (!lib) return;
    /* The cast from dlsym's object pointer to a function pointer is POSIX's own use of it. The
     * four wrapped calls are filled last: their pointers say the whole table is there. */
#define TSIM__LOAD(n)                                                                     \
    if (!(tsim__sql.n = (__typeof__(tsim__sql.n))tsim__dynlib_sym(                        \
              lib, SONAME, "sqlite3_" #n, failure, sizeof failure)))                      \
        return;
    TSIM__SQLITE_FNS(TSIM__LOAD)
    TSIM__LOAD(close)
    TSIM__LOAD(errmsg)
    TSIM__LOAD(errstr)
    TSIM__LOAD(open_v2)
#undef TSIM__LOAD
}

int tsim__sqlite_lib_load(char *err, size_t errlen)
{
    pthread_once(&once, load);
    if (!failure[0]) return 0;
    snprintf(err, errlen, "%s", failure);
    return -1;
}

/* Whether the library is loaded, loading it on the first call. */
static int loaded(void)
{
    pthread_once(&once, load);
    return !failure[0];
}

int tsim__sqlite_open_v2(const char *path, sqlite3 **db, int flags, const char *vfs)
{
    *db = NULL;
    if (!loaded()) return SQLITE_CANTOPEN;
    return tsim__sql.open_v2(path, db, flags, vfs);
}

int tsim__sqlite_close(sqlite3 *db)
{
    if (!db) return SQLITE_OK;
    return tsim__sql.close(db);
}

const char *tsim__sqlite_errmsg(sqlite3 *db)
{
    if (!loaded()) return failure;
    return tsim__sql.errmsg(db);
}

const char *tsim__sqlite_errstr(int rc)
{
    if (!loaded()) return failure;
    return tsim__sql.errstr(rc);
}
