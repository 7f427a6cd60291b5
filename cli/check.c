/*
 * `twinsim check`: load model files and report every diagnostic, as a compiler does, without
 * running anything. A file that loads is also validated as a whole (routes, probabilities, ...),
 * since that is what tsim_sim_create would refuse, and then looked at for what its runs would do
 * (model/lint.h): a run without a horizon that never ends, loops in which no time passes,
 * machines fed faster than they can work. Those are warnings: the model is valid.
 */
#include "cli.h"

#include "twinsim.h"
#include "twinsim_drivers.h"

#include <stdio.h>
#include <string.h>

static const char help[] =
    "usage: twinsim check MODEL... [--quiet]\n"
    "\n"
    "Validate each MODEL file and print every problem as FILE:LINE:COL: error: MESSAGE on\n"
    "standard error, and warn (FILE:LINE:COL: warning: MESSAGE) where a run of a valid model\n"
    "would never end, loop at one instant, or pile up work in process without bound.\n"
    "Prints 'FILE: ok' for each valid file unless --quiet.\n"
    "\n"
    "exit codes: 0 every file is valid, 1 some file has errors, 2 usage errors\n";

static int check_one(const char *path, int quiet)
{
    struct tsim_diags diags;
    struct tsim_run_spec spec;
    tsim_diags_init(&diags);
    struct tsim_model *m = tsim_model_load_file(path, &spec, &diags);
    tsim_diags_print(&diags, path, stderr);
    size_t warnings = diags.n - diags.errors;
    tsim_diags_release(&diags);
    if (!m) return CLI_EXIT_MODEL;
    int rc = CLI_EXIT_OK;
    if (tsim_model_validate(m) != 0) {
        fprintf(stderr, "%s: error: %s\n", path, cli_errmsg());
        rc = CLI_EXIT_MODEL;
    } else {
        tsim_diags_init(&diags);
        tsim_model_lint(m, spec.horizon, &diags);
        tsim_diags_print(&diags, path, stderr);
        warnings += diags.n;
        tsim_diags_release(&diags);
    }
    if (rc == CLI_EXIT_OK && !quiet) {
        int blocks = tsim_model_block_count(m), products = tsim_model_product_count(m);
        int pools = tsim_model_pool_count(m);
        printf("%s: ok: model '%s', %d block%s, %d product%s, %d operator pool%s", path,
               tsim_model_name(m), blocks, blocks == 1 ? "" : "s", products,
               products == 1 ? "" : "s", pools, pools == 1 ? "" : "s");
        if (warnings) printf(", %zu warning%s", warnings, warnings == 1 ? "" : "s");
        putchar('\n');
    }
    tsim_model_destroy(m);
    return rc;
}

int cmd_check(int argc, char **argv)
{
    int quiet = 0, files = 0;
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            fputs(help, stdout);
            return CLI_EXIT_OK;
        }
        if (strcmp(argv[i], "--quiet") == 0 || strcmp(argv[i], "-q") == 0)
            quiet = 1;
        else if (argv[i][0] == '-' && argv[i][1] != '\0')
            return cli_usage_error("check", "unknown option '%s'", argv[i]);
        else
            files++;
    }
    if (files == 0) return cli_usage_error("check", "no model file given");
    int rc = CLI_EXIT_OK;
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '-' && argv[i][1] != '\0') continue;
        if (check_one(argv[i], quiet) != CLI_EXIT_OK) rc = CLI_EXIT_MODEL;
    }
    return rc;
}
