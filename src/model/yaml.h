/*
 * The hardened YAML reader under every file twinsim reads (model, experiment, mapping): the text
 * is size-capped, checked to be valid UTF-8 made of characters YAML allows, parsed into exactly
 * one document with libfyaml's errors taken as diagnostics, and refused if it holds an anchor or
 * an alias. Every problem is a diagnostic at its line and column. It knows no file's keys: the
 * readers of each kind of file walk the nodes it returns. Not API.
 */
#ifndef TSIM_MODEL_YAML_H
#define TSIM_MODEL_YAML_H

#include "twinsim.h"

#include <libfyaml.h>
#include <stddef.h>

/* Where diagnostics go when not straight into a struct tsim_diags (the model loader counts and
 * caps them). `msg` is the whole message. */
typedef void tsim__yaml_report_fn(void *user, enum tsim_severity sev, int line, int col,
                                  const char *msg);

struct tsim__yaml {
    /* Set by tsim__yaml_init; `report` and `user` may be set after it. */
    const char *what;  /* "model file", "experiment file": the subject of messages */
    size_t max_bytes;  /* larger texts are refused */
    struct tsim_diags *d;
    tsim__yaml_report_fn *report; /* NULL: into `d` */
    void *user;
    /* Filled by tsim__yaml_parse. */
    const char *text; /* the text parsed (borrowed from the caller, who keeps it alive) */
    size_t len;
    struct fy_parser *fyp;
    struct fy_document *doc;
    struct fy_node *root; /* NULL for an empty document */
    int errors;           /* diagnostics of severity error given by the reader */
    int alias_reports;
    size_t nstr, capstr;
    char **strs; /* texts handed out by tsim__yaml_str, freed by tsim__yaml_release */
};

/* Nesting deeper than this is no file of ours; it also bounds the recursion over nodes. */
#define TSIM__YAML_DEPTH_MAX 64

void tsim__yaml_init(struct tsim__yaml *y, const char *what, size_t max_bytes,
                     struct tsim_diags *d);

/* Check the size and encoding of `text` (`len` bytes; need not be NUL-terminated). Returns the
 * number of problems reported (0: fit to parse). An empty text is "WHAT is empty". */
int tsim__yaml_check(struct tsim__yaml *y, const char *text, size_t len);

/*
 * Parse `text` (which tsim__yaml_check accepted; `len` bytes) into one document and
 * refuse anchors and aliases. Returns 0 with y->root set (NULL when the document is empty), or -1
 * with the problems reported. A second document is reported as an error and 0 still returned, so
 * that the first one's problems are reported too: callers count errors in their diagnostics.
 * `text` must stay alive until tsim__yaml_release.
 */
int tsim__yaml_parse(struct tsim__yaml *y, const char *text, size_t len);

/* tsim__yaml_check, then tsim__yaml_parse. */
int tsim__yaml_read(struct tsim__yaml *y, const char *text, size_t len);

void tsim__yaml_release(struct tsim__yaml *y);

/* Read file `path` whole (a regular file of at most y->max_bytes) into `*out` (NUL-terminated;
 * free with tsim__free). Errors: TSIM_EIO or TSIM_ELIMIT, reported without a place. */
int tsim__yaml_read_file(struct tsim__yaml *y, const char *path, char **out, size_t *len);

/* Where node `n` starts (1-based; a quoted scalar at its opening quote, a collection at its first
 * key or item); `*line` and `*col` are left as they are when libfyaml keeps no mark for it. */
void tsim__yaml_pos(struct fy_node *n, int *line, int *col);

/* A missing value, "~" or "null". */
int tsim__yaml_is_null(struct fy_node *n);

/*
 * The text of scalar `n` in a new NUL-terminated buffer (length in *lenp; free with tsim__free).
 * libfyaml 0.7.12 leaks a buffer each time it unescapes a single-quoted scalar with several ''
 * in a row (found by fuzzing), so single-quoted text is unescaped and folded here from the
 * source instead.
 */
char *tsim__yaml_text(const struct tsim__yaml *y, struct fy_node *n, size_t *lenp);

/* The text of `n` if it is a scalar (owned by `y`), else NULL. */
const char *tsim__yaml_str(struct tsim__yaml *y, struct fy_node *n);

/* A diagnostic at node `n` (printf-style), through y->report. */
void tsim__yaml_err(struct tsim__yaml *y, struct fy_node *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
