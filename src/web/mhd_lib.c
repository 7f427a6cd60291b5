/* libmicrohttpd loaded when the dashboard starts (mhd_lib.h). */
#include "web/mhd_lib.h"
#include "core/dynlib.h"

#include <pthread.h>
#include <stdio.h>

#define SONAME "libmicrohttpd.so.12"

struct tsim__mhd_fns tsim__mhd;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char failure[300]; /* "": loaded; written once, under `once` */

static void load(void)
{
    void *lib = tsim__dynlib_open(SONAME, "libmicrohttpd12", failure, sizeof failure);
    if (!lib) return;
    /* The cast from dlsym's object pointer to a function pointer is POSIX's own use of it. */
#define TSIM__LOAD(n)                                                                     \
    if (!(tsim__mhd.n = (__typeof__(tsim__mhd.n))tsim__dynlib_sym(                      \
              lib, SONAME, "MHD_" #n, failure, sizeof failure)))                    \
        return;
    TSIM__MHD_FNS(TSIM__LOAD)
#undef TSIM__LOAD
}

int tsim__mhd_lib_load(char *err, size_t errlen)
{
    pthread_once(&once, load);
    if (!failure[0]) return 0;
    snprintf(err, errlen, "%s", failure);
    return -1;
}
