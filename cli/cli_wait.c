/*
 * cli_wait.c - staying with a job until it ends (transfer, resume --wait):
 * one poll() loop on the manager's event descriptor (events and log lines
 * are dispatched on this thread, BITS_MANAGER_OPEN_EVENT_FD) and a
 * signalfd (Ctrl-C, SIGTERM and SIGHUP suspend the job; SIGWINCH redraws
 * at the new width). It shows the progress (cli_progress.c), the state
 * when the job is not transferring and why, the -v trace, and gives up
 * when transfer's --retries or --timeout say so.
 */
#include "cli.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#define SPEED_WINDOW 5.0 /* seconds the speed is averaged over */
#define SAMPLES 64
#define LIVE_FILES 3     /* more active files than this: one summary line */

typedef struct samples {
    double t[SAMPLES];
    uint64_t b[SAMPLES];
    int head, count;
} samples;

typedef struct file_track {
    char *name;      /* the local file's base name, sanitized */
    char *url;       /* redacted */
    char *local;
    uint64_t total, done;
    int finished;    /* all bytes are there */
    int reported;    /* its "done" line was printed */
    uint64_t shown;  /* bytes at its last plain line */
    samples s;
} file_track;

typedef struct waiter {
    cli *c;
    bits_job *job;
    bits_guid id;
    char gid[40];
    char *prefix;    /* "{gid} \"name\": " of the log lines about the job */
    cli_display *d;
    double started;
    uint32_t errors_at_start;
    double retry_at; /* when the library said it retries (0: unknown) */
    double te_seen;  /* when the loop saw TRANSIENT_ERROR first (0: not in it) */
    file_track *files;
    int nfiles;
    samples job_s;
    uint32_t status_state; /* plain mode: the state whose line was printed */
    double entered;        /* when the loop saw that state first */
    char *queued;          /* the QUEUED text, asked at most each second */
    double queued_at;
} waiter;

/* Dispatch runs on this thread only, in the loop: the log callback finds
 * the waiter here. */
static waiter *current;
static int sig_fd = -1;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- signals ----------------------------------------------------------------------- */

int cli_wait_prepare(cli *c)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGWINCH);
    /* Blocked before the library starts a thread, so every thread has
     * them blocked and they all reach the signalfd: a Ctrl-C before the
     * job exists is handled once the loop runs (the job is suspended). */
    if (sigprocmask(SIG_BLOCK, &set, NULL) != 0 ||
        (sig_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK)) < 0) {
        fprintf(stderr, "openbits: cannot watch signals: %s\n", strerror(errno));
        return EXIT_FAILED;
    }
    c->open_flags |= BITS_MANAGER_OPEN_EVENT_FD;
    return EXIT_OK;
}

/* ---- the log ------------------------------------------------------------------------- */

static int same_job(bits_job *job)
{
    bits_guid id;
    return current && job && bits_job_get_id(job, &id) == BITS_S_OK &&
           memcmp(&id, &current->id, sizeof id) == 0;
}

/* Runs in bits_manager_dispatch(), on this thread. */
static void on_log(uint32_t level, bits_job *job, const char *message, void *data)
{
    cli *c = data;
    waiter *w = current;
    if (!w || (job && !same_job(job)))
        return; /* another job this process happens to run */
    const char *text = message;
    if (w->prefix && strncmp(text, w->prefix, strlen(w->prefix)) == 0)
        text += strlen(w->prefix);
    const char *retry = level == BITS_LOG_WARNING ? strstr(text, "; retry in ") : NULL;
    long secs;
    if (retry && sscanf(retry, "; retry in %ld s", &secs) == 1)
        w->retry_at = now_s() + (double)secs;
    if (!(c->verbose || c->o.verbose))
        return;
    char *line = NULL;
    /* DEBUG lines are curl -v's ("> GET", "< HTTP/1.1 206", "* ..."); the
     * others say why the job moved. */
    int is_state = level != BITS_LOG_DEBUG && strstr(text, " -> ") &&
                   strspn(text, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_") == strcspn(text, " ");
    if (asprintf(&line, "%s%s", level == BITS_LOG_DEBUG ? "" : is_state ? "* state " : "* ",
                 text) < 0)
        return;
    cli_sanitize(line); /* a server's header never drives the terminal */
    if (cli_display_mode(w->d) == PROGRESS_NONE) {
        fprintf(stderr, "%s\n", line);
    } else {
        cli_display_print(w->d, line);
    }
    free(line);
}

void cli_wait_attach_log(cli *c)
{
    uint32_t level = c->verbose || c->o.verbose ? BITS_LOG_DEBUG : BITS_LOG_WARNING;
    bits_manager_set_log_callback(c->mgr, level, on_log, c);
}

static void on_job_event(const bits_event *ev, void *data)
{
    (void)ev, (void)data; /* dispatching woke the loop: it looks at the job */
}

/* ---- speed ------------------------------------------------------------------------- */

static void sample(samples *s, double t, uint64_t b)
{
    int last = (s->head + SAMPLES - 1) % SAMPLES;
    if (s->count && t - s->t[last] < 0.1) { /* at most ten a second */
        s->b[last] = b;
        return;
    }
    s->t[s->head] = t;
    s->b[s->head] = b;
    s->head = (s->head + 1) % SAMPLES;
    if (s->count < SAMPLES)
        s->count++;
}

/* Bytes per second over the last SPEED_WINDOW seconds. */
static double speed(const samples *s, double now)
{
    if (s->count < 2)
        return 0;
    int last = (s->head + SAMPLES - 1) % SAMPLES, first = last;
    for (int i = 1; i < s->count; i++) {
        int k = (last - i + SAMPLES) % SAMPLES;
        if (now - s->t[k] > SPEED_WINDOW)
            break;
        first = k;
    }
    double dt = now - s->t[first];
    if (first == last || dt <= 0)
        return 0;
    return s->b[last] >= s->b[first] ? (double)(s->b[last] - s->b[first]) / dt : 0;
}

/* ---- the job's files ---------------------------------------------------------------- */

static void free_files(waiter *w)
{
    for (int i = 0; i < w->nfiles; i++) {
        free(w->files[i].name);
        free(w->files[i].url);
        free(w->files[i].local);
    }
    free(w->files);
    w->files = NULL;
    w->nfiles = 0;
}

/* Reads the files' progress (the list once: a job's files only grow). */
static void update_files(waiter *w, double now)
{
    bits_file_enum *fe;
    if (bits_job_enum_files(w->job, &fe) != BITS_S_OK)
        return;
    uint32_t n = 0;
    bits_file_enum_get_count(fe, &n);
    if ((int)n != w->nfiles) {
        file_track *grown = realloc(w->files, n * sizeof *grown);
        if (!grown) {
            bits_file_enum_free(fe);
            return;
        }
        memset(grown + w->nfiles, 0, (n - (uint32_t)w->nfiles) * sizeof *grown);
        w->files = grown;
    }
    bits_file *f;
    for (int i = 0; i < (int)n && bits_file_enum_next(fe, 1, &f, NULL) == BITS_S_OK; i++) {
        file_track *t = &w->files[i];
        if (i >= w->nfiles) {
            char *remote = NULL, *local = NULL;
            bits_file_get_remote_name(f, &remote);
            bits_file_get_local_name(f, &local);
            const char *base = local ? strrchr(local, '/') : NULL;
            t->name = cli_sanitize(strdup(base ? base + 1 : local ? local : "?"));
            t->url = cli_sanitize(cli_url(remote));
            t->local = local ? cli_sanitize(strdup(local)) : NULL;
            bits_free(remote);
            bits_free(local);
        }
        bits_file_progress p = { .struct_size = sizeof p };
        bits_file_get_progress(f, &p);
        t->total = p.bytes_total;
        t->done = p.bytes_transferred;
        t->finished = p.completed ||
                      (p.bytes_total != BG_SIZE_UNKNOWN && p.bytes_transferred >= p.bytes_total &&
                       (p.bytes_total > 0 || t->reported));
        sample(&t->s, now, t->done);
        bits_file_release(f);
    }
    w->nfiles = (int)n;
    bits_file_enum_free(fe);
}

/* ---- lines ------------------------------------------------------------------------- */

/* "NAME" cut to @p cols columns, a '~' marking the cut. */
static void cut_name(const char *name, int cols, char *out, size_t n)
{
    if (cli_text_width(name) <= cols) {
        snprintf(out, n, "%s", name);
        return;
    }
    size_t len = cli_text_fit(name, cols > 1 ? cols - 1 : 0, NULL);
    snprintf(out, n, "%.*s~", (int)len, name);
}

static void fmt_eta(double left, double rate, char *out, size_t n)
{
    if (rate <= 0 || left < 0)
        snprintf(out, n, "ETA --");
    else {
        char d[32];
        cli_format_duration((uint64_t)(left / rate + 0.5), d, sizeof d);
        snprintf(out, n, "ETA %s", d);
    }
}

/* A progress line for @p label with @p done of @p total bytes at @p rate,
 * fitted to @p width columns: the bar goes first, then the byte counts,
 * then the name is shortened. */
static char *progress_line(const char *label, uint64_t done, uint64_t total, double rate,
                           int width)
{
    char pct[16] = "", sdone[32], stotal[32], srate[40], eta[40], bytes[72];
    int known = total != BG_SIZE_UNKNOWN;
    int percent = known ? (total ? (int)(100.0 * (double)done / (double)total) : 100) : -1;
    if (percent > 100)
        percent = 100;
    if (known)
        snprintf(pct, sizeof pct, "%3d%%", percent);
    cli_format_size((double)done, sdone, sizeof sdone);
    cli_format_size((double)total, stotal, sizeof stotal);
    cli_format_size(rate, srate, sizeof srate);
    strcat(srate, "/s");
    if (known)
        fmt_eta((double)(total - (done < total ? done : total)), rate, eta, sizeof eta);
    else
        eta[0] = '\0';
    snprintf(bytes, sizeof bytes, known ? "%s/%s" : "%s", sdone, stotal);
    int room = width - 1;
    for (int variant = 0; variant < 5; variant++) {
        char stats[256], name[256], bar[64] = "";
        if (variant <= 1)
            snprintf(stats, sizeof stats, "%s%s%s  %s%s%s", pct, *pct ? "  " : "", bytes, srate,
                     *eta ? "  " : "", eta);
        else if (variant <= 3)
            snprintf(stats, sizeof stats, "%s%s%s%s%s", pct, *pct ? " " : "", srate,
                     *eta ? " " : "", eta);
        else
            snprintf(stats, sizeof stats, "%s", *pct ? pct : sdone);
        int stats_w = (int)strlen(stats);
        int name_room = room - stats_w - 1;
        int name_w = cli_text_width(label);
        if (variant == 0 && known) {
            /* The name gets what a bar of 10 leaves, up to a third of the
             * width (24 at least); the bar the rest, up to 40. */
            int spare = room - stats_w - 4; /* two spaces and the brackets */
            int cap = room / 3 > 24 ? room / 3 : 24;
            name_room = name_w < spare - 10 ? name_w : spare - 10;
            if (name_room > cap)
                name_room = cap;
            int bar_w = spare - name_room;
            if (bar_w > 40)
                bar_w = 40;
            if (bar_w < 10 || name_room < (name_w < 8 ? name_w : 8))
                continue;
            int fill = percent * bar_w / 100;
            snprintf(bar, sizeof bar, " [%.*s%*s]", fill,
                     "########################################", bar_w - fill, "");
        } else if (variant == 0) {
            continue;
        }
        /* A name cut to fewer than 8 columns says little: drop more first. */
        if (variant < 4 && name_room < (name_w < 8 ? name_w : 8))
            continue;
        cut_name(label, name_room < 1 ? 1 : name_room, name, sizeof name);
        char *line = NULL;
        if (asprintf(&line, "%s%s %s", name, bar, stats) < 0)
            return NULL;
        return line; /* the display cuts what still does not fit */
    }
    return NULL;
}

/* Jobs ahead of ours: active ones, and queued ones of a higher priority
 * or of the same one created earlier. -1 when unknown. */
static int jobs_ahead(waiter *w)
{
    uint32_t prio = 0;
    bits_job_times mine = { .struct_size = sizeof mine };
    bits_job_get_priority(w->job, &prio);
    bits_job_get_times(w->job, &mine);
    bits_job_enum *e;
    if (bits_manager_enum_jobs(w->c->mgr, 0, &e) != BITS_S_OK)
        return -1;
    bits_job *j;
    int ahead = 0;
    while (bits_job_enum_next(e, 1, &j, NULL) == BITS_S_OK) {
        bits_guid id;
        uint32_t s = 0, p = 0;
        bits_job_times t = { .struct_size = sizeof t };
        bits_job_get_id(j, &id);
        bits_job_get_state(j, &s);
        bits_job_get_priority(j, &p);
        bits_job_get_times(j, &t);
        if (memcmp(&id, &w->id, sizeof id) != 0 &&
            (s == BG_JOB_STATE_CONNECTING || s == BG_JOB_STATE_TRANSFERRING ||
             (s == BG_JOB_STATE_QUEUED &&
              (p < prio || (p == prio && t.creation_time < mine.creation_time)))))
            ahead++;
        bits_job_release(j);
    }
    bits_job_enum_free(e);
    return ahead;
}

/* The host of @p url ("" when it has none). */
static void url_host(const char *url, char *out, size_t n)
{
    out[0] = '\0';
    CURLU *u = url ? curl_url() : NULL;
    char *host = NULL;
    if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK)
        snprintf(out, n, "%s", host);
    curl_free(host);
    curl_url_cleanup(u);
    cli_sanitize(out);
}

/* The first file not yet finished (NULL: none). */
static file_track *current_file(waiter *w)
{
    for (int i = 0; i < w->nfiles; i++) {
        if (!w->files[i].finished)
            return &w->files[i];
    }
    return NULL;
}

/* What the job is doing when it is not transferring, e.g. "retrying in
 * 9m58s: BG_E_CONNECT_FAILURE (Couldn't connect to server) [attempt 2 of
 * 4]". New string, NULL while it transfers. */
static char *state_text(waiter *w, uint32_t state, const cli_wait_opts *o, double now)
{
    char *text = NULL, host[256];
    file_track *f = current_file(w);
    switch (state) {
    case BG_JOB_STATE_QUEUED: {
        if (w->queued && now - w->queued_at < 1.0)
            return strdup(w->queued);
        int ahead = jobs_ahead(w);
        char command[64];
        long pid = ahead > 0 ? 0 : cli_engine_owner(w->c, command, sizeof command);
        if (ahead > 0) {
            if (asprintf(&text, "queued behind %d job%s", ahead, ahead == 1 ? "" : "s") < 0)
                text = NULL;
        } else if (pid > 0) {
            if (asprintf(&text, "queued; process %ld (%s) runs the store's transfers", pid,
                         command) < 0)
                text = NULL;
        } else if (asprintf(&text, "queued") < 0) {
            text = NULL;
        }
        free(w->queued);
        w->queued = text ? strdup(text) : NULL;
        w->queued_at = now;
        break;
    }
    case BG_JOB_STATE_CONNECTING:
        url_host(f ? f->url : NULL, host, sizeof host);
        if (asprintf(&text, "connecting%s%s", *host ? " to " : "", host) < 0)
            text = NULL;
        break;
    case BG_JOB_STATE_TRANSIENT_ERROR: {
        bits_error *err = NULL;
        bits_hresult code = 0;
        uint32_t ctx = 0, errors = 0;
        char *desc = NULL, when[32] = "", attempt[64] = "";
        if (bits_job_get_error(w->job, &err) == BITS_S_OK) {
            bits_error_get_error(err, &ctx, &code);
            bits_error_get_description(err, &desc);
            bits_error_free(err);
        }
        bits_job_get_error_count(w->job, &errors);
        uint32_t failures = errors - w->errors_at_start;
        if (o->retries != CLI_RETRIES_UNLIMITED && o->retries != CLI_UNSET)
            snprintf(attempt, sizeof attempt, " [attempt %u of %u]", failures + 1,
                     o->retries + 1);
        else
            snprintf(attempt, sizeof attempt, " [attempt %u]", failures + 1);
        if (w->retry_at > 0) {
            double left = w->retry_at - now;
            cli_format_duration(left > 0 ? (uint64_t)(left + 0.999) : 0, when, sizeof when);
        } else if (w->te_seen > 0) {
            /* Another process runs the transfers and its log is not ours:
             * the job's delay from when the error was seen. */
            uint32_t delay = 0;
            bits_job_get_minimum_retry_delay(w->job, &delay);
            double left = w->te_seen + delay - now;
            when[0] = '~';
            cli_format_duration(left > 0 ? (uint64_t)(left + 0.999) : 0, when + 1,
                                sizeof when - 1);
        }
        /* The detail is what follows the code's own sentence. */
        const char *message = bits_hresult_message(code);
        const char *detail = desc;
        if (desc && message && strncmp(desc, message, strlen(message)) == 0)
            detail = desc + strlen(message) + (desc[strlen(message)] == ' ');
        char *safe = detail && *detail ? cli_sanitize(strdup(detail)) : NULL;
        const char *what = code == BG_E_NETWORK_DISCONNECTED ? "waiting for network; " : "";
        /* The countdown and the attempt first: a narrow terminal cuts the end. */
        if (asprintf(&text, "%sretrying%s%s%s: %s%s%s%s", what, *when ? " in " : "", when,
                     attempt, bits_hresult_name(code), safe ? " (" : "", safe ? safe : "",
                     safe ? ")" : "") < 0)
            text = NULL;
        free(safe);
        bits_free(desc);
        break;
    }
    case BG_JOB_STATE_SUSPENDED:
        if (asprintf(&text, "suspended by another command; waiting for openbits resume %s",
                     w->gid) < 0)
            text = NULL;
        break;
    default:
        break;
    }
    return text;
}

/* The live lines: the state, or one line per active file, or a summary. */
static int live_lines(waiter *w, uint32_t state, const cli_wait_opts *o, double now,
                      char **lines, int max)
{
    int width = cli_display_width(w->d), n = 0;
    char *text = state_text(w, state, o, now);
    if (text) {
        file_track *f = current_file(w);
        if (asprintf(&lines[n], "%s: %s", w->nfiles == 1 && f ? f->name : "job", text) >= 0)
            n++;
        free(text);
        return n;
    }
    if (w->nfiles == 1) { /* its line, to 100 % */
        file_track *t = &w->files[0];
        char *line = progress_line(t->name, t->done, t->total, speed(&t->s, now), width);
        if (line)
            lines[n++] = line;
        return n;
    }
    uint32_t in_flight = 1;
    bits_job_get_files_in_flight(w->job, &in_flight);
    int active[LIVE_FILES + 1], nactive = 0, unfinished = 0, finished = 0;
    for (int i = 0; i < w->nfiles; i++) {
        file_track *t = &w->files[i];
        if (t->finished) {
            finished++;
            continue;
        }
        if ((t->done > 0 || unfinished < (int)in_flight) && nactive <= LIVE_FILES)
            active[nactive++] = i;
        unfinished++;
    }
    if (nactive <= LIVE_FILES) {
        for (int k = 0; k < nactive && n < max; k++) {
            file_track *t = &w->files[active[k]];
            char label[300];
            if (w->nfiles > 1)
                snprintf(label, sizeof label, "[%d/%d] %s", active[k] + 1, w->nfiles, t->name);
            else
                snprintf(label, sizeof label, "%s", t->name);
            char *line = progress_line(label, t->done, t->total, speed(&t->s, now), width);
            if (line)
                lines[n++] = line;
        }
        if (n)
            return n;
    }
    bits_job_progress p = { .struct_size = sizeof p };
    bits_job_get_progress(w->job, &p);
    char label[64];
    snprintf(label, sizeof label, "%d/%d files", finished, w->nfiles);
    char *line = progress_line(label, p.bytes_transferred, p.bytes_total,
                               speed(&w->job_s, now), width);
    if (line)
        lines[n++] = line;
    return n;
}

/* ---- plain lines (stderr is not a terminal) --------------------------------------------- */

static void plain_file_line(waiter *w, file_track *t, double now)
{
    char done[32], total[32], rate[32], eta[40], *line = NULL;
    double r = speed(&t->s, now);
    cli_format_size((double)t->done, done, sizeof done);
    cli_format_size((double)t->total, total, sizeof total);
    cli_format_size(t->finished ? 0 : r, rate, sizeof rate);
    int known = t->total != BG_SIZE_UNKNOWN;
    int pct = known ? (t->total ? (int)(100.0 * (double)t->done / (double)t->total) : 100) : 0;
    if (known && !t->finished)
        fmt_eta((double)(t->total - (t->done < t->total ? t->done : t->total)), r, eta,
                sizeof eta);
    else
        eta[0] = '\0';
    int n = t->finished
                ? asprintf(&line, "%s: 100%% %s of %s, done", t->name, done, known ? total : done)
                : asprintf(&line, "%s: %d%% %s of %s, %s/s%s%s", t->name, pct, done,
                           known ? total : "?", rate, *eta ? ", " : "", eta);
    if (n >= 0) {
        cli_display_print(w->d, line);
        free(line);
    }
    t->shown = t->done;
}

/* ---- the loop ---------------------------------------------------------------------- */

/* Says why transfer gave up, and what to run next; cancels the job (its
 * temporary files go) unless --keep. */
static int give_up(waiter *w, const cli_wait_opts *o, const char *why)
{
    cli_display_finish(w->d);
    update_files(w, 0);
    file_track *f = current_file(w);
    fprintf(stderr, "openbits: %s%s%s\n", f ? f->name : "", f ? ": " : "", why);
    cli_print_job_error(stderr, "openbits: ", w->job);
    char *store = w->c->store ? cli_store_dir(w->c) : NULL;
    char *quoted = store ? cli_shell_quote(store) : NULL;
    const char *so = quoted ? " --store " : "";
    const char *sa = quoted ? quoted : "";
    if (o->cancel_on_failure) {
        bits_job_cancel(w->job);
        fprintf(stderr, "openbits: the job was cancelled and its temporary files removed. Run the "
                        "command again to retry (--retries, --retry-delay and "
                        "--no-progress-timeout wait longer; --keep keeps a failed job).\n");
    } else {
        uint32_t state = 0;
        bits_job_get_state(w->job, &state);
        if (state != BG_JOB_STATE_ERROR)
            bits_job_suspend(w->job); /* no retries behind our back */
        bits_job_get_state(w->job, &state);
        fprintf(stderr,
                "openbits: the job %s is kept (%s). Next:\n"
                "  openbits%s%s geterror %s        (what went wrong)\n"
                "  openbits%s%s resume %s --wait   (try again, keeping the bytes)\n"
                "  openbits%s%s cancel %s          (drop it)\n",
                w->gid, cli_state_name(state), so, sa, w->gid, so, sa, w->gid, so, sa, w->gid);
    }
    free(store);
    free(quoted);
    return EXIT_JOB_ERROR;
}

/* Reads pending signals: 1 when one asks to stop. */
static int read_signals(waiter *w)
{
    struct signalfd_siginfo si;
    int stop = 0;
    while (read(sig_fd, &si, sizeof si) == (ssize_t)sizeof si) {
        if (si.ssi_signo == SIGWINCH)
            cli_display_resize(w->d);
        else
            stop = 1;
    }
    return stop;
}

int cli_wait_job(cli *c, bits_job *job, const cli_wait_opts *o)
{
    waiter w = { 0 };
    w.c = c;
    w.job = job;
    bits_job_get_id(job, &w.id);
    char *gid = NULL, *name = NULL;
    bits_guid_to_string(&w.id, &gid);
    snprintf(w.gid, sizeof w.gid, "%s", gid ? gid : "?");
    bits_free(gid);
    bits_job_get_display_name(job, &name);
    if (asprintf(&w.prefix, "%s \"%s\": ", w.gid, name ? name : "") < 0)
        w.prefix = NULL;
    bits_free(name);
    bits_job_get_error_count(job, &w.errors_at_start);
    int mode = c->o.progress;
    if (c->quiet || c->json)
        mode = PROGRESS_NONE;
    else if (mode == PROGRESS_AUTO)
        mode = isatty(STDERR_FILENO) ? PROGRESS_BAR : PROGRESS_PLAIN;
    w.d = cli_display_new(mode);
    w.started = now_s();
    w.status_state = UINT32_MAX;
    current = &w;
    if (sig_fd < 0 && cli_wait_prepare(c) != EXIT_OK)
        return EXIT_FAILED;
    int32_t ev_fd = -1;
    if (bits_manager_get_event_fd(c->mgr, &ev_fd) != BITS_S_OK)
        ev_fd = -1;
    bits_job_set_event_callback(job, on_job_event, NULL);
    if (mode != PROGRESS_NONE) {
        char *line = NULL;
        if (asprintf(&line, "job %s", w.gid) >= 0)
            cli_display_print(w.d, line);
        free(line);
    }
    int rc = -1;
    uint32_t state = 0, shown = UINT32_MAX;
    double last_draw = 0, last_plain = 0;
    int interrupted = 0;
    for (;;) {
        double now = now_s();
        bits_job_get_state(job, &state);
        if (mode != PROGRESS_NONE) /* 2,000 files are not read 4 times a second for nothing */
            update_files(&w, now);
        bits_job_progress jp = { .struct_size = sizeof jp };
        bits_job_get_progress(job, &jp);
        sample(&w.job_s, now, jp.bytes_transferred);
        if (state != BG_JOB_STATE_TRANSIENT_ERROR)
            w.retry_at = w.te_seen = 0;
        else if (w.te_seen == 0)
            w.te_seen = now;
        if (interrupted) {
            bits_job_suspend(job);
            cli_display_finish(w.d);
            char *store = cli_store_dir(c);
            char *quoted = c->store && store ? cli_shell_quote(store) : NULL;
            fprintf(stderr,
                    "\nopenbits: interrupted; the job is SUSPENDED. Continue with:\n"
                    "  openbits%s%s resume %s --wait\n",
                    quoted ? " --store " : "", quoted ? quoted : "", w.gid);
            free(store);
            free(quoted);
            rc = EXIT_INTERRUPTED;
            break;
        }
        /* transfer's own limits, before the display says "retrying". */
        uint32_t errors = 0;
        bits_job_get_error_count(job, &errors);
        if (state == BG_JOB_STATE_TRANSIENT_ERROR && o->retries != CLI_UNSET &&
            o->retries != CLI_RETRIES_UNLIMITED && errors - w.errors_at_start > o->retries) {
            char why[96];
            snprintf(why, sizeof why, "gave up after %u attempt%s (--retries %u)",
                     errors - w.errors_at_start, errors - w.errors_at_start == 1 ? "" : "s",
                     o->retries);
            rc = give_up(&w, o, why);
            break;
        }
        if (o->timeout != CLI_UNSET && now - w.started >= (double)o->timeout &&
            state != BG_JOB_STATE_TRANSFERRED && state != BG_JOB_STATE_ACKNOWLEDGED) {
            char why[96], d[32];
            cli_format_duration(o->timeout, d, sizeof d);
            snprintf(why, sizeof why, "gave up: not done within --timeout %s", d);
            rc = give_up(&w, o, why);
            break;
        }
        /* Plain mode: a line per state (with its reason), and per file
         * each second while it moves, and once when it is done. */
        if (mode == PROGRESS_PLAIN) {
            if (state != shown) {
                shown = state;
                w.entered = now;
                w.status_state = UINT32_MAX;
            }
            /* A line per state, with what it waits for (a retry: once its
             * time is known). */
            if (w.status_state == UINT32_MAX &&
                (state != BG_JOB_STATE_TRANSIENT_ERROR || w.retry_at > 0 || now - w.entered > 0.5)) {
                char *text = state_text(&w, state, o, now), *line = NULL;
                int skip = text && strcmp(text, "queued") == 0;
                if (asprintf(&line, "state %s%s%s", cli_state_name(state),
                             text && !skip ? ": " : "", text && !skip ? text : "") >= 0)
                    cli_display_print(w.d, line);
                free(line);
                free(text);
                w.status_state = state;
            }
            for (int i = 0; i < w.nfiles; i++) {
                file_track *t = &w.files[i];
                if (t->finished && !t->reported)
                    plain_file_line(&w, t, now), t->reported = 1;
                else if (!t->finished && t->done != t->shown && now - last_plain >= 1.0)
                    plain_file_line(&w, t, now);
            }
            if (now - last_plain >= 1.0)
                last_plain = now;
        } else if (mode == PROGRESS_BAR) {
            for (int i = 0; i < w.nfiles; i++) {
                file_track *t = &w.files[i];
                if (t->finished && !t->reported && w.nfiles > 1 && w.nfiles <= 20) {
                    char size[32], *line = NULL;
                    cli_format_size((double)t->done, size, sizeof size);
                    if (asprintf(&line, "%s: %s done", t->name, size) >= 0)
                        cli_display_print(w.d, line);
                    free(line);
                }
                t->reported |= t->finished;
            }
            if (now - last_draw >= 0.2 || state == BG_JOB_STATE_TRANSFERRED) {
                char *lines[LIVE_FILES + 1];
                int n = live_lines(&w, state, o, now, lines, LIVE_FILES + 1);
                cli_display_draw(w.d, lines, n);
                for (int i = 0; i < n; i++)
                    free(lines[i]);
                last_draw = now;
            }
        }
        if (state == BG_JOB_STATE_TRANSFERRED) {
            bits_hresult hr = bits_job_complete(job);
            if (w.nfiles > 1)
                cli_display_draw(w.d, NULL, 0); /* the files have their lines; "saved" sums up */
            bits_manager_dispatch(c->mgr, NULL); /* the trace's last lines first */
            cli_display_finish(w.d);
            rc = bits_failed(hr) ? cli_fail("complete", hr) : EXIT_OK;
            if (rc == EXIT_OK && mode != PROGRESS_NONE) {
                char size[32], rate[32];
                double secs = now_s() - w.started;
                cli_format_size((double)jp.bytes_transferred, size, sizeof size);
                cli_format_size(secs > 0 ? (double)jp.bytes_transferred / secs : 0, rate,
                                sizeof rate);
                char rest[128], what[PATH_MAX + 16], cwd[PATH_MAX];
                snprintf(rest, sizeof rest, " (%s in %.1fs, %s/s)", size, secs, rate);
                const char *path = w.nfiles == 1 && w.files[0].local ? w.files[0].local : NULL;
                size_t cl = getcwd(cwd, sizeof cwd) ? strlen(cwd) : 0;
                if (path && cl > 1 && strncmp(path, cwd, cl) == 0 && path[cl] == '/')
                    path += cl + 1; /* a.iso, for ./a.iso */
                int room = cli_display_width(w.d) - 1 - 6 - (int)strlen(rest);
                if (path && mode == PROGRESS_BAR) /* the whole line fits the terminal */
                    cut_name(path, room < 8 ? 8 : room, what, sizeof what);
                else if (path)
                    snprintf(what, sizeof what, "%s", path);
                else
                    snprintf(what, sizeof what, "%d files", w.nfiles);
                fprintf(stderr, "saved %s%s\n", what, rest);
            }
            break;
        }
        if (state == BG_JOB_STATE_ACKNOWLEDGED) { /* completed by another process */
            rc = EXIT_OK;
            break;
        }
        if (state == BG_JOB_STATE_CANCELLED) {
            cli_display_finish(w.d);
            if (!c->quiet)
                fprintf(stderr, "openbits: the job %s was cancelled\n", w.gid);
            rc = EXIT_CANCELLED;
            break;
        }
        if (state == BG_JOB_STATE_ERROR) {
            if (o->owned) {
                rc = give_up(&w, o, "failed");
            } else {
                cli_display_finish(w.d);
                cli_print_job_error(stderr, "openbits: ", job);
                fprintf(stderr, "openbits: the job %s is in ERROR: openbits resume %s --wait "
                                "tries again, openbits cancel %s drops it\n",
                        w.gid, w.gid, w.gid);
                rc = EXIT_JOB_ERROR;
            }
            break;
        }
        struct pollfd fds[2] = { { sig_fd, POLLIN, 0 }, { ev_fd, POLLIN, 0 } };
        int wait_ms = mode == PROGRESS_BAR ? 200 : mode == PROGRESS_PLAIN ? 250 : 250;
        if (poll(fds, ev_fd >= 0 ? 2 : 1, wait_ms) > 0) {
            if (fds[0].revents & POLLIN)
                interrupted |= read_signals(&w);
            if (ev_fd >= 0 && (fds[1].revents & POLLIN))
                bits_manager_dispatch(c->mgr, NULL);
            if (fds[0].revents & POLLIN)
                last_draw = 0; /* redraw at once (a new width) */
        }
    }
    bits_job_set_event_callback(job, NULL, NULL);
    bits_manager_dispatch(c->mgr, NULL); /* the last lines of the trace */
    cli_display_free(w.d);
    w.d = NULL;
    current = NULL;
    if (c->json) {
        bits_job_get_state(job, &state);
        printf("{\"id\": \"%s\", \"state\": \"%s\", \"exit\": %d}\n", w.gid,
               cli_state_name(state), rc);
    }
    free_files(&w);
    free(w.prefix);
    free(w.queued);
    return rc;
}
