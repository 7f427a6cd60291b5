/*
 * libmicrohttpd, loaded when the dashboard starts (core/dynlib.h says why). Include this
 * instead of <microhttpd.h>: the library's names below stand for the loaded functions, and
 * tsim__mhd_lib_load must have returned 0 before any of them is called.
 */
#ifndef TSIM_WEB_MHD_LIB_H
#define TSIM_WEB_MHD_LIB_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <microhttpd.h>

/* The functions used, as X(name without MHD_). */
#define TSIM__MHD_FNS(X) \
    X(add_response_header) \
    X(create_response_from_buffer) \
    X(create_response_from_callback) \
    X(destroy_response) \
    X(get_connection_info) \
    X(get_connection_values) \
    X(get_daemon_info) \
    X(lookup_connection_value) \
    X(queue_response) \
    X(start_daemon) \
    X(stop_daemon)

struct tsim__mhd_fns {
#define TSIM__FIELD(n) __typeof__(MHD_##n) *n;
    TSIM__MHD_FNS(TSIM__FIELD)
#undef TSIM__FIELD
};
extern struct tsim__mhd_fns tsim__mhd;

/* Load the library once (any thread; later calls return the first answer). 0, or -1 with
 * the reason in `err`. */
int tsim__mhd_lib_load(char *err, size_t errlen);

/* The call sites keep the library's own names. */
#define MHD_add_response_header (*tsim__mhd.add_response_header)
#define MHD_create_response_from_buffer (*tsim__mhd.create_response_from_buffer)
#define MHD_create_response_from_callback (*tsim__mhd.create_response_from_callback)
#define MHD_destroy_response (*tsim__mhd.destroy_response)
#define MHD_get_connection_info (*tsim__mhd.get_connection_info)
#define MHD_get_connection_values (*tsim__mhd.get_connection_values)
#define MHD_get_daemon_info (*tsim__mhd.get_daemon_info)
#define MHD_lookup_connection_value (*tsim__mhd.lookup_connection_value)
#define MHD_queue_response (*tsim__mhd.queue_response)
#define MHD_start_daemon (*tsim__mhd.start_daemon)
#define MHD_stop_daemon (*tsim__mhd.stop_daemon)

#endif
