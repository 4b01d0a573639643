/*
 * cli_transfer.c - `openbits transfer`: read the URLs and where they go
 * (arguments, -o, -d, -i FILE), check them all before touching the store,
 * create the job (or find the one -c continues), set its fail-fast
 * properties, add the files, resume it and stay with it (cli_wait.c).
 */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Interactive defaults: fail fast on a terminal (docs/openbits.1). */
#define TTY_RETRIES 3
#define TTY_RETRY_DELAY 5
#define TTY_NO_PROGRESS 60

typedef struct entry {
    const char *url;   /* borrowed (argv) or owned (from -i: in owned) */
    const char *dest;  /* as given, or NULL */
    const char *dir;   /* -i's dir=, or NULL */
    char *local;       /* the resolved absolute destination */
    char *owned[3];    /* strings read from -i */
} entry;

typedef struct entries {
    entry *v;
    size_t n, size;
} entries;

static entry *add_entry(entries *e)
{
    if (e->n == e->size) {
        size_t size = e->size ? 2 * e->size : 8;
        entry *grown = realloc(e->v, size * sizeof *grown);
        if (!grown)
            return NULL;
        e->v = grown;
        e->size = size;
    }
    entry *x = &e->v[e->n++];
    memset(x, 0, sizeof *x);
    return x;
}

static void free_entries(entries *e)
{
    for (size_t i = 0; i < e->n; i++) {
        free(e->v[i].local);
        for (int k = 0; k < 3; k++)
            free(e->v[i].owned[k]);
    }
    free(e->v);
}

/* Positional arguments: each URL, followed by its DEST unless the next
 * argument is itself a URL (scheme://). */
static int read_arguments(cli *c, int argc, char **argv, entries *e)
{
    for (int i = 0; i < argc; i++) {
        entry *x = add_entry(e);
        if (!x)
            return cli_fail("transfer", BITS_E_OUTOFMEMORY);
        x->url = argv[i];
        if (!*argv[i])
            return cli_usage_error(c, "an empty argument is not a URL");
        if (i + 1 < argc && !cli_looks_like_url(argv[i + 1])) {
            x->dest = argv[++i];
            if (!*x->dest)
                return cli_usage_error(c, "an empty DEST names no file");
        }
    }
    return EXIT_OK;
}

/* -i FILE, aria2c's input file: a URL per line; lines that start with
 * white space set the previous URL's "dir=DIR" and "out=NAME"; blank lines
 * and lines starting with # are skipped. */
static int read_input_file(cli *c, const char *path, entries *e)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    if (!f)
        return cli_usage_error(c, "-i %s: %s", path, strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    int rc = EXIT_OK;
    entry *last = NULL;
    for (unsigned lineno = 1; rc == EXIT_OK && getline(&line, &cap, f) >= 0; lineno++) {
        line[strcspn(line, "\r\n")] = '\0';
        char *p = line + strspn(line, " \t");
        if (!*p || *p == '#')
            continue;
        if (p == line) { /* a URL */
            if (strchr(p, '\t') || strchr(p, ' ')) {
                rc = cli_usage_error(c, "%s:%u: one URL a line (aria2c's mirrors, several URLs "
                                        "on a line, are not supported)",
                                     path, lineno);
                break;
            }
            last = add_entry(e);
            if (!last || !(last->owned[0] = strdup(p))) {
                rc = cli_fail("transfer", BITS_E_OUTOFMEMORY);
                break;
            }
            last->url = last->owned[0];
            continue;
        }
        char *eq = strchr(p, '=');
        size_t key = eq ? (size_t)(eq - p) : strlen(p);
        int slot = eq && key == 3 && strncmp(p, "dir", 3) == 0   ? 1
                   : eq && key == 3 && strncmp(p, "out", 3) == 0 ? 2
                                                                  : 0;
        if (!last)
            rc = cli_usage_error(c, "%s:%u: an option line before any URL", path, lineno);
        else if (!slot)
            rc = cli_usage_error(c, "%s:%u: option '%.*s' is not supported (dir= and out= are)",
                                 path, lineno, (int)key, p);
        else if (!eq[1])
            rc = cli_usage_error(c, "%s:%u: %.*s= needs a value", path, lineno, (int)key, p);
        else if (!(last->owned[slot] = (free(last->owned[slot]), strdup(eq + 1))))
            rc = cli_fail("transfer", BITS_E_OUTOFMEMORY);
        else if (slot == 1)
            last->dir = last->owned[1];
        else
            last->dest = last->owned[2];
    }
    free(line);
    if (f != stdin)
        fclose(f);
    return rc;
}

/* Checks every URL and resolves every destination; the first problem is
 * a usage error that names the argument. */
static int resolve(cli *c, entries *e)
{
    if (c->o.output && e->n != 1)
        return cli_usage_error(c, "-o names one file, and %zu URLs were given (a DEST after "
                                  "each URL, or -d DIR, places several)",
                               e->n);
    for (size_t i = 0; i < e->n; i++) {
        entry *x = &e->v[i];
        char why[600], *shown = cli_url(x->url), *name = NULL;
        int rc = EXIT_OK;
        if (c->o.output && x->dest)
            rc = cli_usage_error(c, "both -o %s and DEST %s: give one", c->o.output, x->dest);
        const char *dest = c->o.output ? c->o.output : x->dest;
        const char *dir = x->dir ? x->dir : c->o.dir;
        int needs_name = !dest || dest[strlen(dest) - 1] == '/' || cli_is_directory(dest);
        if (rc == EXIT_OK && cli_check_source(x->url, why, sizeof why) != 0)
            rc = cli_usage_error(c, "%s: %s", shown ? shown : "?", why);
        else if (rc == EXIT_OK && needs_name &&
                 !(name = cli_source_file_name(x->url, why, sizeof why)))
            rc = cli_usage_error(c, "%s %s", shown ? shown : "?", why);
        else if (rc == EXIT_OK && dir && !dest && !cli_is_directory(dir))
            rc = cli_usage_error(c, "-d %s: %s", dir,
                                 access(dir, F_OK) == 0 ? "not a directory" : strerror(ENOENT));
        else if (rc == EXIT_OK && !(x->local = cli_resolve_dest(dest, dir, name, why, sizeof why)))
            rc = cli_usage_error(c, "%s: %s", dest ? dest : name, why);
        free(shown);
        free(name);
        if (rc != EXIT_OK)
            return rc;
        for (size_t k = 0; k < i; k++) {
            if (strcmp(e->v[k].local, x->local) == 0)
                return cli_usage_error(c, "two URLs would be saved as %s", x->local);
        }
    }
    return EXIT_OK;
}

/* Adds the files with one bits_job_add_file_set (one store write for
 * all: a call per file cost a transaction each, bench M2). The set is all
 * or nothing; when it is refused, the file to blame is found by adding
 * them one at a time (the job is cancelled anyway). */
static int add_files(bits_job *job, const entries *e)
{
    bits_file_info *infos = calloc(e->n, sizeof *infos);
    if (!infos)
        return cli_fail("addfile", BITS_E_OUTOFMEMORY);
    for (size_t i = 0; i < e->n; i++) {
        infos[i].remote_name = e->v[i].url;
        infos[i].local_name = e->v[i].local;
    }
    bits_hresult hr = e->n > UINT32_MAX ? BG_E_TOO_MANY_FILES_IN_JOB
                                        : bits_job_add_file_set(job, (uint32_t)e->n, infos);
    if (bits_failed(hr) && hr != BG_E_TOO_MANY_FILES_IN_JOB) {
        hr = BITS_S_OK; /* unless one alone fails too */
        for (size_t i = 0; i < e->n && !bits_failed(hr); i++) {
            hr = bits_job_add_file(job, infos[i].remote_name, infos[i].local_name);
            if (bits_failed(hr)) {
                char *shown = cli_url(e->v[i].url);
                fprintf(stderr, "openbits: %s -> %s\n", shown ? shown : "?", e->v[i].local);
                free(shown);
            }
        }
    }
    free(infos);
    return bits_failed(hr) ? cli_fail("addfile", hr) : EXIT_OK;
}

/* -c: an unfinished job of ours with exactly these files (new reference),
 * or NULL. */
static bits_job *find_same_job(cli *c, const entries *e)
{
    bits_job_enum *je;
    bits_job *job, *found = NULL;
    if (bits_manager_enum_jobs(c->mgr, 0, &je) != BITS_S_OK)
        return NULL;
    while (!found && bits_job_enum_next(je, 1, &job, NULL) == BITS_S_OK) {
        bits_file_enum *fe;
        uint32_t n = 0, state = 0;
        int same = bits_job_get_state(job, &state) == BITS_S_OK &&
                   state != BG_JOB_STATE_ACKNOWLEDGED && state != BG_JOB_STATE_CANCELLED &&
                   bits_job_enum_files(job, &fe) == BITS_S_OK;
        if (same) {
            bits_file_enum_get_count(fe, &n);
            same = n == e->n;
            bits_file *f;
            for (size_t i = 0; same && bits_file_enum_next(fe, 1, &f, NULL) == BITS_S_OK; i++) {
                char *remote = NULL, *local = NULL;
                bits_file_get_remote_name(f, &remote);
                bits_file_get_local_name(f, &local);
                same = remote && local && strcmp(remote, e->v[i].url) == 0 &&
                       strcmp(local, e->v[i].local) == 0;
                bits_free(remote);
                bits_free(local);
                bits_file_release(f);
            }
            bits_file_enum_free(fe);
        }
        if (same)
            found = job;
        else
            bits_job_release(job);
    }
    bits_job_enum_free(je);
    return found;
}

/* The job's properties from the options (each only when given, or when
 * the terminal's fail-fast defaults apply). */
static int set_properties(cli *c, bits_job *job)
{
    const cli_opts *o = &c->o;
    bits_hresult hr = BITS_S_OK;
    const char *what = NULL;
    if (o->priority >= 0 && bits_failed(hr = bits_job_set_priority(job, (uint32_t)o->priority)))
        what = "--priority";
    else if (o->max_bandwidth && bits_failed(hr = bits_job_set_max_bandwidth(job, o->max_bandwidth)))
        what = "--max-bandwidth";
    else if (o->retry_delay != CLI_UNSET &&
             bits_failed(hr = bits_job_set_minimum_retry_delay(job, o->retry_delay)))
        what = "--retry-delay";
    else if (o->no_progress != CLI_UNSET &&
             bits_failed(hr = bits_job_set_no_progress_timeout(job, o->no_progress)))
        what = "--no-progress-timeout";
    else if (o->files_in_flight &&
             bits_failed(hr = bits_job_set_files_in_flight(job, o->files_in_flight)))
        what = "--files-in-flight";
    return what ? cli_fail(what, hr) : EXIT_OK;
}

int cli_transfer_main(cli *c, int argc, char **argv)
{
    entries e = { 0 };
    int rc = read_arguments(c, argc, argv, &e);
    if (rc == EXIT_OK && c->o.input_file)
        rc = read_input_file(c, c->o.input_file, &e);
    if (rc == EXIT_OK && e.n == 0)
        rc = cli_usage_error(c, "no URL given");
    if (rc == EXIT_OK)
        rc = resolve(c, &e);
    if (rc != EXIT_OK) {
        free_entries(&e);
        return rc;
    }
    /* Fail fast on a terminal: somebody is waiting for an answer. */
    cli_opts *o = &c->o;
    if (isatty(STDERR_FILENO)) {
        if (o->retries == CLI_UNSET)
            o->retries = TTY_RETRIES;
        if (o->retry_delay == CLI_UNSET)
            o->retry_delay = TTY_RETRY_DELAY;
        if (o->no_progress == CLI_UNSET)
            o->no_progress = TTY_NO_PROGRESS;
    }
    if ((rc = cli_wait_prepare(c)) != EXIT_OK || (rc = cli_open(c)) != EXIT_OK) {
        free_entries(&e);
        return rc;
    }
    bits_job *job = o->continue_job ? find_same_job(c, &e) : NULL;
    int continued = job != NULL;
    bits_hresult hr;
    if (job) {
        if (!c->quiet && !c->json) {
            bits_guid id;
            char *text = NULL;
            bits_job_get_id(job, &id);
            bits_guid_to_string(&id, &text);
            fprintf(stderr, "openbits: continuing job %s\n", text ? text : "?");
            bits_free(text);
        }
        rc = set_properties(c, job);
    } else {
        bits_guid id;
        hr = bits_manager_create_job(c->mgr, o->name ? o->name : "openbits transfer",
                                     BG_JOB_TYPE_DOWNLOAD, &id, &job);
        if (bits_failed(hr)) {
            free_entries(&e);
            return cli_fail("create", hr);
        }
        rc = set_properties(c, job);
        if (rc == EXIT_OK)
            rc = add_files(job, &e);
    }
    if (rc == EXIT_OK && bits_failed(hr = bits_job_resume(job)))
        rc = cli_fail("resume", hr);
    free_entries(&e);
    if (rc != EXIT_OK) {
        if (!continued)
            bits_job_cancel(job);
        bits_job_release(job);
        return rc;
    }
    cli_wait_opts w = { o->retries, o->timeout, !o->keep, 1 };
    rc = cli_wait_job(c, job, &w);
    bits_job_release(job);
    return rc;
}
