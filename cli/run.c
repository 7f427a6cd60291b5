/*
 * `twinsim run`: load a model, apply --set, run its replications, print the KPI table and write
 * the outputs asked for (JSON, CSV) and the record in the results database.
 *
 * Precedence of settings: command line over the model file's `run:` section over defaults.
 * Every argument is checked before the model is loaded, so that a typo costs no load; durations
 * are checked once more in the model's time unit after loading.
 */
#include "cli.h"

#include "twinsim.h"
#include "twinsim_drivers.h"

#include <errno.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEFAULT_DB "twinsim.db"
/* Replications are folded as they end, so memory does not limit this; the database's signed
 * 32-bit replication numbers and the time a user waits do. */
#define MAX_REPS 1000000L
#define MAX_THREADS 1024L

static const char help[] =
    "usage: twinsim run MODEL [options]\n"
    "       twinsim run --jobshop FILE [--rule RULE] (a job-shop instance; --jobshop --help)\n"
    "\n"
    "Run replications of MODEL (a YAML model file) and print each block's and the system's KPIs\n"
    "as mean ± 95% confidence half-width. Every run is recorded in a results database.\n"
    "\n"
    "options:\n"
    "  --reps N              replications (default: the model's run.replications, else 10)\n"
    "  --seed S              seed, 0 to 2^64-1 (default: the model's run.seed, else 1)\n"
    "  --horizon T           simulated time per replication, units allowed: 480, 8h, 2d\n"
    "                        (default: the model's run.horizon; 0: until no event is left)\n"
    "  --warmup T|auto       statistics start at T; 'auto' chooses T by MSER-5 on the mean WIP\n"
    "                        of up to 10 pilot replications (needs a horizon)\n"
    "  --max-entities N      stop with an error when more than N entities exist at once\n"
    "                        (default: the model's run.max_entities, else 1000000)\n"
    "  --max-instant-events N  stop with an error when more than N events run at one instant\n"
    "                        (default: the model's run.max_instant_events, else 100 per\n"
    "                        block, server and entity, at least 1000000)\n"
    "  --rng xoshiro|philox  the random generator (default: the model's run.rng, else\n"
    "                        xoshiro); philox gives the draws a GPU reproduces bit for bit\n"
    "  --gpu                 run the replications as a GPU batch (docs/gpu.md); without GPU\n"
    "                        support or a device it says why and exits with status 2\n"
    "  --set BLOCK.PARAM=V   change a parameter, as in the model file (repeatable):\n"
    "                        --set filler.process='triangular(0.5, 0.6, 0.9)'\n"
    "  --json FILE|-         write the results as JSON (v1) to FILE, or to standard output\n"
    "  --csv DIR             write DIR/summary.csv and DIR/replications.csv\n"
    "  --db FILE             results database (default: twinsim.db in this directory)\n"
    "  --no-db               do not record the run\n"
    "  --orders [R]          with --json, --csv and the database, also write replication R's\n"
    "                        orders table (default 0; also --orders=R): each picking block's\n"
    "                        orders with their release, complete, shipped and due times, on\n"
    "                        time, lines and units\n"
    "  --trace T             also record replication 0 sampled every T of model time (WIP,\n"
    "                        completions, each block's content and busy servers) for the\n"
    "                        dashboard's time series; units as --horizon\n"
    "  --threads K           threads (default 0: every core); results do not depend on it\n"
    "  --quiet               print no table\n"
    "  -h, --help            this help\n"
    "\n"
    "Ctrl-C or SIGTERM stops the run at once; nothing is then written or recorded.\n"
    "\n"
    "exit codes: 0 ok, 1 model, run or output errors, 2 usage errors, 128+N stopped by signal N\n";

struct run_args {
    const char *model;
    const char *reps, *seed, *horizon, *warmup, *threads, *max_ents, *max_instant;
    const char *json, *csv, *db, *rng, *trace;
    const char *orders_rep; /* --orders R, or NULL: 0 */
    int no_db, quiet, gpu, orders;
    const char **sets;
    int nsets;
};

static int parse_args(int argc, char **argv, struct run_args *a)
{
    a->sets = calloc((size_t)argc, sizeof *a->sets);
    if (!a->sets) return cli_error("run", "out of memory");
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *v = NULL;
        int m;
        if (cli_is_help(arg)) {
            fputs(help, stdout);
            return -1;
        }
#define OPT(name, var) CLI_OPT("run", name, a->var, 0)
        OPT("--reps", reps)
        OPT("--seed", seed)
        OPT("--horizon", horizon)
        OPT("--warmup", warmup)
        OPT("--threads", threads)
        OPT("--max-entities", max_ents)
        OPT("--max-instant-events", max_instant)
        OPT("--json", json)
        OPT("--csv", csv)
        OPT("--db", db)
        OPT("--rng", rng)
        OPT("--trace", trace)
#undef OPT
        if ((m = cli_option(argc, argv, &i, "run", "--set", &v)) != 0) {
            if (m != 1) return m;
            const char *eq = strchr(v, '=');
            if (!eq || eq == v)
                return cli_usage_error("run", "option '--set' needs BLOCK.PARAM=VALUE, not '%s'",
                                       v);
            a->sets[a->nsets++] = v;
            continue;
        }
        if (strcmp(arg, "--no-db") == 0) {
            a->no_db = 1;
            continue;
        }
        if (strcmp(arg, "--gpu") == 0) {
            a->gpu = 1;
            continue;
        }
        if (strcmp(arg, "--orders") == 0 || strncmp(arg, "--orders=", 9) == 0) {
            /* The replication is optional: taken when the next argument is a number, so a model
             * file that follows is not taken for it. */
            if (a->orders) return cli_usage_error("run", "option '--orders' given twice");
            a->orders = 1;
            if (arg[8] == '=')
                a->orders_rep = arg + 9;
            else if (i + 1 < argc && argv[i + 1][0] >= '0' && argv[i + 1][0] <= '9')
                a->orders_rep = argv[++i];
            continue;
        }
        if (strcmp(arg, "--quiet") == 0 || strcmp(arg, "-q") == 0) {
            a->quiet = 1;
            continue;
        }
        if (arg[0] == '-' && arg[1] != '\0')
            return cli_usage_error("run", "unknown option '%s'", arg);
        if (a->model) return cli_usage_error("run", "one model file expected, got '%s' too", arg);
        a->model = arg;
    }
    if (!a->model) return cli_usage_error("run", "no model file given");
    if (a->db && a->no_db)
        return cli_usage_error("run", "options '--db' and '--no-db' exclude each other");
    if (a->json && !a->json[0])
        return cli_usage_error("run", "option '--json' needs a file name or '-'");
    if (a->csv && !a->csv[0]) return cli_usage_error("run", "option '--csv' needs a directory");
    if (a->db && !a->db[0]) return cli_usage_error("run", "option '--db' needs a file name");
    if (a->trace && a->no_db)
        return cli_usage_error("run", "option '--trace' records into the database: not with "
                               "'--no-db'");
    if (a->orders && a->no_db && !a->json && !a->csv)
        return cli_usage_error("run", "option '--orders' writes into --json, --csv or the "
                               "database: not with '--no-db' alone");
    if (a->orders && a->gpu)
        return cli_usage_error("run", "option '--orders' reads a replication's orders on the CPU: "
                               "not with '--gpu'");
    if (a->trace && a->gpu)
        return cli_usage_error("run", "option '--trace' replays a replication on the CPU: not "
                               "with '--gpu'");
    if (a->rng && strcmp(a->rng, "philox") != 0 && strcmp(a->rng, "xoshiro") != 0)
        return cli_usage_error("run", "option '--rng' needs 'xoshiro' or 'philox', not '%s'",
                               a->rng);
    if (a->gpu && tsim_gpu_unavailable()) {
        fprintf(stderr, "twinsim run: --gpu: %s\n", tsim_gpu_unavailable());
        return CLI_EXIT_USAGE;
    }
    return 0;
}

/* A duration option in `unit`: a non-negative number with an optional unit. */
static int parse_duration(const char *opt, const char *text, const char *unit, double *out)
{
    if (tsim_duration_parse(text, unit, out) != 0 || !(*out >= 0) || *out > 1e15)
        return cli_usage_error("run", "option '%s' needs a duration such as 480, 30s, 5min, 8h "
                               "or 2d, not '%s'", opt, text);
    return 0;
}

/* The settings of this run, with what came from where. */
struct settings {
    int reps, threads;
    uint64_t seed;
    double horizon, warmup, trace;
    int warmup_auto;
    long orders_rep; /* --orders: the replication whose orders table is written */
};

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The command line as typed, quoted where a shell would need it, for the run record. */
static char *command_line(int argc, char **argv)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) return NULL;
    fputs("twinsim", f);
    for (int i = 0; i < argc; i++) {
        const char *s = argv[i];
        fputc(' ', f);
        if (s[0] && !s[strcspn(s, " \t\n'\"\\$`!*?[]{}()<>|&;#~")]) {
            fputs(s, f);
            continue;
        }
        fputc('\'', f);
        for (; *s; s++) {
            if (*s == '\'')
                fputs("'\\''", f);
            else
                fputc(*s, f);
        }
        fputc('\'', f);
    }
    fclose(f);
    return buf;
}

static char *options_json(const struct run_args *a, const struct settings *s)
{
    return tsim_run_options_json(s->reps, s->seed, s->horizon, s->warmup_auto ? -1 : s->warmup,
                                 s->threads, (const char *const *)a->sets, a->nsets, a->json,
                                 a->csv, a->orders ? (long long)s->orders_rep : -1);
}

/* `len` bytes of `text` to `path` ('-': standard output), whole or not at all. */
static int write_text(const char *path, const char *text, size_t len)
{
    if (tsim_write_file(path, text, len) != 0) return cli_error("run", "%s", cli_errmsg());
    return 0;
}

static void print_header(FILE *f, const struct tsim_model *m, const struct settings *s,
                         int threads)
{
    const char *unit = tsim_model_time_unit(m);
    fprintf(f, "%s: %d replication%s, seed %llu, ", tsim_model_name(m), s->reps,
            s->reps == 1 ? "" : "s", (unsigned long long)s->seed);
    if (s->horizon > 0)
        fprintf(f, "horizon %g %s", s->horizon, unit);
    else
        fputs("until no event is left", f);
    if (s->warmup > 0 || s->warmup_auto)
        fprintf(f, ", warm-up %g %s%s", s->warmup, unit, s->warmup_auto ? " (auto, MSER-5)" : "");
    fprintf(f, ", %d thread%s\n\n", threads, threads == 1 ? "" : "s");
}

/* The directory a file path lies in, for the spill: "." for a bare name. Caller frees. */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash) return strdup(".");
    if (slash == path) return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

/* The block that --set argument `set` (BLOCK.PARAM=VALUE) changes, or -1. */
static int set_block(const struct tsim_model *m, const char *set)
{
    const char *eq = strchr(set, '=');
    char *path = strndup(set, (size_t)(eq - set));
    if (!path) return -1;
    int b = tsim_model_param_block(m, path);
    free(path);
    return b;
}

/* A model that validated as loaded and fails after --set was broken by a --set, so the error
 * names the arguments rather than the model file, whose lines no longer say what was run: those
 * that changed the block the error is about, or, where none did (a problem of the model as a
 * whole, or of a block that another block's change broke), every --set given. */
static int set_error(const struct run_args *a, const struct tsim_model *m)
{
    int eb = tsim_model_error_block(m), any = 0;
    char *on = calloc((size_t)a->nsets, 1);
    if (!on) return cli_error("run", "out of memory");
    for (int i = 0; i < a->nsets; i++)
        any |= on[i] = (char)(eb >= 0 && set_block(m, a->sets[i]) == eb);
    size_t len = 1;
    for (int i = 0; i < a->nsets; i++) len += strlen(a->sets[i]) + 7;
    char *named = malloc(len);
    if (!named) {
        free(on);
        return cli_error("run", "out of memory");
    }
    named[0] = '\0';
    for (int i = 0; i < a->nsets; i++)
        if (on[i] || !any) strcat(strcat(named, named[0] ? " --set " : "--set "), a->sets[i]);
    int rc = cli_error("run", "%s: error: %s", named, cli_errmsg());
    free(named);
    free(on);
    return rc;
}

/* Whether `text` has a line starting with `key` (a top-level key of a YAML file, "key:"). */
static int has_top_key(const char *text, const char *key)
{
    size_t n = strlen(key);
    for (const char *l = text; l; l = strchr(l, '\n'), l = l ? l + 1 : NULL)
        if (strncmp(l, key, n) == 0) return 1;
    return 0;
}

/* Whether the file is an experiment, not a model: no top-level 'blocks:', and its name ends
 * .experiment.yaml or it has 'model:' and 'factors:' (or 'optimize:'). Loaded as a model it
 * would give an "unknown top-level key" for each of its keys. */
static int looks_like_experiment(const char *path)
{
    size_t len = 0;
    char *text = cli_read_file(path, TSIM_MODEL_MAX_BYTES, &len);
    if (!text) return 0;
    size_t pl = strlen(path), sl = strlen(".experiment.yaml");
    int named = pl >= sl && strcmp(path + pl - sl, ".experiment.yaml") == 0;
    int is = !has_top_key(text, "blocks:") &&
             (named || (has_top_key(text, "model:") &&
                        (has_top_key(text, "factors:") || has_top_key(text, "optimize:"))));
    free(text);
    return is;
}

/* Everything after the arguments are known: load, run, write. */
static int run_model(int argc, char **argv, const struct run_args *a, struct settings *s)
{
    if (looks_like_experiment(a->model)) {
        fprintf(stderr, "%s: error: this is an experiment file: run it with `twinsim experiment "
                "%s`\n", a->model, a->model);
        return CLI_EXIT_MODEL;
    }
    struct tsim_diags diags;
    struct tsim_run_spec spec;
    memset(&spec, 0, sizeof spec);
    tsim_diags_init(&diags);
    struct tsim_model *m = tsim_model_load_file(a->model, &spec, &diags);
    if (diags.n > 0) tsim_diags_print(&diags, a->model, stderr);
    tsim_diags_release(&diags);
    if (!m) return CLI_EXIT_MODEL;

    int rc = 0;
    struct tsim_collect *collect = NULL;
    struct tsim_report *report = NULL;
    char *json = NULL, *opts = NULL, *cmdline = NULL, *model_text = NULL, *spill_dir = NULL;
    size_t json_len = 0, model_len = 0;

    for (int i = 0; i < a->nsets && !rc; i++) {
        const char *eq = strchr(a->sets[i], '=');
        size_t plen = (size_t)(eq - a->sets[i]);
        char *path = malloc(plen + 1);
        if (!path) {
            rc = cli_error("run", "out of memory");
            break;
        }
        memcpy(path, a->sets[i], plen);
        path[plen] = '\0';
        if (tsim_model_set_param(m, path, eq + 1) != 0)
            rc = cli_usage_error("run", "option '--set': %s", cli_errmsg());
        free(path);
    }
    if (rc) goto done;
    /* Checked in cmd_run already: these parse. */
    long lim;
    if (a->max_ents && cli_parse_long("run", "--max-entities", a->max_ents, 1, 1000000000L,
                                      &lim) == 0)
        tsim_model_set_max_entities(m, (uint64_t)lim);
    if (a->max_instant && cli_parse_long("run", "--max-instant-events", a->max_instant, 1,
                                         1000000000000000L, &lim) == 0)
        tsim_model_set_max_instant_events(m, (uint64_t)lim);
    if (a->rng)
        tsim_model_set_rng(m, strcmp(a->rng, "philox") == 0 ? TSIM_RNG_PHILOX : TSIM_RNG_XOSHIRO);

    const char *unit = tsim_model_time_unit(m);
    s->reps = spec.replications > 0 ? spec.replications : 10;
    s->seed = spec.seed;
    s->horizon = spec.horizon;
    s->warmup = spec.warmup;
    s->warmup_auto = spec.warmup_auto;
    int warmup_from_cli = 0, horizon_from_cli = 0;
    if (a->reps) {
        long v;
        cli_parse_long("run", "--reps", a->reps, 1, MAX_REPS, &v);
        s->reps = (int)v;
    }
    if (a->seed) cli_parse_seed("run", "--seed", a->seed, &s->seed);
    if (a->orders_rep && s->orders_rep >= s->reps) {
        rc = cli_usage_error("run", "option '--orders' names replication %ld, but the run has %d "
                             "(0 to %d)", s->orders_rep, s->reps, s->reps - 1);
        goto done;
    }
    if (a->horizon) {
        if ((rc = parse_duration("--horizon", a->horizon, unit, &s->horizon)) != 0) goto done;
        horizon_from_cli = 1;
    }
    if (a->trace) {
        if ((rc = parse_duration("--trace", a->trace, unit, &s->trace)) != 0) goto done;
        if (!(s->trace > 0)) {
            rc = cli_usage_error("run", "option '--trace' needs an interval above 0");
            goto done;
        }
        if (s->horizon > 0 && floor(s->horizon / s->trace) + 1 > 100000) {
            rc = cli_usage_error("run", "'--trace %s' would take %.0f samples of the horizon; "
                                 "at most 100000", a->trace, floor(s->horizon / s->trace) + 1);
            goto done;
        }
    }
    if (a->warmup) {
        warmup_from_cli = 1;
        s->warmup_auto = strcmp(a->warmup, "auto") == 0;
        if (s->warmup_auto)
            s->warmup = 0;
        else if ((rc = parse_duration("--warmup", a->warmup, unit, &s->warmup)) != 0)
            goto done;
    }
    /* A conflict the command line caused is a usage error; one in the file is a model error. */
    int usage = warmup_from_cli || horizon_from_cli;
    if (s->warmup_auto && !(s->horizon > 0)) {
        rc = usage ? cli_usage_error("run", "'--warmup auto' needs a horizon ('--horizon T')")
                   : cli_error("run", "%s: an automatic warm-up needs a horizon", a->model);
        goto done;
    }
    if (!s->warmup_auto && s->horizon > 0 && s->warmup >= s->horizon) {
        rc = usage ? cli_usage_error("run", "warm-up %g %s is not shorter than the horizon %g %s",
                                     s->warmup, unit, s->horizon, unit)
                   : cli_error("run", "%s: warm-up %g %s is not shorter than the horizon %g %s",
                               a->model, s->warmup, unit, s->horizon, unit);
        goto done;
    }
    if (tsim_model_validate(m) != 0) {
        rc = a->nsets > 0 ? set_error(a, m) : cli_error("run", "%s: error: %s", a->model,
                                                         cli_errmsg());
        goto done;
    }
    struct tsim_run_opts o = {.seed = s->seed, .replications = s->reps, .horizon = s->horizon,
                              .warmup = s->warmup, .threads = s->threads};
    if (tsim_run_check(m, &o) != 0) {
        rc = cli_error("run", "%s: %s", a->model, cli_errmsg());
        goto done;
    }

    /* Each replication's KPIs wait on disk, beside the outputs that list them (the database,
     * replications.csv), not in memory: memory stays flat whatever the replication count. */
    if (!a->no_db)
        spill_dir = dir_of(a->db ? a->db : DEFAULT_DB);
    else if (a->csv)
        spill_dir = dir_of(a->csv);
    if (!(collect = tsim_collect_create((size_t)s->reps, spill_dir))) {
        rc = cli_error("run", "%s", cli_errmsg());
        goto done;
    }

    if (a->orders) tsim_collect_keep_orders(collect, (uint64_t)s->orders_rep);
    static atomic_int stop;
    cli_catch_signals(&stop);
    double t0 = now_seconds();
    int got = 0;
    if (s->warmup_auto) {
        got = tsim_warmup_auto(m, &o, &stop, &o.warmup);
        if (got < 0) {
            rc = cli_error("run", "%s: %s", a->model, cli_errmsg());
            goto done;
        }
        s->warmup = o.warmup;
    }
    if (got == 0) got = tsim_collect_run(collect, m, &o, &stop);
    if (got == 1) {
        rc = cli_interrupted("run", atomic_load(&stop));
        fprintf(stderr, "twinsim run: %zu of %d replications had finished; nothing was written "
                "or recorded\n", tsim_collect_done(collect), s->reps);
        goto done;
    }
    if (got < 0) {
        rc = cli_error("run", "%s: %s", a->model, cli_errmsg());
        goto done;
    }
    double wall = now_seconds() - t0;

    if (!(report = tsim_collect_report(collect, m, &o, s->warmup_auto, wall))) {
        rc = cli_error("run", "%s: %s", a->model, cli_errmsg());
        goto done;
    }

    /* The JSON document is for --json and for the record in the database; neither, none. */
    if (a->json || !a->no_db) {
        FILE *jf = open_memstream(&json, &json_len);
        if (!jf || tsim_report_write_json(jf, report) != 0) {
            if (jf) fclose(jf);
            rc = cli_error("run", "cannot build the JSON output");
            goto done;
        }
        fclose(jf);
    }

    int json_to_stdout = a->json && strcmp(a->json, "-") == 0;
    int threads = tsim_thread_count(s->threads, (size_t)s->reps);
    if (!a->quiet && !json_to_stdout) {
        print_header(stdout, m, s, threads);
        tsim_report_write_table(stdout, report);
        printf("\nfingerprint %016llx, %llu events, %.3f s\n",
               (unsigned long long)tsim_report_fingerprint(report),
               (unsigned long long)tsim_report_events(report), wall);
    }
    if (a->json && (rc = write_text(a->json, json, json_len)) != 0) goto done;
    if (a->csv && tsim_report_write_csv(a->csv, report) != 0) {
        rc = cli_error("run", "%s", cli_errmsg());
        goto done;
    }
    if (!a->no_db) {
        const char *db = a->db ? a->db : DEFAULT_DB;
        opts = options_json(a, s);
        cmdline = command_line(argc, argv);
        model_text = cli_read_file(a->model, TSIM_MODEL_MAX_BYTES, &model_len);
        struct tsim_record_info meta = {.model_path = a->model, .model_text = model_text,
                                     .model_len = model_len, .options = opts,
                                     .command = cmdline, .json = json, .threads = threads,
                                     .interrupt = &stop};
        int64_t id;
        if (tsim_report_record(db, report, &meta, &id) != 0) {
            if (atomic_load(&stop)) {
                rc = cli_interrupted("run", atomic_load(&stop));
                fprintf(stderr, "twinsim run: nothing was recorded in '%s'\n", db);
            } else {
                rc = cli_error("run", "cannot record the run: %s", cli_errmsg());
            }
            goto done;
        }
        if (!a->quiet && !json_to_stdout)
            printf("recorded as run %lld in '%s' (twinsim show %lld)\n", (long long)id, db,
                   (long long)id);
        if (a->trace) {
            size_t samples = 0;
            int tr = tsim_trace_record(db, id, m, &o, s->trace, &stop, &samples);
            if (tr == 1) {
                rc = cli_interrupted("run", atomic_load(&stop));
                fprintf(stderr, "twinsim run: run %lld was recorded without its trace\n",
                        (long long)id);
                goto done;
            }
            if (tr != 0) {
                rc = cli_error("run", "run %lld was recorded, its trace not: %s", (long long)id,
                               cli_errmsg());
                goto done;
            }
            if (!a->quiet && !json_to_stdout)
                printf("trace of replication 0: %zu samples every %g %s\n", samples, s->trace,
                       unit);
        }
    }
    rc = cli_flush_stdout("run");

done:
    tsim_report_destroy(report);
    tsim_collect_destroy(collect);
    free(json);
    free(opts);
    free(cmdline);
    free(model_text);
    free(spill_dir);
    tsim_model_destroy(m);
    return rc;
}

int cmd_run(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--jobshop") == 0 || strncmp(argv[i], "--jobshop=", 10) == 0)
            return cmd_run_jobshop(argc, argv);
    struct run_args a;
    memset(&a, 0, sizeof a);
    int rc = parse_args(argc, argv, &a);
    if (rc != 0) {
        free(a.sets);
        return rc < 0 ? CLI_EXIT_OK : rc;
    }

    /* Check every value before loading: the model's time unit is not known yet, so durations
     * are checked in minutes here (any unit converts) and converted after loading. */
    struct settings s = {0};
    long v;
    double d;
    if ((a.reps && (rc = cli_parse_long("run", "--reps", a.reps, 1, MAX_REPS, &v))) ||
        (a.seed && (rc = cli_parse_seed("run", "--seed", a.seed, &s.seed))) ||
        (a.threads && (rc = cli_parse_long("run", "--threads", a.threads, 0, MAX_THREADS, &v))) ||
        (a.horizon && (rc = parse_duration("--horizon", a.horizon, "min", &d))) ||
        (a.trace && (rc = parse_duration("--trace", a.trace, "min", &d))) ||
        (a.warmup && strcmp(a.warmup, "auto") != 0 &&
         (rc = parse_duration("--warmup", a.warmup, "min", &d))) ||
        (a.max_ents &&
         (rc = cli_parse_long("run", "--max-entities", a.max_ents, 1, 1000000000L, &v))) ||
        (a.max_instant && (rc = cli_parse_long("run", "--max-instant-events", a.max_instant, 1,
                                               1000000000000000L, &v))) ||
        (a.orders_rep &&
         (rc = cli_parse_long("run", "--orders", a.orders_rep, 0, MAX_REPS - 1, &s.orders_rep)))) {
        free(a.sets);
        return rc;
    }
    if (a.threads) {
        cli_parse_long("run", "--threads", a.threads, 0, MAX_THREADS, &v);
        s.threads = (int)v;
    }
    rc = run_model(argc, argv, &a, &s);
    free(a.sets);
    return rc;
}
