/*
 * Libraries loaded when first used (src/core/dynlib.c, src/twin/mqtt_lib.c, src/web/mhd_lib.c):
 * a library that is not there and a function a library lacks are errors that name them, and the
 * real libmosquitto and libmicrohttpd load with every function the shims use.
 */
#include "check.h"

#include "core/core.h"
#include "core/dynlib.h"
#if TSIM_HAVE_MQTT
#include "twin/mqtt_lib.h"
#endif
#if TSIM_HAVE_HTTP
#include "web/mhd_lib.h"
#endif

#include <string.h>

static void test_missing_library(void)
{
    char err[300] = "";
    CHECK(tsim__dynlib_open("libtwinsim-absent.so.7", "libtwinsim-absent7", err, sizeof err) ==
          NULL);
    CHECK(strstr(err, "cannot load 'libtwinsim-absent.so.7' (Debian package "
                      "'libtwinsim-absent7'): ") == err);
}

static void test_missing_function(void)
{
    char err[300] = "";
    void *libm = tsim__dynlib_open("libm.so.6", "libc6", err, sizeof err);
    CHECK(libm != NULL);
    CHECK_STR(err, "");
    if (!libm) return;
    CHECK(tsim__dynlib_sym(libm, "libm.so.6", "cos", err, sizeof err) != NULL);
    CHECK(tsim__dynlib_sym(libm, "libm.so.6", "tsim_no_such_function", err, sizeof err) == NULL);
    CHECK_STR(err, "'libm.so.6' has no 'tsim_no_such_function'");
}

static void test_real_libraries(void)
{
#if TSIM_HAVE_MQTT
    {
        char err[300] = "";
        CHECK_EQ(tsim__mqtt_lib_load(err, sizeof err), 0);
        CHECK_STR(err, "");
        /* Loaded once: a second call answers the same, and the table is filled. */
        CHECK_EQ(tsim__mqtt_lib_load(err, sizeof err), 0);
        CHECK(tsim__mosq.new != NULL && tsim__mosq.will_set != NULL);
        CHECK_STR(mosquitto_strerror(MOSQ_ERR_SUCCESS), "No error.");
    }
#endif
#if TSIM_HAVE_HTTP
    {
        char err[300] = "";
        CHECK_EQ(tsim__mhd_lib_load(err, sizeof err), 0);
        CHECK_STR(err, "");
        CHECK(tsim__mhd.start_daemon != NULL && tsim__mhd.stop_daemon != NULL);
    }
#endif
}

int main(void)
{
    RUN(test_missing_library);
    RUN(test_missing_function);
    RUN(test_real_libraries);
    return CHECK_DONE();
}
