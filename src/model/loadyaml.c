/*
 * Reading a model file's YAML text for the loader: the separators inside a distribution call's
 * parentheses are masked before libfyaml sees the text (same length, so every line:col stays
 * true) and put back in each scalar read (tsim__ld_unmask, loadnode.c); a large file's capped lists are counted on the event
 * stream before the document is built. Moved out of loader.c, which explains why both are done.
 */
#include "core/core.h"
#include "model/loader.h"
#include "model/yaml.h"

#include <ctype.h>
#include <libfyaml.h>
#include <stdlib.h>
#include <string.h>

static const struct pos nowhere = {0, 0};

/* ---------------------------------------------------------------------------------------------
 * Calls inside flow collections
 * ------------------------------------------------------------------------------------------- */

/* What YAML would read as structure inside a call's parentheses; masked as ';'. */
static int is_masked(char c)
{
    return c == ',' || c == ':' || c == '#' || c == '[' || c == ']' || c == '{' || c == '}';
}

static void record_mask(struct loader *ld, size_t *cap, size_t at, char was)
{
    if (ld->nsub == *cap) {
        *cap = *cap ? *cap * 2 : 64;
        ld->sub_at = tsim__realloc(ld->sub_at, *cap * sizeof *ld->sub_at);
        ld->sub_was = tsim__realloc(ld->sub_was, *cap);
    }
    ld->sub_at[ld->nsub] = at;
    ld->sub_was[ld->nsub++] = was;
}

/*
 * A copy of `text` in which every call "name(...)" whose parentheses close on the same line has
 * its structural characters masked. YAML quoted scalars and comments are skipped; a quote that
 * follows other characters belongs to a plain scalar and is not a YAML quote (as in
 * empirical("file.csv")). A call split over lines is left alone: YAML reads it as it is.
 */
static char *protect_calls(struct loader *ld, const char *text, size_t len)
{
    char *out = tsim__malloc(len + 1);
    memcpy(out, text, len);
    out[len] = '\0';
    size_t cap = 0;
    char quote = 0; /* inside a YAML quoted scalar */
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (quote) {
            if (quote == '"' && c == '\\' && i + 1 < len)
                i++;
            else if (c == quote && quote == '\'' && i + 1 < len && text[i + 1] == '\'')
                i++;
            else if (c == quote)
                quote = 0;
            continue;
        }
        int after_space = i == 0 || text[i - 1] == ' ' || text[i - 1] == '\t' ||
                          text[i - 1] == '\n' || text[i - 1] == '\r';
        if (c == '#' && after_space) {
            while (i + 1 < len && text[i + 1] != '\n') i++;
            continue;
        }
        if (c == '"' || c == '\'') {
            size_t k = i;
            while (k > 0 && (text[k - 1] == ' ' || text[k - 1] == '\t')) k--;
            char prev = k == 0 ? '\n' : text[k - 1];
            if (prev == '\n' || prev == '\r' || strchr("[{,", prev) ||
                (after_space && strchr(":-?", prev)))
                quote = c;
            continue;
        }
        if (c != '(' || i == 0 || !(isalnum((unsigned char)text[i - 1]) || text[i - 1] == '_'))
            continue;
        size_t j = i + 1;
        char inner = 0;
        for (; j < len && text[j] != '\n'; j++) {
            if (inner) {
                if (text[j] == inner) inner = 0;
            } else if (text[j] == '"' || text[j] == '\'') {
                inner = text[j];
            } else if (text[j] == ')') {
                break;
            }
        }
        if (j >= len || text[j] != ')') continue;
        for (size_t k = i + 1; k < j; k++) {
            if (is_masked(text[k])) {
                record_mask(ld, &cap, k, text[k]);
                out[k] = ';';
            }
        }
        i = j;
    }
    return out;
}

/* libfyaml's text output is dropped: its errors are taken from the collected list instead. */
static void fy_quiet(struct fy_diag *diag, void *user, const char *buf, size_t len)
{
    (void)diag;
    (void)user;
    (void)buf;
    (void)len;
}

/* Files above this size are scanned for the counts of their lists before the document is built:
 * building a YAML document costs about three times scanning it, and a 16 MiB file of a million
 * blocks would take seconds to build only to be refused for its size. Below it, building is
 * fast enough that the scan would cost more than it saves. */
#define PRESCAN_BYTES (1024 * 1024)

/* The lists at the top of a model whose length is capped, with the messages the loader gives. */
static const struct {
    const char *key;
    int max;
    const char *what;
} capped[] = {{"blocks", BLOCKS_MAX, "blocks"},
              {"products", PRODUCTS_MAX, "products"},
              {"shifts", SHIFTS_MAX, "shifts"},
              {"operators", POOLS_MAX, "operators pools"}};

/*
 * Scan the events of `yaml` (masked, as libfyaml gets it) and refuse it, at the item past the
 * cap, if a capped top-level list is too long. Returns -1 when it did; 0 otherwise, also for a
 * file that does not parse (the parse proper reports that).
 */
static int prescan(struct loader *ld, const char *yaml, size_t len)
{
    struct fy_diag_cfg dc;
    fy_diag_cfg_default(&dc);
    dc.fp = NULL;
    dc.output_fn = fy_quiet;
    dc.colorize = false;
    struct fy_diag *diag = fy_diag_create(&dc);
    if (!diag) return 0;
    struct fy_parse_cfg pc;
    memset(&pc, 0, sizeof pc);
    pc.flags = FYPCF_QUIET;
    pc.diag = diag;
    struct fy_parser *fyp = fy_parser_create(&pc);
    int refused = 0;
    if (fyp && fy_parser_set_string(fyp, yaml, len) == 0) {
        /* depth: of collections (1 in the root mapping); at depth 1, scalars and collections
         * alternate between keys and values. */
        int depth = 0, key_next = 1, list = -1, counting = 0, items = 0;
        struct fy_event *ev;
        while (!refused && (ev = fy_parser_parse(fyp))) {
            enum fy_event_type t = ev->type;
            int opens = t == FYET_MAPPING_START || t == FYET_SEQUENCE_START;
            int closes = t == FYET_MAPPING_END || t == FYET_SEQUENCE_END;
            int node = opens || t == FYET_SCALAR || t == FYET_ALIAS;
            if (counting && depth == 2 && node && ++items > capped[list].max) {
                const struct fy_mark *mk = fy_event_start_mark(ev);
                tsim__ld_err(ld, mk ? (struct pos){mk->line + 1, mk->column + 1} : nowhere,
                             "more than %d %s", capped[list].max, capped[list].what);
                refused = 1;
            }
            if (depth == 1 && node) {
                if (key_next) {
                    list = -1;
                    if (t == FYET_SCALAR) {
                        const char *k = fy_token_get_text0(fy_event_get_token(ev));
                        for (int i = 0; k && i < (int)(sizeof capped / sizeof capped[0]); i++)
                            if (strcmp(k, capped[i].key) == 0) list = i;
                    }
                } else if (list >= 0 && t == FYET_SEQUENCE_START) {
                    counting = 1;
                    items = 0;
                }
                key_next = !key_next;
            }
            if (opens) depth++;
            if (closes && --depth == 1) counting = 0;
            fy_parser_event_free(fyp, ev);
        }
    }
    if (fyp) fy_parser_destroy(fyp);
    fy_diag_destroy(diag);
    return refused ? -1 : 0;
}


/* Check `text` and parse it with the reader into one document (ld->y.root); -1 when it cannot
 * be loaded. Calls are masked first (see protect_calls), and a large file's lists are counted
 * before the document is built. */
int tsim__ld_parse_yaml(struct loader *ld, const char *text, size_t len)
{
    if (tsim__yaml_check(&ld->y, text, len) != 0) return -1;
    ld->yaml = protect_calls(ld, text, len);
    if (len > PRESCAN_BYTES && prescan(ld, ld->yaml, len) != 0) return -1;
    return tsim__yaml_parse(&ld->y, ld->yaml, len);
}
