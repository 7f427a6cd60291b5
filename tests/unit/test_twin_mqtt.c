/*
 * The queue from the MQTT network thread to the twin's thread (src/twin/mqtt.c).
 */
#include "check.h"

#if defined(TSIM_HAVE_MQTT) && defined(TSIM_HAVE_CJSON)
#include "twin_fixture.h"

static void test_msgq(void)
{
    struct tsim__msgq *q = tsim__msgq_create(4);
    struct tsim__msg msg;
    CHECK(tsim__msgq_pop(q, &msg, 0.01) == 0);
    tsim__msgq_push(q, "a", "xy", 2);
    tsim__msgq_push(q, "b", "", 0);
    CHECK(tsim__msgq_pop(q, &msg, 0) == 1 && strcmp(msg.topic, "a") == 0 && msg.len == 2);
    tsim__free(msg.topic);
    tsim__free(msg.payload);
    tsim__msgq_push(q, "c", "z", 1);
    tsim__msgq_destroy(q); /* frees what is left */
}


int main(void)
{
    RUN(test_msgq);
    return CHECK_DONE();
}

#else

int main(void)
{
    /* The twin is built only with libmosquitto and libcjson; say so rather than skip quietly. */
    printf("PASS test_twin_mqtt_not_built (no MQTT support in this build: twin unit tests not run)\n");
    return CHECK_DONE() + check_failed_;
}

#endif
