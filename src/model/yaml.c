/*
 * The hardened YAML reader (see yaml.h): what stands between a file from anywhere and libfyaml.
 * It does not know any file's keys; model, experiment and mapping readers walk what it returns.
 *
 * Why each guard: libfyaml 0.7.12 hangs on some invalid UTF-8 (e.g. the two bytes "%\xE9"), so
 * the text is checked before libfyaml sees it; an alias bomb would expand to gigabytes, so
 * anchors and aliases are refused and never resolved; libfyaml's own errors are collected through
 * its diag API, never printed; a second document would be silently ignored, so it is an error.
 * At most ENCODING_ERRORS_MAX encoding problems and ALIAS_REPORTS_MAX anchors and aliases are
 * listed, so that no small file yields a flood of messages.
 */
#include "model/yaml.h"

#include "core/core.h"
#include "model/params.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* A libfyaml node marker (below FYNWF_MAX_USER_MARKER) set on anchors already reported. */
#define ALIAS_MARKER 1

/* At most this many encoding problems are listed; past them the file is not text at all. */
#define ENCODING_ERRORS_MAX 10

/* Anchors and aliases reported at most; past that the file is a stress test, not ours. */
#define ALIAS_REPORTS_MAX 20

/* "a" or "an" before `word`, as it is said. */
static const char *article(const char *word) { return strchr("aeiou", word[0]) ? "an" : "a"; }

void tsim__yaml_init(struct tsim__yaml *y, const char *what, size_t max_bytes,
                     struct tsim_diags *d)
{
    memset(y, 0, sizeof *y);
    y->what = what;
    y->max_bytes = max_bytes;
    y->d = d;
}

void tsim__yaml_release(struct tsim__yaml *y)
{
    if (y->doc) fy_parse_document_destroy(y->fyp, y->doc);
    if (y->fyp) fy_parser_destroy(y->fyp);
    for (size_t i = 0; i < y->nstr; i++) tsim__free(y->strs[i]);
    tsim__free(y->strs);
    y->doc = NULL;
    y->fyp = NULL;
    y->root = NULL;
    y->strs = NULL;
    y->nstr = y->capstr = 0;
}

static void report_at(struct tsim__yaml *y, enum tsim_severity sev, int line, int col,
                      const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void report_at(struct tsim__yaml *y, enum tsim_severity sev, int line, int col,
                      const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (sev == TSIM_ERROR) y->errors++;
    if (y->report)
        y->report(y->user, sev, line, col, msg);
    else
        tsim_diags_add(y->d, sev, line, col, "%s", msg);
}

void tsim__yaml_pos(struct fy_node *n, int *line, int *col)
{
    for (int depth = 0; n && depth < TSIM__YAML_DEPTH_MAX; depth++) {
        if (fy_node_get_type(n) == FYNT_SCALAR) {
            struct fy_token *t = fy_node_get_scalar_token(n);
            const struct fy_mark *mk = t ? fy_token_start_mark(t) : NULL;
            if (!mk) return;
            /* A quoted scalar's mark is its first character; point at the opening quote. */
            enum fy_node_style st = fy_node_get_style(n);
            int quoted = (st == FYNS_SINGLE_QUOTED || st == FYNS_DOUBLE_QUOTED) && mk->column > 0;
            *line = mk->line + 1;
            *col = mk->column + 1 - quoted;
            return;
        }
        /* libfyaml 0.7 keeps no mark for collections: use the first key or item. */
        void *it = NULL;
        if (fy_node_get_type(n) == FYNT_MAPPING) {
            struct fy_node_pair *p = fy_node_mapping_iterate(n, &it);
            n = p ? fy_node_pair_key(p) : NULL;
        } else {
            n = fy_node_sequence_iterate(n, &it);
        }
    }
}

void tsim__yaml_err(struct tsim__yaml *y, struct fy_node *n, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    int line = 0, col = 0;
    tsim__yaml_pos(n, &line, &col);
    report_at(y, TSIM_ERROR, line, col, "%s", msg);
}

int tsim__yaml_is_null(struct fy_node *n)
{
    if (!n) return 1;
    if (fy_node_get_type(n) != FYNT_SCALAR || fy_node_get_style(n) != FYNS_PLAIN) return 0;
    size_t len;
    const char *s = fy_node_get_scalar(n, &len);
    return !s || len == 0 || (len == 1 && s[0] == '~') || (len == 4 && memcmp(s, "null", 4) == 0);
}

/* Single-quoted text from the source, as YAML says: '' is a quote, a line break between text is
 * a space, an empty line a newline, blanks around line breaks go. */
static char *single_quoted(const char *src, const char *end, size_t *lenp)
{
    char *copy = tsim__malloc((size_t)(end - src) + 1);
    size_t len = 0;
    int first = 1, breaks = 0;
    while (src <= end) {
        const char *eol = memchr(src, '\n', (size_t)(end - src));
        int last = eol == NULL;
        if (last) eol = end;
        const char *a = src, *b = eol;
        if (b > a && b[-1] == '\r') b--;
        if (!first)
            while (a < b && (*a == ' ' || *a == '\t')) a++;
        if (!last)
            while (b > a && (b[-1] == ' ' || b[-1] == '\t')) b--;
        if (!first && a == b && !last) {
            breaks++;
        } else {
            if (!first) {
                if (breaks == 0) copy[len++] = ' ';
                for (; breaks > 0; breaks--) copy[len++] = '\n';
            }
            for (const char *c = a; c < b; c++) {
                copy[len++] = *c;
                if (*c == '\'' && c + 1 < b && c[1] == '\'') c++;
            }
            first = 0;
        }
        src = eol + 1;
    }
    copy[len] = '\0';
    *lenp = len;
    return copy;
}

char *tsim__yaml_text(const struct tsim__yaml *y, struct fy_node *n, size_t *lenp)
{
    struct fy_token *t = fy_node_get_scalar_token(n);
    const struct fy_mark *ms = t ? fy_token_start_mark(t) : NULL;
    const struct fy_mark *me = t ? fy_token_end_mark(t) : NULL;
    if (y->text && fy_node_get_style(n) == FYNS_SINGLE_QUOTED && ms && me &&
        me->input_pos >= ms->input_pos && me->input_pos <= y->len)
        return single_quoted(y->text + ms->input_pos, y->text + me->input_pos, lenp);
    size_t len = 0;
    const char *s = fy_node_get_scalar(n, &len);
    if (!s) len = 0;
    char *copy = tsim__malloc(len + 1);
    if (len) memcpy(copy, s, len);
    copy[len] = '\0';
    *lenp = len;
    return copy;
}

const char *tsim__yaml_str(struct tsim__yaml *y, struct fy_node *n)
{
    if (!n || fy_node_get_type(n) != FYNT_SCALAR || fy_node_is_alias(n)) return NULL;
    size_t len;
    char *copy = tsim__yaml_text(y, n, &len);
    tsim__grow((void **)&y->strs, &y->capstr, y->nstr + 1, sizeof *y->strs);
    y->strs[y->nstr++] = copy;
    return copy;
}

/* ---------------------------------------------------------------------------------------------
 * Before libfyaml: size, encoding, characters
 * ------------------------------------------------------------------------------------------- */

/*
 * Check that `text` is UTF-8 without overlong forms, surrogates or code points past U+10FFFF,
 * and holds only characters YAML allows (tab, newlines and printable ones; no NUL or other C0
 * control, no DEL, no C1 control other than NEL). Each problem is reported at its line:col
 * (columns in characters). Returns the number of problems.
 */
static int check_text(struct tsim__yaml *y, const char *text, size_t len)
{
    const unsigned char *s = (const unsigned char *)text;
    int line = 1, col = 1, bad = 0;
    for (size_t i = 0; i < len;) {
        unsigned c = s[i];
        size_t n = c < 0x80             ? 1
                   : (c & 0xE0) == 0xC0 ? 2
                   : (c & 0xF0) == 0xE0 ? 3
                   : (c & 0xF8) == 0xF0 ? 4
                                        : 0;
        uint32_t cp = n == 1 ? c : n == 2 ? c & 0x1F : n == 3 ? c & 0x0F : c & 0x07;
        int ok = n > 0 && i + n <= len;
        for (size_t k = 1; ok && k < n; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                ok = 0;
            else
                cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        static const uint32_t min_cp[5] = {0, 0, 0x80, 0x800, 0x10000};
        if (ok && (cp < min_cp[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))) ok = 0;
        if (!ok) {
            report_at(y, TSIM_ERROR, line, col, "invalid UTF-8 byte 0x%02X", c);
            if (++bad == ENCODING_ERRORS_MAX) return bad;
            i++;
            col++;
            continue;
        }
        int allowed = cp == '\t' || cp == '\n' || cp == '\r' || (cp >= 0x20 && cp < 0x7F) ||
                      cp == 0x85 || (cp >= 0xA0 && cp != 0xFFFE && cp != 0xFFFF);
        if (!allowed) {
            report_at(y, TSIM_ERROR, line, col, "character U+%04X is not allowed in %s %s",
                      (unsigned)cp, article(y->what), y->what);
            if (++bad == ENCODING_ERRORS_MAX) return bad;
        }
        if (cp == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
        i += n;
    }
    return bad;
}

int tsim__yaml_check(struct tsim__yaml *y, const char *text, size_t len)
{
    if (len > y->max_bytes) {
        report_at(y, TSIM_ERROR, 0, 0, "%s is too large (%zu bytes; the limit is %zu)", y->what,
                  len, y->max_bytes);
        return 1;
    }
    if (len == 0) {
        report_at(y, TSIM_ERROR, 0, 0, "%s is empty", y->what);
        return 1;
    }
    return check_text(y, text, len);
}

/* ---------------------------------------------------------------------------------------------
 * libfyaml: one document, its errors as diagnostics, no anchors or aliases
 * ------------------------------------------------------------------------------------------- */

static void alias_report(struct tsim__yaml *y, struct fy_node *n, const char *kind, const char *t,
                         size_t len)
{
    if (y->alias_reports > ALIAS_REPORTS_MAX) return;
    if (y->alias_reports++ == ALIAS_REPORTS_MAX) {
        tsim__yaml_err(y, n, "too many anchors and aliases; not listing more");
        return;
    }
    tsim__yaml_err(y, n, "%s '%c%.*s' is not allowed (%ss take no anchors or aliases)", kind,
                   kind[1] == 'n' ? '&' : '*', (int)(len > 64 ? 64 : len), t ? t : "", y->what);
}

/* Refuse anchors and aliases anywhere in the document; libfyaml never resolves them here.
 * Every anchor is reported, and of the aliases only the first use of each anchor. */
static void check_no_aliases(struct tsim__yaml *y, struct fy_node *n, int depth)
{
    if (!n) return;
    if (depth > TSIM__YAML_DEPTH_MAX) {
        tsim__yaml_err(y, n, "nesting deeper than %d levels", TSIM__YAML_DEPTH_MAX);
        return;
    }
    struct fy_anchor *a = fy_node_get_anchor(n);
    size_t len;
    if (a) {
        const char *t = fy_anchor_get_text(a, &len);
        alias_report(y, n, "anchor", t, len);
    }
    if (fy_node_is_alias(n)) {
        const char *t = fy_node_get_scalar(n, &len);
        /* The anchor it names is marked once used, so later aliases of it stay quiet. */
        struct fy_anchor *target =
            t ? fy_document_lookup_anchor(fy_node_document(n), t, len) : NULL;
        struct fy_node *tn = target ? fy_anchor_node(target) : NULL;
        if (!tn || !fy_node_is_marker_set(tn, ALIAS_MARKER)) alias_report(y, n, "alias", t, len);
        if (tn) fy_node_set_marker(tn, ALIAS_MARKER);
        return;
    }
    void *it = NULL;
    if (fy_node_get_type(n) == FYNT_MAPPING) {
        struct fy_node_pair *p;
        while ((p = fy_node_mapping_iterate(n, &it))) {
            check_no_aliases(y, fy_node_pair_key(p), depth + 1);
            check_no_aliases(y, fy_node_pair_value(p), depth + 1);
        }
    } else if (fy_node_get_type(n) == FYNT_SEQUENCE) {
        struct fy_node *c;
        while ((c = fy_node_sequence_iterate(n, &it))) check_no_aliases(y, c, depth + 1);
    }
}

/* libfyaml's text output is dropped: its errors are taken from the collected list instead. */
static void fy_quiet(struct fy_diag *diag, void *user, const char *buf, size_t len)
{
    (void)diag;
    (void)user;
    (void)buf;
    (void)len;
}

/* "duplicate key" names no key; add the one written at line:col in the source. The text need not
 * end in a NUL: every step is bounded by its length. */
static void name_key_at(const struct tsim__yaml *y, int line, int col, char *msg, size_t size)
{
    const char *s = y->text, *end = y->text + y->len;
    /* Lines end in "\n", "\r\n" or a lone "\r", as YAML's do. */
    for (int l = 1; l < line && s < end; l++) {
        while (s < end && *s != '\n' && *s != '\r') s++;
        if (s < end && *s == '\r' && s + 1 < end && s[1] == '\n') s++;
        if (s < end) s++;
    }
    for (int c = 1; s < end && *s != '\n' && *s != '\r' && c < col; s++) {
        if (s + 1 < end && ((unsigned char)s[1] & 0xC0) != 0x80) c++;
    }
    if (s >= end) return;
    size_t n = 0;
    while (s + n < end && !strchr(":,{}[]\r\n\t #", s[n]) && s[n]) n++;
    if (n == 0 || n > 64) return;
    snprintf(msg, size, "duplicate key '%.*s'", (int)n, s);
}

int tsim__yaml_parse(struct tsim__yaml *y, const char *text, size_t len)
{
    y->text = text;
    y->len = len;
    struct fy_diag_cfg dc;
    fy_diag_cfg_default(&dc);
    dc.fp = NULL;
    dc.output_fn = fy_quiet;
    dc.user = NULL;
    dc.colorize = false;
    struct fy_diag *diag = fy_diag_create(&dc);
    if (!diag) {
        report_at(y, TSIM_ERROR, 0, 0, "cannot start the YAML parser");
        return -1;
    }
    fy_diag_set_collect_errors(diag, true);
    struct fy_parse_cfg pc;
    memset(&pc, 0, sizeof pc);
    pc.flags = FYPCF_QUIET | FYPCF_COLLECT_DIAG;
    pc.diag = diag;
    struct fy_parser *fyp = fy_parser_create(&pc);
    struct fy_document *doc = NULL, *extra = NULL;
    if (fyp && fy_parser_set_string(fyp, text, len) == 0) {
        doc = fy_parse_load_document(fyp);
        if (doc && !fy_diag_got_error(diag)) {
            extra = fy_parse_load_document(fyp);
            if (extra) {
                tsim__yaml_err(y, fy_document_root(extra),
                               "second YAML document (%s %s holds exactly one)",
                               article(y->what), y->what);
                fy_parse_document_destroy(fyp, extra);
            }
        }
    }
    size_t yaml_errors = 0;
    void *it = NULL;
    struct fy_diag_error *e;
    int last_line = -1, last_col = -1;
    char last_msg[256] = "";
    while ((e = fy_diag_errors_iterate(diag, &it))) {
        if (e->type < FYET_WARNING) continue;
        int line = e->line > 0 ? e->line : 0, col = e->line > 0 && e->column > 0 ? e->column : 0;
        /* libfyaml words its messages much as we do; a few start with a capital. */
        char msg[256];
        snprintf(msg, sizeof msg, "%s", e->msg ? e->msg : "YAML syntax error");
        if (isupper((unsigned char)msg[0]) && islower((unsigned char)msg[1]))
            msg[0] = (char)tolower((unsigned char)msg[0]);
        if (strcmp(msg, "duplicate key") == 0) name_key_at(y, line, col, msg, sizeof msg);
        /* libfyaml may report one problem twice, from the scanner and from the parser. */
        if (line == last_line && col == last_col && strcmp(msg, last_msg) == 0) continue;
        last_line = line;
        last_col = col;
        memcpy(last_msg, msg, sizeof msg);
        if (e->type == FYET_WARNING) {
            report_at(y, TSIM_WARNING, line, col, "%s", msg);
        } else {
            report_at(y, TSIM_ERROR, line, col, "%s", msg);
            yaml_errors++;
        }
    }
    if (fy_diag_got_error(diag) && yaml_errors == 0) {
        report_at(y, TSIM_ERROR, 0, 0, "YAML syntax error");
        yaml_errors++;
    }
    fy_diag_destroy(diag);
    if (doc && yaml_errors) {
        fy_parse_document_destroy(fyp, doc);
        doc = NULL;
    }
    if (!doc && yaml_errors == 0) report_at(y, TSIM_ERROR, 0, 0, "%s is empty", y->what);
    if (!doc) {
        if (fyp) fy_parser_destroy(fyp);
        return -1;
    }
    y->fyp = fyp;
    y->doc = doc;
    y->root = fy_document_root(doc);
    /* A second document is reported, and the first still read: its problems are worth knowing.
     * With aliases the document has holes; every further message would be about them. */
    int errors0 = y->errors;
    check_no_aliases(y, y->root, 0);
    return y->errors > errors0 ? -1 : 0;
}

int tsim__yaml_read(struct tsim__yaml *y, const char *text, size_t len)
{
    if (tsim__yaml_check(y, text, len) != 0) return -1;
    return tsim__yaml_parse(y, text, len);
}

int tsim__yaml_read_file(struct tsim__yaml *y, const char *path, char **out, size_t *len)
{
    char msg[512];
    int rc = tsim__read_file(path, y->max_bytes, out, len, msg, sizeof msg);
    if (rc == TSIM_ELIMIT)
        report_at(y, TSIM_ERROR, 0, 0, "%s is too large (more than %zu bytes; that is the limit)",
                  y->what, y->max_bytes);
    else if (rc != 0)
        report_at(y, TSIM_ERROR, 0, 0, "%s", msg);
    return rc;
}
