/*
 * The live twin on the dashboard (`twinsim twin --serve`): what the twin hands over through
 * tsim_web_live, and GET /api/twin. The twin's thread only copies a text and broadcasts; event
 * streams (server.c) and API requests read under `mu`. Nothing is queued per client: a state or
 * forecast replaces the one before, so a slow reader costs no memory and reads the newest.
 */
#include "core/core.h"
#include "web/web.h"

#include <string.h>

void tsim_web_live(struct tsim_web *w, const char *kind, const char *json)
{
    if (!w || !kind || !json) return;
    char *copy = tsim__strdup(json);
    /* An event stream's data is one line; in JSON a raw line break can only be white space. */
    for (char *c = copy; *c; c++)
        if (*c == '\n' || *c == '\r') *c = ' ';
    char *old = NULL;
    pthread_mutex_lock(&w->mu);
    w->live_on = 1;
    if (strcmp(kind, "state") == 0) {
        old = w->live_state;
        w->live_state = copy;
        w->live_state_seq++;
    } else if (strcmp(kind, "forecast") == 0) {
        old = w->live_forecast;
        w->live_forecast = copy;
        w->live_forecast_seq++;
    } else if (strcmp(kind, "alert") == 0) {
        size_t k = (size_t)(w->live_nalerts % TSIM__WEB_LIVE_ALERTS);
        old = w->live_alerts[k];
        w->live_alerts[k] = copy;
        w->live_nalerts++;
    } else {
        old = copy; /* not a kind the dashboard knows: dropped */
    }
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    tsim__free(old);
}

void tsim_web_live_model(struct tsim_web *w, const struct tsim_model *m)
{
    if (!w || !m) return;
    struct tsim__sb b = {0};
    struct tsim__json j;
    tsim__json_init_sb(&j, &b, TSIM__JSON_HTML);
    tsim__json_open(&j, NULL, '{', TSIM__JSON_INLINE);
    tsim__web_layout_json(&j, m);
    tsim__json_close(&j, '{');
    pthread_mutex_lock(&w->mu);
    char *old = w->live_layout;
    w->live_layout = b.p;
    pthread_mutex_unlock(&w->mu);
    tsim__free(old);
}

void tsim__web_live_release(struct tsim_web *w)
{
    tsim__free(w->live_layout);
    w->live_layout = NULL;
    tsim__free(w->live_state);
    tsim__free(w->live_forecast);
    for (int i = 0; i < TSIM__WEB_LIVE_ALERTS; i++) tsim__free(w->live_alerts[i]);
    w->live_state = w->live_forecast = NULL;
    memset(w->live_alerts, 0, sizeof w->live_alerts);
}

void tsim__web_api_twin(struct tsim_web *w, struct tsim__web_resp *out)
{
    struct tsim__sb b = {0};
    pthread_mutex_lock(&w->mu);
    if (!w->live_on) {
        pthread_mutex_unlock(&w->mu);
        tsim__web_error(out, 404, "no live twin here (start one with 'twinsim twin --serve')");
        return;
    }
    uint64_t n = w->live_nalerts, first = n > TSIM__WEB_LIVE_ALERTS ? n - TSIM__WEB_LIVE_ALERTS : 0;
    /* The documents the twin published are JSON already; one a line. */
    struct tsim__json j;
    tsim__json_init_sb(&j, &b, TSIM__JSON_HTML);
    tsim__json_open(&j, NULL, '{', TSIM__JSON_INLINE);
    tsim__json_uint(&j, "state_seq", w->live_state_seq);
    tsim__json_uint(&j, "forecast_seq", w->live_forecast_seq);
    tsim__json_uint(&j, "alerts_total", n);
    tsim__json_break(&j);
    tsim__json_raw(&j, "state", w->live_state ? w->live_state : "null");
    tsim__json_break(&j);
    tsim__json_raw(&j, "forecast", w->live_forecast ? w->live_forecast : "null");
    tsim__json_break(&j);
    tsim__json_raw(&j, "layout", w->live_layout ? w->live_layout : "null");
    tsim__json_break(&j);
    tsim__json_open(&j, "alerts", '[', TSIM__JSON_TIGHT);
    for (uint64_t k = first; k < n; k++)
        tsim__json_raw(&j, NULL, w->live_alerts[k % TSIM__WEB_LIVE_ALERTS]);
    tsim__json_close(&j, '[');
    pthread_mutex_unlock(&w->mu);
    tsim__json_close(&j, '{');
    tsim__sb_add(&b, "\n", 1);
    tsim__sb_reply(&b, out);
}
