/* cli_limits.c - the store-wide limits (bits_manager_set_limit): "limits"
 * shows them, "setlimit NAME VALUE" changes one; they persist in the store. */
#include "cli.h"

#include <string.h>
#include <strings.h>

static const struct {
    const char *name;
    uint32_t which;
} limits[] = {
    { "jobs", BITS_LIMIT_JOBS },
    { "files_per_job", BITS_LIMIT_FILES_PER_JOB },
    { "ranges_per_file", BITS_LIMIT_RANGES_PER_FILE },
    { "max_bandwidth", BITS_LIMIT_MAX_BANDWIDTH },
    { "time_slice_ms", BITS_LIMIT_TIME_SLICE_MS },
    { "stall_timeout", BITS_LIMIT_STALL_TIMEOUT },
};
#define LIMIT_COUNT (sizeof limits / sizeof limits[0])

int cli_cmd_limits(cli *c, int argc, char **argv)
{
    (void)argc, (void)argv;
    if (c->json)
        fputs("{", stdout);
    for (size_t i = 0; i < LIMIT_COUNT; i++) {
        uint32_t v;
        bits_hresult hr = bits_manager_get_limit(c->mgr, limits[i].which, &v);
        if (bits_failed(hr))
            return cli_fail(limits[i].name, hr);
        if (c->json)
            printf("%s\"%s\": %u", i ? ", " : "", limits[i].name, v);
        else
            printf("%-16s %u\n", limits[i].name, v);
    }
    if (c->json)
        fputs("}\n", stdout);
    return EXIT_OK;
}

int cli_cmd_setlimit(cli *c, int argc, char **argv)
{
    (void)argc;
    uint64_t v;
    if (cli_parse_size(argv[1], UINT32_MAX, 0, &v) != 0) /* max_bandwidth 5M */
        return cli_usage_error(c, "'%s' is not a number", argv[1]);
    for (size_t i = 0; i < LIMIT_COUNT; i++) {
        if (strcasecmp(argv[0], limits[i].name) == 0)
            return cli_report(c, "setlimit",
                              bits_manager_set_limit(c->mgr, limits[i].which, (uint32_t)v));
    }
    return cli_usage_error(c, "unknown limit '%s' (openbits limits lists them)", argv[0]);
}
