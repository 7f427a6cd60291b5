/*
 * The dashboard's files (those in web/), compiled into the library at build time by scripts/embed-web.sh.
 * The server serves them; the static report (src/results/report.c) inlines app.js and style.css,
 * so that its charts are the pages' charts. Built whether or not the server is. Not API.
 */
#ifndef TSIM_RESULTS_WEB_ASSETS_H
#define TSIM_RESULTS_WEB_ASSETS_H

#include <stddef.h>

struct tsim__web_asset {
    const char *path; /* "/index.html" */
    const char *type;
    const unsigned char *data; /* NUL after the last byte, not counted in len */
    size_t len;
};
/* Generated from the files of web/ at build time (scripts/embed-web.sh); ends with a NULL path. */
extern const struct tsim__web_asset tsim__web_assets[];

#endif
