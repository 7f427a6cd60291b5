/*
 * `twinsim twin` and `twinsim emulate`: the live twin that follows a plant over MQTT, and the
 * emulator that plays a plant from a model. Both only parse arguments, load the model and the
 * mapping, install the signal handlers, print what the library reports, and hand over to
 * src/twin; without libmosquitto and libcjson at build time (the Makefile defines TSIM_HAVE_MQTT
 * and TSIM_HAVE_CJSON when it links them) they say so.
 */
#include "cli.h"

#include "twinsim.h"
#include "twinsim_drivers.h"

#ifdef TSIM_HAVE_HTTP
#include "twinsim_web.h"
#endif

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(TSIM_HAVE_MQTT) && defined(TSIM_HAVE_CJSON)

static const char twin_help[] =
    "usage: twinsim twin MODEL [--mapping FILE] [MQTT OPTIONS] [OPTIONS]\n"
    "\n"
    "Follow a plant over MQTT: plant messages (mapped to model elements by the mapping file)\n"
    "keep a live sim in step with the plant; every so often and on request the twin forecasts\n"
    "from the live state and publishes the forecast and any alerts.\n"
    "\n"
    "  --mapping FILE      the mapping (default: MODEL with .yaml replaced by .mapping.yaml)\n"
    "  --seed N            seed of the live sim's own randomness (default 1)\n"
    "  --db FILE           record every accepted message and every forecast in SQLite; a\n"
    "                      message is acknowledged to the broker only once it is recorded,\n"
    "                      and a twin started again with the same FILE continues from it\n"
    "  --fsync             with --db: each commit reaches the disk before the broker hears of\n"
    "                      it (survives a power cut, not only a crash; slower)\n"
    "  --until T           stop once plant time reaches model time T (e.g. 8h)\n"
    "  --checkpoint T      with --state-out: write the twin's state every T of model time\n"
    "  --state-out FILE    where checkpoints, forecasts and the final counters go (JSON lines)\n"
    "  --idle-exit S       stop after S seconds without a message (exit 1 if the twin never\n"
    "                      connected)\n"
    "  --origin TS         plant time (Unix seconds or ISO 8601) of model time 0\n"
    "  --every D           forecast every D of wall-clock time (overrides the mapping)\n"
    "  --replay DB --forecast N   rerun forecast N recorded in DB from its recorded messages,\n"
    "                      print it and check that it equals the recorded one (no broker)\n"
    "  --replications N    replications per forecast (overrides the mapping)\n"
    "  --verbose           log connections, forecasts, every retry and every dropped message\n"
    "  --serve             also serve the dashboard, with the twin's live state, forecasts and\n"
    "                      alerts (GET /api/twin, events at /api/twin/events with the token)\n"
    "  --listen ADDR:PORT  with --serve: address and port (default 127.0.0.1:8080)\n"
    "  --results FILE      with --serve: the results database the dashboard shows (default\n"
    "                      twinsim.db; made if missing)\n"
    "  --token-file FILE   with --serve: the token, from the first line of FILE\n"
    "MQTT OPTIONS\n"
    "  --mqtt HOST[:PORT]  the broker (default 127.0.0.1:1883); or --host H and --port P\n"
    "  --client-id ID      (default twinsim-twin; a persistent session needs a fixed id)\n"
    "  --username U --password P | --password-env VAR\n"
    "  --cafile F --capath D --cert F --key F --tls-insecure   TLS\n"
    "  --keepalive S       (default 30)\n"
    "  --clean-session     do not keep a session on the broker (messages sent while the twin\n"
    "                      is away are then lost)\n"
    "\n"
    "Connection problems are printed at once, one line each, and again when the cause changes.\n"
    "exit codes: 0 ok, 1 model, mapping, recording or connection errors, 2 usage errors\n";

static const char emulate_help[] =
    "usage: twinsim emulate MODEL [--mapping FILE] [MQTT OPTIONS] [OPTIONS]\n"
    "\n"
    "Run MODEL in scaled real time and publish its events as the mapping expects a plant to:\n"
    "machine states, parts entering and leaving blocks, buffer levels and heartbeats, with\n"
    "timestamps in plant time. A stand-in plant for trying and testing the twin.\n"
    "\n"
    "  --mapping FILE      the mapping (default: MODEL with .yaml replaced by .mapping.yaml)\n"
    "  --speed X           simulated seconds per wall-clock second (default 60; 0: as fast as\n"
    "                      possible)\n"
    "  --until T           model time to stop (default: the model's horizon, else 8h)\n"
    "  --seed N            (default: the model's seed)\n"
    "  --origin TS         plant time of model time 0 (default: now)\n"
    "  --checkpoint T      with --state-out: write the plant's state every T of model time\n"
    "  --state-out FILE\n"
    "  --batch N           send up to N events per message, as a JSON array (default 1: one\n"
    "                      event per message); a message goes out when it holds N events, when\n"
    "                      the next would exceed the mapping's max_payload, and (with --speed\n"
    "                      above 0) at least every 20 ms of wall time\n"
    "  --connect-timeout S give up (exit 1) when the broker cannot be reached in S seconds\n"
    "                      (default 10)\n"
    "  --verbose\n"
    "MQTT OPTIONS as for 'twinsim twin' (client id default twinsim-emulate)\n"
    "\n"
    "exit codes: 0 ok (every message acknowledged by the broker), 1 model, mapping or\n"
    "connection errors or messages not acknowledged, 2 usage errors\n";

/* ---- what the library reports, printed -------------------------------------------------- */

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static void install_handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

struct printer {
    const char *cmd;
    int verbose;
    int conn_problem;     /* a connection problem was printed and is not over */
    pthread_mutex_t lock; /* lines come from the network thread and the main one */
};

static int is_conn_problem(const char *key)
{
    return strcmp(key, "connect_failed") == 0 || strcmp(key, "connection_lost") == 0;
}

/* Problems always, progress with --verbose, and "connected" also when it ends a problem that was
 * printed, so that a log shows when the twin could see again. */
static void print_log(void *ctx, enum tsim_log_level level, const char *key, const char *text)
{
    struct printer *p = ctx;
    pthread_mutex_lock(&p->lock);
    int show = level == TSIM_LOG_PROBLEM || p->verbose ||
               (level == TSIM_LOG_RECOVERED && p->conn_problem);
    if (level == TSIM_LOG_RECOVERED) p->conn_problem = 0;
    if (level == TSIM_LOG_PROBLEM && is_conn_problem(key)) p->conn_problem = 1;
    if (show) fprintf(stderr, "twinsim: %s: %s: %s\n", p->cmd, key, text);
    pthread_mutex_unlock(&p->lock);
}

/* What a recording is checked against: a hash of the file's bytes (FNV-1a, 64 bits), in hex. */
static int file_id(const char *path, char *out, size_t n)
{
    size_t len = 0;
    char *text = cli_read_file(path, (size_t)1 << 30, &len);
    if (!text) return -1;
    uint64_t h = tsim_hash_bytes(text, len);
    free(text);
    snprintf(out, n, "%016llx", (unsigned long long)h);
    return 0;
}

struct common {
    const char *cmd;
    const char *model, *mapping, *state_out;
    struct tsim_mqtt_opts mqtt;
    uint64_t seed;
    int has_seed;
    const char *until, *checkpoint, *origin;
    int verbose;
};

/* Parse one MQTT option at argv[*i]; 1 if it was one, 0 if not, CLI_EXIT_USAGE on errors. */
static int mqtt_option(int argc, char **argv, int *i, struct common *c)
{
    const char *v;
    int m;
    long n;
    if ((m = cli_option(argc, argv, i, c->cmd, "--mqtt", &v)) != 0) {
        if (m != 1) return m;
        static char host[256];
        const char *colon = strrchr(v, ':');
        if (strncmp(v, "mqtt://", 7) == 0) {
            v += 7;
            colon = strrchr(v, ':');
        }
        size_t hl = colon ? (size_t)(colon - v) : strlen(v);
        if (hl == 0 || hl >= sizeof host)
            return cli_usage_error(c->cmd, "bad broker address '%s'", v);
        memcpy(host, v, hl);
        host[hl] = '\0';
        c->mqtt.host = host;
        if (colon) {
            if (cli_parse_long(c->cmd, "--mqtt", colon + 1, 1, 65535, &n)) return CLI_EXIT_USAGE;
            c->mqtt.port = (int)n;
        }
        return 1;
    }
#define STR_OPT(flag, field)                                                       \
    if ((m = cli_option(argc, argv, i, c->cmd, flag, &v)) != 0) {                  \
        if (m == 1) c->mqtt.field = v;                                             \
        return m;                                                                  \
    }
    STR_OPT("--host", host)
    STR_OPT("--client-id", client_id)
    STR_OPT("--username", username)
    STR_OPT("--password", password)
    STR_OPT("--cafile", cafile)
    STR_OPT("--capath", capath)
    STR_OPT("--cert", certfile)
    STR_OPT("--key", keyfile)
#undef STR_OPT
    if ((m = cli_option(argc, argv, i, c->cmd, "--password-env", &v)) != 0) {
        if (m != 1) return m;
        c->mqtt.password = getenv(v);
        if (!c->mqtt.password)
            return cli_usage_error(c->cmd, "environment variable '%s' is not set", v);
        return 1;
    }
    if ((m = cli_option(argc, argv, i, c->cmd, "--port", &v)) != 0) {
        if (m != 1) return m;
        if (cli_parse_long(c->cmd, "--port", v, 1, 65535, &n)) return CLI_EXIT_USAGE;
        c->mqtt.port = (int)n;
        return 1;
    }
    if ((m = cli_option(argc, argv, i, c->cmd, "--keepalive", &v)) != 0) {
        if (m != 1) return m;
        if (cli_parse_long(c->cmd, "--keepalive", v, 5, 3600, &n)) return CLI_EXIT_USAGE;
        c->mqtt.keepalive = (int)n;
        return 1;
    }
    if (strcmp(argv[*i], "--tls-insecure") == 0) {
        c->mqtt.tls_insecure = 1;
        return 1;
    }
    if (strcmp(argv[*i], "--clean-session") == 0) {
        c->mqtt.clean = 1;
        return 1;
    }
    return 0;
}

/* Options both commands take. */
static int common_option(int argc, char **argv, int *i, struct common *c)
{
    const char *v;
    int m;
    if ((m = mqtt_option(argc, argv, i, c)) != 0) return m;
    if ((m = cli_option(argc, argv, i, c->cmd, "--mapping", &v)) != 0) {
        if (m == 1) c->mapping = v;
        return m;
    }
    if ((m = cli_option(argc, argv, i, c->cmd, "--state-out", &v)) != 0) {
        if (m == 1) c->state_out = v;
        return m;
    }
    if ((m = cli_option(argc, argv, i, c->cmd, "--until", &v)) != 0) {
        if (m == 1) c->until = v;
        return m;
    }
    if ((m = cli_option(argc, argv, i, c->cmd, "--checkpoint", &v)) != 0) {
        if (m == 1) c->checkpoint = v;
        return m;
    }
    if ((m = cli_option(argc, argv, i, c->cmd, "--origin", &v)) != 0) {
        if (m == 1) c->origin = v;
        return m;
    }
    if ((m = cli_option(argc, argv, i, c->cmd, "--seed", &v)) != 0) {
        if (m != 1) return m;
        if (cli_parse_seed(c->cmd, "--seed", v, &c->seed)) return CLI_EXIT_USAGE;
        c->has_seed = 1;
        return 1;
    }
    if (strcmp(argv[*i], "--verbose") == 0 || strcmp(argv[*i], "-v") == 0) {
        c->verbose = 1;
        c->mqtt.verbose = 1;
        return 1;
    }
    return 0;
}

/* MODEL.yaml -> MODEL.mapping.yaml */
static char *default_mapping(const char *model)
{
    size_t n = strlen(model);
    const char *ext = n > 5 && strcmp(model + n - 5, ".yaml") == 0   ? ".yaml"
                      : n > 4 && strcmp(model + n - 4, ".yml") == 0 ? ".yml"
                                                                      : "";
    size_t base = n - strlen(ext);
    char *p = malloc(base + 16);
    if (p) snprintf(p, base + 16, "%.*s.mapping.yaml", (int)base, model);
    return p;
}

struct loaded {
    struct tsim_model *m;
    struct tsim_mapping *map;
    struct tsim_run_spec run;
    FILE *state_out;
    char model_id[24], mapping_id[24];
};

static void unload(struct loaded *l)
{
    tsim_mapping_destroy(l->map);
    tsim_model_destroy(l->m);
    if (l->state_out && l->state_out != stdout) fclose(l->state_out);
}

static int load_all(struct common *c, struct loaded *l)
{
    memset(l, 0, sizeof *l);
    struct tsim_diags d;
    tsim_diags_init(&d);
    l->m = tsim_model_load_file(c->model, &l->run, &d);
    tsim_diags_print(&d, c->model, stderr);
    tsim_diags_release(&d);
    if (!l->m) return CLI_EXIT_MODEL;
    if (tsim_model_validate(l->m) != 0) {
        fprintf(stderr, "%s: error: %s\n", c->model, cli_errmsg());
        unload(l);
        return CLI_EXIT_MODEL;
    }
    char *def = c->mapping ? NULL : default_mapping(c->model);
    const char *mp = c->mapping ? c->mapping : def;
    tsim_diags_init(&d);
    l->map = mp ? tsim_mapping_load_file(mp, l->m, &d) : NULL;
    tsim_diags_print(&d, mp ? mp : "(mapping)", stderr);
    tsim_diags_release(&d);
    if (l->map && (file_id(c->model, l->model_id, sizeof l->model_id) != 0 ||
                   file_id(mp, l->mapping_id, sizeof l->mapping_id) != 0)) {
        free(def);
        unload(l);
        return cli_error(c->cmd, "cannot read '%s' again", c->model);
    }
    free(def);
    if (!l->map) {
        unload(l);
        return CLI_EXIT_MODEL;
    }
    if (c->state_out) {
        l->state_out = strcmp(c->state_out, "-") == 0 ? stdout : fopen(c->state_out, "w");
        if (!l->state_out) {
            int rc = cli_error(c->cmd, "cannot write '%s'", c->state_out);
            unload(l);
            return rc;
        }
    }
    return 0;
}

static int duration_arg(struct common *c, const struct tsim_model *m, const char *opt,
                        const char *text, double *out)
{
    if (tsim_duration_parse(text, tsim_model_time_unit(m), out) != 0 || *out < 0) {
        cli_usage_error(c->cmd, "bad duration '%s' for %s", text, opt);
        return CLI_EXIT_USAGE;
    }
    return 0;
}

static int origin_arg(struct common *c, double *out)
{
    char *end;
    double t = strtod(c->origin, &end);
    if (*c->origin && !*end && t >= 0) {
        *out = t;
        return 0;
    }
    if (tsim_iso_time(c->origin, out) == 0) return 0;
    return cli_usage_error(c->cmd, "bad origin '%s' (Unix seconds or an ISO 8601 time)",
                           c->origin);
}

#ifdef TSIM_HAVE_HTTP
static void live_to_web(void *ctx, const char *kind, const char *json)
{
    tsim_web_live(ctx, kind, json);
}
#endif

int cmd_twin(int argc, char **argv)
{
    struct common c;
    memset(&c, 0, sizeof c);
    c.cmd = "twin";
    tsim_mqtt_opts_init(&c.mqtt);
    c.mqtt.client_id = "twinsim-twin";
    const char *db = NULL, *idle = NULL, *every = NULL, *reps = NULL, *replay = NULL;
    const char *fc_id = NULL, *listen = NULL, *results = NULL, *token_file = NULL;
    int fsync_flag = 0, serve = 0;
    for (int i = 1; i < argc; i++) {
        int m;
        if (cli_is_help(argv[i])) {
            fputs(twin_help, stdout);
            return CLI_EXIT_OK;
        }
        if ((m = common_option(argc, argv, &i, &c)) != 0) {
            if (m != 1) return m;
            continue;
        }
#define OPT(name, var) CLI_OPT("twin", name, var, 0)
        OPT("--db", db)
        OPT("--idle-exit", idle)
        OPT("--every", every)
        OPT("--replications", reps)
        OPT("--replay", replay)
        OPT("--forecast", fc_id)
        OPT("--listen", listen)
        OPT("--results", results)
        OPT("--token-file", token_file)
#undef OPT
        if (strcmp(argv[i], "--serve") == 0) {
            serve = 1;
            continue;
        }
        if (strcmp(argv[i], "--fsync") == 0) {
            fsync_flag = 1;
            continue;
        }
        if (argv[i][0] == '-' && argv[i][1]) return cli_usage_error("twin", "unknown option '%s'", argv[i]);
        if (c.model) return cli_usage_error("twin", "more than one model ('%s')", argv[i]);
        c.model = argv[i];
    }
    if (!c.model) return cli_usage_error("twin", "no model given");
    if (!replay != !fc_id) return cli_usage_error("twin", "--replay and --forecast go together");
    if (!serve && (listen || results || token_file))
        return cli_usage_error("twin", "--listen, --results and --token-file go with --serve");
    if (serve && replay) return cli_usage_error("twin", "--serve does not go with --replay");
#ifndef TSIM_HAVE_HTTP
    if (serve)
        return cli_error("twin", "this twinsim was built without libmicrohttpd, so no --serve "
                                 "(Debian: apt-get install libmicrohttpd-dev, then make)");
#else
    char addr[64];
    struct tsim_web_opts wo;
    memset(&wo, 0, sizeof wo);
    if (serve &&
        cli_parse_listen("twin", listen ? listen : "127.0.0.1:8080", addr, sizeof addr, &wo.port))
        return CLI_EXIT_USAGE;
#endif
    long fc_n = 0;
    if (fc_id && cli_parse_long("twin", "--forecast", fc_id, 1, 2147483647L, &fc_n))
        return CLI_EXIT_USAGE;
    struct tsim_twin_opts o;
    memset(&o, 0, sizeof o);
    o.mqtt = c.mqtt;
    o.seed = c.has_seed ? c.seed : 1;
    o.db = db;
    o.until = -1;
    o.verbose = c.verbose;
    struct loaded l;
    int rc = load_all(&c, &l);
    if (rc) return rc;
    long n = 0;
    double every_s = -1;
    if ((c.until && duration_arg(&c, l.m, "--until", c.until, &o.until)) ||
        (c.checkpoint && duration_arg(&c, l.m, "--checkpoint", c.checkpoint, &o.checkpoint)) ||
        (c.origin && origin_arg(&c, &o.origin)) ||
        (idle && tsim_duration_parse(idle, "s", &o.idle_exit_s) != 0 &&
         cli_usage_error("twin", "bad duration '%s' for --idle-exit", idle)) ||
        (every && tsim_duration_parse(every, "s", &every_s) != 0 &&
         cli_usage_error("twin", "bad duration '%s' for --every", every)) ||
        (reps && cli_parse_long("twin", "--replications", reps, 1, 100000, &n))) {
        unload(&l);
        return CLI_EXIT_USAGE;
    }
    tsim_mapping_set_forecasts(l.map, every ? every_s : -1, reps ? (int)n : 0);
    if (replay) {
        rc = tsim_twin_replay(l.m, l.map, replay, (uint64_t)fc_n, stdout);
        if (rc) fprintf(stderr, "twinsim: twin: %s\n", cli_errmsg());
        unload(&l);
        return rc ? CLI_EXIT_MODEL : CLI_EXIT_OK;
    }
    if (fsync_flag && !db) {
        unload(&l);
        return cli_usage_error("twin", "--fsync needs --db");
    }
    struct printer pr = {"twin", c.verbose, 0, PTHREAD_MUTEX_INITIALIZER};
    o.has_origin = c.origin != NULL;
    o.state_out = l.state_out;
    o.sync_full = fsync_flag;
    o.model_id = l.model_id;
    o.mapping_id = l.mapping_id;
    o.stop = &stop_flag;
    o.log = print_log;
    o.log_ctx = &pr;
    stop_flag = 0;
#ifdef TSIM_HAVE_HTTP
    struct tsim_web *web = NULL;
    if (serve) {
        char *token = NULL;
        if (token_file) {
            size_t len;
            token = cli_read_file(token_file, 4096, &len);
            if (!token) {
                unload(&l);
                return cli_error("twin", "cannot read the token file: %s", cli_errmsg());
            }
            token[strcspn(token, "\r\n")] = '\0';
        }
        wo.db = results ? results : "twinsim.db";
        wo.address = addr;
        wo.token = token;
        rc = tsim_web_start(&wo, &web);
        free(token);
        if (rc != 0) {
            unload(&l);
            return cli_error("twin", "%s", cli_errmsg());
        }
        if (!tsim_web_is_loopback(web))
            fprintf(stderr, "twinsim twin: warning: listening on '%s', not loopback: anyone who "
                            "can reach it sees the twin, and the token travels in clear text\n",
                    addr);
        int v6 = strchr(addr, ':') != NULL;
        printf("twinsim twin: http://%s%s%s:%u/ (live page at /#/twin, API at /api/twin, "
               "database '%s')\n",
               v6 ? "[" : "", addr, v6 ? "]" : "", tsim_web_port(web), wo.db);
        printf("token: %s\n", tsim_web_token(web));
        fflush(stdout);
        tsim_web_live_model(web, l.m);
        o.live = live_to_web;
        o.live_ctx = web;
    }
#endif
    install_handlers();
    rc = tsim_twin_run(l.m, l.map, &o);
#ifdef TSIM_HAVE_HTTP
    tsim_web_stop(web);
#endif
    unload(&l);
    return rc ? CLI_EXIT_MODEL : CLI_EXIT_OK;
}

int cmd_emulate(int argc, char **argv)
{
    struct common c;
    memset(&c, 0, sizeof c);
    c.cmd = "emulate";
    tsim_mqtt_opts_init(&c.mqtt);
    c.mqtt.client_id = "twinsim-emulate";
    const char *speed = NULL, *batch = NULL, *conn_timeout = NULL;
    for (int i = 1; i < argc; i++) {
        const char *v;
        int m;
        if (cli_is_help(argv[i])) {
            fputs(emulate_help, stdout);
            return CLI_EXIT_OK;
        }
        if ((m = common_option(argc, argv, &i, &c)) != 0) {
            if (m != 1) return m;
            continue;
        }
        if ((m = cli_option(argc, argv, &i, "emulate", "--speed", &v)) != 0) {
            if (m != 1) return m;
            speed = v;
            continue;
        }
        if ((m = cli_option(argc, argv, &i, "emulate", "--batch", &v)) != 0) {
            if (m != 1) return m;
            batch = v;
            continue;
        }
        if ((m = cli_option(argc, argv, &i, "emulate", "--connect-timeout", &v)) != 0) {
            if (m != 1) return m;
            conn_timeout = v;
            continue;
        }
        if (argv[i][0] == '-' && argv[i][1])
            return cli_usage_error("emulate", "unknown option '%s'", argv[i]);
        if (c.model) return cli_usage_error("emulate", "more than one model ('%s')", argv[i]);
        c.model = argv[i];
    }
    if (!c.model) return cli_usage_error("emulate", "no model given");
    struct tsim_emulate_opts o;
    memset(&o, 0, sizeof o);
    o.mqtt = c.mqtt;
    o.speed = 60;
    o.batch = 1;
    o.verbose = c.verbose;
    long nb;
    if (batch) {
        if (cli_parse_long("emulate", "--batch", batch, 1, 100000, &nb)) return CLI_EXIT_USAGE;
        o.batch = (int)nb;
    }
    if (speed) {
        char *end;
        o.speed = strtod(speed, &end);
        if (!*speed || *end || !(o.speed >= 0) || o.speed > 1e9)
            return cli_usage_error("emulate", "bad speed '%s' (simulated seconds per second)",
                                   speed);
    }
    if (conn_timeout && (tsim_duration_parse(conn_timeout, "s", &o.connect_timeout_s) != 0 ||
                         !(o.connect_timeout_s > 0) || o.connect_timeout_s > 86400))
        return cli_usage_error("emulate", "bad duration '%s' for --connect-timeout", conn_timeout);
    struct loaded l;
    int rc = load_all(&c, &l);
    if (rc) return rc;
    o.seed = c.has_seed ? c.seed : l.run.seed;
    double per_h = tsim_unit_factor("h", tsim_model_time_unit(l.m));
    o.until = l.run.horizon > 0 ? l.run.horizon : 8 * per_h;
    if ((c.until && duration_arg(&c, l.m, "--until", c.until, &o.until)) ||
        (c.checkpoint && duration_arg(&c, l.m, "--checkpoint", c.checkpoint, &o.checkpoint)) ||
        (c.origin && origin_arg(&c, &o.origin))) {
        unload(&l);
        return CLI_EXIT_USAGE;
    }
    struct printer pr = {"emulate", c.verbose, 0, PTHREAD_MUTEX_INITIALIZER};
    o.has_origin = c.origin != NULL;
    o.state_out = l.state_out;
    o.stop = &stop_flag;
    o.log = print_log;
    o.log_ctx = &pr;
    stop_flag = 0;
    install_handlers();
    rc = tsim_emulate_run(l.m, l.map, &o);
    unload(&l);
    return rc ? CLI_EXIT_MODEL : CLI_EXIT_OK;
}

#else

int cmd_twin(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_error("twin", "this build has no MQTT support (install libmosquitto-dev and "
                             "libcjson-dev, then rebuild)");
}

int cmd_emulate(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_error("emulate", "this build has no MQTT support (install libmosquitto-dev and "
                                "libcjson-dev, then rebuild)");
}

#endif
