/*
 * Misuse of the C API: every mistake gets an error code and a message naming the function and
 * the problem, or (programmer errors such as scheduling in the past) an abort with such a
 * message. Also the live-state calls the twin relies on.
 */
#include "check.h"
#include "twinsim.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static struct tsim_dist constant(double x)
{
    struct tsim_dist d;
    tsim_dist_init(&d, TSIM_DIST_CONSTANT, &x, 1);
    return d;
}

static struct tsim_dist expo(double mean)
{
    struct tsim_dist d;
    tsim_dist_init(&d, TSIM_DIST_EXPONENTIAL, &mean, 1);
    return d;
}

/* source -> buffer -> machine -> sink */
static struct tsim_model *line(void)
{
    struct tsim_model *m = tsim_model_create("line");
    int s = tsim_model_add_block(m, TSIM_SOURCE, "src");
    int q = tsim_model_add_block(m, TSIM_BUFFER, "q");
    int k = tsim_model_add_block(m, TSIM_MACHINE, "mc");
    int o = tsim_model_add_block(m, TSIM_SINK, "out");
    struct tsim_dist a = expo(1.0), p = expo(0.5);
    tsim_source_set_interarrival(m, s, &a);
    tsim_machine_set_process(m, k, -1, &p);
    tsim_route_to(m, s, q);
    tsim_route_to(m, q, k);
    tsim_route_to(m, k, o);
    return m;
}

static void test_error_texts(void)
{
    CHECK_STR(tsim_strerror(TSIM_OK), "success");
    CHECK_STR(tsim_strerror(TSIM_EINVAL), "invalid argument");
    CHECK_STR(tsim_strerror(TSIM_EMODEL), "the model has errors");
    CHECK_STR(tsim_strerror(-999), "unknown error");
}

static void test_setter_errors(void)
{
    struct tsim_model *m = line();
    int q = tsim_model_find_block(m, "q"), k = tsim_model_find_block(m, "mc");
    struct tsim_dist d = constant(1);
    CHECK(tsim_buffer_set_capacity(NULL, q, 5) == TSIM_EINVAL);
    CHECK_STR(tsim_errmsg(), "tsim_buffer_set_capacity: NULL model");
    CHECK(tsim_machine_set_servers(m, q, 2) == TSIM_EINVAL);
    CHECK_STR(tsim_errmsg(), "tsim_machine_set_servers: buffer 'q' has no parameter 'servers'");
    CHECK(tsim_machine_set_servers(m, k, 0) == TSIM_ERANGE);
    CHECK_STR(tsim_errmsg(), "tsim_machine_set_servers: servers of 'mc' must be in 1..100000");
    /* A negative capacity passed through the unsigned parameter is out of range, not huge. */
    CHECK(tsim_buffer_set_capacity(m, q, (uint64_t)-1) == TSIM_ERANGE);
    CHECK(tsim_machine_set_scrap(m, k, 1.0) == TSIM_ERANGE);
    CHECK(tsim_machine_set_scrap(m, k, -0.1) == TSIM_ERANGE);
    CHECK(tsim_model_add_block(m, TSIM_BUFFER, "q") == TSIM_EEXIST);
    CHECK_STR(tsim_errmsg(), "tsim_model_add_block: duplicate block name 'q'");
    CHECK(tsim_model_add_block(m, TSIM_BUFFER, "") == TSIM_EINVAL);
    CHECK(tsim_route_to(m, k, 99) == TSIM_ENOENT);
    CHECK_STR(tsim_errmsg(), "tsim_route_to: route from 'mc' to no block 99");
    CHECK(tsim_route_to(m, k, tsim_model_find_block(m, "src")) == TSIM_EINVAL);
    CHECK(tsim_route_to(m, tsim_model_find_block(m, "out"), q) == TSIM_EINVAL);
    struct tsim_dist neg = constant(-1);
    CHECK(tsim_machine_set_process(m, k, -1, &neg) == TSIM_ERANGE);
    CHECK_STR(tsim_errmsg(), "tsim_machine_set_process: 'process' of 'mc' is negative");
    CHECK(tsim_machine_set_process(m, k, 7, &d) == TSIM_ENOENT);
    CHECK(tsim_model_set_time_unit(m, "week") == TSIM_EINVAL);
    CHECK(tsim_model_set_resolution(m, 0) == TSIM_ERANGE);
    CHECK(tsim_model_add_shift(m, "s", (double[]){8, 6}, 1) == TSIM_ERANGE);
    CHECK(tsim_model_add_operators(m, "crew", 0, -1) == TSIM_ERANGE);
    /* The model is still whole after all those refusals. */
    CHECK(tsim_model_validate(m) == 0);
    tsim_model_destroy(m);
}

static void test_validate_errors(void)
{
    struct tsim_model *m = line();
    int q = tsim_model_find_block(m, "q"), k = tsim_model_find_block(m, "mc");
    int o = tsim_model_find_block(m, "out");
    /* probabilities that do not sum to 1 */
    tsim_route_add_probability(m, k, o, 0.5);
    tsim_route_add_probability(m, k, q, 0.4);
    CHECK(tsim_model_validate(m) == TSIM_EMODEL);
    CHECK_STR(tsim_errmsg(), "tsim_model_validate: probabilities of the routes from 'mc' sum to 0.9, not 1");
    CHECK(tsim_sim_create(m, 1, 0) == NULL);
    tsim_route_to(m, k, o);
    CHECK(tsim_model_validate(m) == 0);
    /* a block with no way out */
    int extra = tsim_model_add_block(m, TSIM_BUFFER, "dead_end");
    CHECK(extra >= 0);
    CHECK(tsim_model_validate(m) == TSIM_EMODEL);
    CHECK_STR(tsim_errmsg(), "tsim_model_validate: block 'dead_end' has no way out");
    tsim_model_destroy(m);

    struct tsim_model *e = tsim_model_create("empty");
    CHECK(tsim_model_validate(e) == TSIM_EMODEL);
    CHECK_STR(tsim_errmsg(), "tsim_model_validate: model 'empty' has no blocks");
    tsim_model_destroy(e);
}

static void schedule_in_past(struct tsim_sim *sim, void *arg)
{
    (void)arg;
    tsim_event_schedule(sim, schedule_in_past, NULL, tsim_sim_now(sim) - 1, 0);
}

/* Run `fn` in a child; return 1 if it aborted and its stderr holds `needle`. */
static int aborts_with(void (*fn)(void), const char *needle)
{
    int fds[2];
    if (pipe(fds) != 0) return 0;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 2);
        close(fds[0]);
        fn();
        _exit(0);
    }
    close(fds[1]);
    char buf[1024] = {0};
    size_t n = 0;
    ssize_t r;
    while (n < sizeof buf - 1 && (r = read(fds[0], buf + n, sizeof buf - 1 - n)) > 0) n += (size_t)r;
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT && strstr(buf, needle) != NULL;
}

static void past_child(void)
{
    struct tsim_model *m = line();
    struct tsim_sim *sim = tsim_sim_create(m, 1, 0);
    tsim_event_schedule(sim, schedule_in_past, NULL, 5, 0);
    tsim_sim_run_until(sim, 10);
}

static void run_backwards_child(void)
{
    struct tsim_model *m = line();
    struct tsim_sim *sim = tsim_sim_create(m, 1, 0);
    tsim_sim_run_until(sim, 10);
    tsim_sim_run_until(sim, 5);
}

static void null_model_child(void) { tsim_sim_create(NULL, 1, 0); }

static void test_programmer_errors_abort(void)
{
    CHECK(aborts_with(past_child, "tsim_event_schedule: time 4 is earlier than now (5)"));
    CHECK(aborts_with(run_backwards_child, "tsim_sim_run_until: time 5 is earlier than now (10)"));
    CHECK(aborts_with(null_model_child, "tsim_sim_create: NULL model"));
}

static void test_warmup_in_past(void)
{
    struct tsim_model *m = line();
    struct tsim_sim *sim = tsim_sim_create(m, 1, 0);
    tsim_sim_run_until(sim, 10);
    CHECK(tsim_sim_set_warmup(sim, 5) == TSIM_ESTATE);
    CHECK(strstr(tsim_errmsg(), "tsim_sim_set_warmup: warm-up 5 is already past") != NULL);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* The live-state calls: inject, remove, force down, state, orders. */
static void test_live_state(void)
{
    struct tsim_model *m = line();
    int q = tsim_model_find_block(m, "q"), k = tsim_model_find_block(m, "mc");
    struct tsim_sim *sim = tsim_sim_create(m, 3, 0);
    CHECK(tsim_machine_force_down(sim, k, 0, 1) == 0);
    CHECK(tsim_machine_state(sim, k, 0) == TSIM_STATE_DOWN);
    CHECK(tsim_block_inject(sim, q, 0, 7) == 7);
    CHECK(tsim_block_content(sim, q) == 7);
    CHECK(tsim_block_remove(sim, q, 2) == 2);
    CHECK(tsim_block_content(sim, q) == 5);
    CHECK(tsim_block_inject(sim, tsim_model_find_block(m, "src"), 0, 1) == TSIM_EINVAL);
    CHECK(tsim_block_remove(sim, k, 1) == TSIM_EINVAL);
    CHECK(tsim_machine_force_down(sim, q, 0, 1) == TSIM_EINVAL);
    CHECK(tsim_machine_force_down(sim, k, 3, 1) == TSIM_ERANGE);
    int64_t order = tsim_block_inject_order(sim, q, 0, 100);
    CHECK(order > 0);
    CHECK(tsim_sim_completion_time(sim, (uint64_t)order) == -1);
    /* Nothing moves while the machine is down: the queue keeps all six. */
    tsim_sim_run_until(sim, 3);
    CHECK(tsim_machine_state(sim, k, 0) == TSIM_STATE_DOWN);
    CHECK(tsim_block_content(sim, q) >= 6);
    CHECK(tsim_machine_force_down(sim, k, 0, 0) == 0);
    CHECK(tsim_machine_state(sim, k, 0) == TSIM_STATE_BUSY);
    tsim_sim_run_until(sim, 200);
    double done = tsim_sim_completion_time(sim, (uint64_t)order);
    CHECK(done > 3 && done < 200);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* A clone runs on exactly as the original; reseeding it changes its future only. */
static void test_clone_and_reseed(void)
{
    struct tsim_model *m = line();
    struct tsim_sim *a = tsim_sim_create(m, 11, 2);
    tsim_sim_run_until(a, 50);
    struct tsim_sim *b = tsim_sim_clone(a);
    tsim_sim_run_until(a, 500);
    tsim_sim_run_until(b, 500);
    struct tsim_result ra, rb;
    tsim_result_init(&ra);
    tsim_result_init(&rb);
    tsim_sim_result(a, &ra);
    tsim_sim_result(b, &rb);
    CHECK(ra.fingerprint == rb.fingerprint);
    CHECK(ra.n == rb.n);
    struct tsim_sim *c = tsim_sim_create(m, 11, 2);
    tsim_sim_run_until(c, 50);
    tsim_sim_reseed(c, 12, 0);
    tsim_sim_run_until(c, 500);
    struct tsim_result rc;
    tsim_result_init(&rc);
    tsim_sim_result(c, &rc);
    CHECK(rc.fingerprint != ra.fingerprint);
    tsim_result_release(&ra);
    tsim_result_release(&rb);
    tsim_result_release(&rc);
    tsim_sim_destroy(a);
    tsim_sim_destroy(b);
    tsim_sim_destroy(c);
    tsim_model_destroy(m);
}

/* Resetting a sim for each replication gives the same results as fresh sims, in flat memory. */
static void test_reset_reuses_the_sim(void)
{
    struct tsim_model *m = line();
    struct tsim_sim *s = tsim_sim_create(m, 5, 0);
    size_t mem = 0;
    for (int rep = 0; rep < 200; rep++) {
        tsim_sim_reset(s, 5, (uint64_t)rep);
        tsim_sim_run_until(s, 100);
        struct tsim_sim *fresh = tsim_sim_create(m, 5, (uint64_t)rep);
        tsim_sim_run_until(fresh, 100);
        CHECK(tsim_sim_fingerprint(s) == tsim_sim_fingerprint(fresh));
        tsim_sim_destroy(fresh);
        if (rep == 20) mem = tsim_sim_memory(s);
        if (rep > 20) CHECK(tsim_sim_memory(s) <= mem * 2);
    }
    tsim_sim_destroy(s);
    tsim_model_destroy(m);
}

/* The plant lifts a breakdown whose repair waits for an off-shift crew: the waiting request is
 * withdrawn, so the next failure can ask again (a queue that kept it would overflow). */
static void test_force_up_withdraws_crew_request(void)
{
    struct tsim_model *m = tsim_model_create("crew");
    double day[2] = {6, 14};
    int sh = tsim_model_add_shift(m, "day", day, 1);
    int crew = tsim_model_add_operators(m, "crew", 1, sh);
    int s = tsim_model_add_block(m, TSIM_SOURCE, "s");
    int q = tsim_model_add_block(m, TSIM_BUFFER, "q");
    int k = tsim_model_add_block(m, TSIM_MACHINE, "k");
    int o = tsim_model_add_block(m, TSIM_SINK, "o");
    struct tsim_dist one = constant(1), half = constant(0.5), between = constant(30),
                     repair = constant(5);
    tsim_source_set_interarrival(m, s, &one);
    tsim_machine_set_process(m, k, -1, &half);
    tsim_machine_set_failures(m, k, &between, &repair);
    CHECK(tsim_machine_set_needs(m, k, crew, 1, TSIM_NEED_REPAIR) == 0);
    tsim_route_to(m, s, q);
    tsim_route_to(m, q, k);
    tsim_route_to(m, k, o);
    struct tsim_sim *sim = tsim_sim_create(m, 1, 0);
    int lifted = 0;
    for (int t = 1; t < 360; t++) { /* the crew starts at 06:00 = minute 360 */
        tsim_sim_run_until(sim, t);
        if (tsim_machine_state(sim, k, 0) == TSIM_STATE_DOWN) {
            CHECK(tsim_machine_force_down(sim, k, 0, 0) == 0);
            CHECK(tsim_machine_state(sim, k, 0) != TSIM_STATE_DOWN);
            lifted++;
        }
    }
    CHECK(lifted >= 10);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* A population exists at time 0 in a source placed before the blocks it feeds: every entity
 * reaches the machine once all blocks are set up (a buffer initialised after the source's
 * entities arrived would lose them). */
static void test_population_before_its_buffer(void)
{
    struct tsim_model *m = tsim_model_create("pop");
    int s = tsim_model_add_block(m, TSIM_SOURCE, "jobs");
    int q = tsim_model_add_block(m, TSIM_BUFFER, "q");
    int k = tsim_model_add_block(m, TSIM_MACHINE, "k");
    int o = tsim_model_add_block(m, TSIM_SINK, "o");
    struct tsim_dist one = constant(1);
    CHECK(tsim_source_set_population(m, s, 50) == 0);
    tsim_machine_set_process(m, k, -1, &one);
    tsim_route_to(m, s, q);
    tsim_route_to(m, q, k);
    tsim_route_to(m, k, o);
    struct tsim_sim *sim = tsim_sim_create(m, 1, 0);
    CHECK(tsim_block_content(sim, q) == 49);
    tsim_sim_run(sim);
    struct tsim_result r;
    tsim_result_init(&r);
    tsim_sim_result(sim, &r);
    CHECK_NEAR(tsim_result_find(&r, TSIM_KPI_SYSTEM, "completed")->value, 50, 0);
    CHECK_NEAR(tsim_sim_now(sim), 50, 1e-9);
    CHECK_NEAR(tsim_result_find(&r, k, "utilization")->value, 1, 1e-12);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

int main(void)
{
    RUN(test_error_texts);
    RUN(test_setter_errors);
    RUN(test_validate_errors);
    RUN(test_programmer_errors_abort);
    RUN(test_warmup_in_past);
    RUN(test_live_state);
    RUN(test_clone_and_reseed);
    RUN(test_reset_reuses_the_sim);
    RUN(test_force_up_withdraws_crew_request);
    RUN(test_population_before_its_buffer);
    return CHECK_DONE();
}
