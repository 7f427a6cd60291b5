/* libmosquitto loaded when the first MQTT connection starts (mqtt_lib.h). */
#include "twin/mqtt_lib.h"
#include "core/dynlib.h"

#include <pthread.h>
#include <stdio.h>

#define SONAME "libmosquitto.so.1"

struct tsim__mosq_fns tsim__mosq;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char failure[300]; /* "": loaded; written once, under `once` */

static void load(void)
{
    void *lib = tsim__dynlib_open(SONAME, "libmosquitto1", failure, sizeof failure);
    if (!lib) return;
    /* The cast from dlsym's object pointer to a function pointer is POSIX's own use of it. */
#define TSIM__LOAD(n)                                                                     \
    if (!(tsim__mosq.n = (__typeof__(tsim__mosq.n))tsim__dynlib_sym(                      \
              lib, SONAME, "mosquitto_" #n, failure, sizeof failure)))                    \
        return;
    TSIM__MOSQ_FNS(TSIM__LOAD)
#undef TSIM__LOAD
    mosquitto_lib_init();
}

int tsim__mqtt_lib_load(char *err, size_t errlen)
{
    pthread_once(&once, load);
    if (!failure[0]) return 0;
    snprintf(err, errlen, "%s", failure);
    return -1;
}
