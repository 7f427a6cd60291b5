/*
 * libmosquitto, loaded when the first MQTT connection starts (core/dynlib.h says why). Include
 * this instead of <mosquitto.h>: the library's names below stand for the loaded functions, and
 * tsim__mqtt_lib_load must have returned 0 before any of them is called.
 */
#ifndef TSIM_TWIN_MQTT_LIB_H
#define TSIM_TWIN_MQTT_LIB_H

#include <stddef.h>
#include <mosquitto.h>

/* The functions used, as X(name without mosquitto_). */
#define TSIM__MOSQ_FNS(X) \
    X(lib_init) \
    X(connack_string) \
    X(connect_async) \
    X(connect_callback_set) \
    X(destroy) \
    X(disconnect) \
    X(disconnect_callback_set) \
    X(int_option) \
    X(log_callback_set) \
    X(loop_misc) \
    X(loop_read) \
    X(loop_write) \
    X(max_inflight_messages_set) \
    X(message_callback_set) \
    X(new) \
    X(publish) \
    X(publish_callback_set) \
    X(reconnect_async) \
    X(socket) \
    X(strerror) \
    X(subscribe) \
    X(threaded_set) \
    X(tls_insecure_set) \
    X(tls_set) \
    X(username_pw_set) \
    X(want_write) \
    X(will_set)

struct tsim__mosq_fns {
#define TSIM__FIELD(n) __typeof__(mosquitto_##n) *n;
    TSIM__MOSQ_FNS(TSIM__FIELD)
#undef TSIM__FIELD
};
extern struct tsim__mosq_fns tsim__mosq;

/* Load the library once (any thread; later calls return the first answer). 0, or -1 with
 * the reason in `err`. */
int tsim__mqtt_lib_load(char *err, size_t errlen);

/* The call sites keep the library's own names. */
#define mosquitto_lib_init (*tsim__mosq.lib_init)
#define mosquitto_connack_string (*tsim__mosq.connack_string)
#define mosquitto_connect_async (*tsim__mosq.connect_async)
#define mosquitto_connect_callback_set (*tsim__mosq.connect_callback_set)
#define mosquitto_destroy (*tsim__mosq.destroy)
#define mosquitto_disconnect (*tsim__mosq.disconnect)
#define mosquitto_disconnect_callback_set (*tsim__mosq.disconnect_callback_set)
#define mosquitto_int_option (*tsim__mosq.int_option)
#define mosquitto_log_callback_set (*tsim__mosq.log_callback_set)
#define mosquitto_loop_misc (*tsim__mosq.loop_misc)
#define mosquitto_loop_read (*tsim__mosq.loop_read)
#define mosquitto_loop_write (*tsim__mosq.loop_write)
#define mosquitto_max_inflight_messages_set (*tsim__mosq.max_inflight_messages_set)
#define mosquitto_message_callback_set (*tsim__mosq.message_callback_set)
#define mosquitto_new (*tsim__mosq.new)
#define mosquitto_publish (*tsim__mosq.publish)
#define mosquitto_publish_callback_set (*tsim__mosq.publish_callback_set)
#define mosquitto_reconnect_async (*tsim__mosq.reconnect_async)
#define mosquitto_socket (*tsim__mosq.socket)
#define mosquitto_strerror (*tsim__mosq.strerror)
#define mosquitto_subscribe (*tsim__mosq.subscribe)
#define mosquitto_threaded_set (*tsim__mosq.threaded_set)
#define mosquitto_tls_insecure_set (*tsim__mosq.tls_insecure_set)
#define mosquitto_tls_set (*tsim__mosq.tls_set)
#define mosquitto_username_pw_set (*tsim__mosq.username_pw_set)
#define mosquitto_want_write (*tsim__mosq.want_write)
#define mosquitto_will_set (*tsim__mosq.will_set)

#endif
