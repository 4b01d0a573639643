/*
 * cli_progress.c - the progress display on stderr. In bar mode a few live
 * lines are redrawn in place, each cut to the terminal's width (asked at
 * start and on SIGWINCH) so that none ever wraps; other lines (the trace,
 * a finished file) are printed above them. In plain mode (stderr is not a
 * terminal) every line is simply appended, with no control characters.
 *
 * Redrawing goes back to the first live line and erases to the end of the
 * screen. After a resize the terminal may have re-wrapped the old lines
 * (tmux and most terminals do when they narrow), so the way back counts
 * the rows each old line takes at the new width.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define MAX_LIVE 16

struct cli_display {
    int mode;
    int width;             /* columns */
    int ndrawn;            /* live lines on the screen */
    int drawn_cols[MAX_LIVE];
    char *live[MAX_LIVE];  /* the live lines, to redraw after a print */
    int nlive;
    char *buf;
    size_t len, cap;
};

/* ---- display width of UTF-8 ------------------------------------------------------- */

/* The columns a code point takes: 2 for the East Asian wide ranges and
 * emoji, 0 for combining marks, else 1. */
static int cp_width(unsigned cp)
{
    if ((cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x200B && cp <= 0x200F) ||
        (cp >= 0xFE00 && cp <= 0xFE0F))
        return 0;
    if ((cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
        (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
        (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
        (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1F64F) ||
        (cp >= 0x1F900 && cp <= 0x1F9FF) || (cp >= 0x20000 && cp <= 0x3FFFD))
        return 2;
    return 1;
}

/* Decodes one code point at @p s (invalid bytes count as one column
 * each); returns its length in bytes. */
static size_t next_cp(const unsigned char *s, unsigned *cp)
{
    int n = s[0] < 0x80 ? 1 : (s[0] & 0xE0) == 0xC0 ? 2 : (s[0] & 0xF0) == 0xE0 ? 3
                                                    : (s[0] & 0xF8) == 0xF0 ? 4 : 0;
    if (n <= 1) {
        *cp = n ? s[0] : '?';
        return 1;
    }
    unsigned v = s[0] & (0x7F >> n);
    for (int i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *cp = '?';
            return 1;
        }
        v = (v << 6) | (s[i] & 0x3F);
    }
    *cp = v;
    return (size_t)n;
}

int cli_text_width(const char *s)
{
    int w = 0;
    unsigned cp;
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        p += next_cp(p, &cp);
        w += cp_width(cp);
    }
    return w;
}

/* The bytes of @p s that fit in @p cols columns; *out_cols gets their width. */
size_t cli_text_fit(const char *s, int cols, int *out_cols)
{
    int w = 0;
    unsigned cp;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        size_t n = next_cp(p, &cp);
        int cw = cp_width(cp);
        if (w + cw > cols)
            break;
        w += cw;
        p += n;
    }
    if (out_cols)
        *out_cols = w;
    return (size_t)(p - (const unsigned char *)s);
}

/* ---- output ---------------------------------------------------------------------- */

static void put(cli_display *d, const char *s, size_t n)
{
    if (d->len + n + 1 > d->cap) {
        size_t cap = d->cap ? d->cap : 1024;
        while (cap < d->len + n + 1)
            cap *= 2;
        char *grown = realloc(d->buf, cap);
        if (!grown)
            return;
        d->buf = grown;
        d->cap = cap;
    }
    memcpy(d->buf + d->len, s, n);
    d->len += n;
}

static void puts_d(cli_display *d, const char *s)
{
    put(d, s, strlen(s));
}

static void flush(cli_display *d)
{
    size_t off = 0;
    while (off < d->len) {
        ssize_t n = write(STDERR_FILENO, d->buf + off, d->len - off);
        if (n <= 0)
            break;
        off += (size_t)n;
    }
    d->len = 0;
}

cli_display *cli_display_new(int mode)
{
    cli_display *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->mode = mode;
    d->width = 80;
    cli_display_resize(d);
    return d;
}

int cli_display_mode(const cli_display *d)
{
    return d ? d->mode : PROGRESS_NONE;
}

void cli_display_resize(cli_display *d)
{
    struct winsize ws;
    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
        d->width = ws.ws_col;
    } else {
        const char *columns = getenv("COLUMNS");
        int n = columns ? atoi(columns) : 0;
        d->width = n > 0 ? n : 80;
    }
}

int cli_display_width(const cli_display *d)
{
    return d->width;
}

/* Back to the first live line, erasing it and everything below. */
static void erase_live(cli_display *d)
{
    if (d->ndrawn == 0)
        return;
    int rows = 0;
    for (int i = 0; i < d->ndrawn; i++) {
        int cols = d->drawn_cols[i];
        rows += cols <= d->width ? 1 : (cols + d->width - 1) / d->width;
    }
    char seq[32];
    puts_d(d, "\r");
    if (rows > 1) {
        snprintf(seq, sizeof seq, "\033[%dA", rows - 1);
        puts_d(d, seq);
    }
    puts_d(d, "\033[J");
    d->ndrawn = 0;
}

/* One line cut to fit the width without wrapping (one column spare: some
 * terminals wrap on the last one). */
static int put_line(cli_display *d, const char *line)
{
    int cols = 0;
    int room = d->width > 1 ? d->width - 1 : 1;
    size_t n = cli_text_fit(line, room, &cols);
    put(d, line, n);
    return cols;
}

static void draw_live(cli_display *d)
{
    for (int i = 0; i < d->nlive && i < MAX_LIVE; i++) {
        if (i)
            puts_d(d, "\n");
        d->drawn_cols[i] = put_line(d, d->live[i]);
        d->ndrawn = i + 1;
    }
}

void cli_display_print(cli_display *d, const char *line)
{
    if (!d || d->mode == PROGRESS_NONE)
        return;
    if (d->mode == PROGRESS_BAR) {
        erase_live(d);
        puts_d(d, line); /* a permanent line may wrap: it is not redrawn */
        puts_d(d, "\n");
        draw_live(d);
    } else {
        puts_d(d, line);
        puts_d(d, "\n");
    }
    flush(d);
}

void cli_display_draw(cli_display *d, char *const *lines, int n)
{
    if (!d || d->mode == PROGRESS_NONE)
        return;
    if (n > MAX_LIVE)
        n = MAX_LIVE;
    if (d->mode == PROGRESS_PLAIN) {
        for (int i = 0; i < n; i++) {
            puts_d(d, lines[i]);
            puts_d(d, "\n");
        }
        flush(d);
        return;
    }
    for (int i = 0; i < d->nlive; i++)
        free(d->live[i]);
    d->nlive = 0;
    for (int i = 0; i < n; i++) {
        d->live[i] = strdup(lines[i]);
        if (!d->live[i])
            break;
        d->nlive++;
    }
    erase_live(d);
    draw_live(d);
    flush(d);
}

void cli_display_finish(cli_display *d)
{
    if (!d)
        return;
    if (d->mode == PROGRESS_BAR && d->ndrawn) {
        puts_d(d, "\n");
        d->ndrawn = 0;
        flush(d);
    }
    for (int i = 0; i < d->nlive; i++)
        free(d->live[i]);
    d->nlive = 0;
}

void cli_display_free(cli_display *d)
{
    if (!d)
        return;
    cli_display_finish(d);
    free(d->buf);
    free(d);
}
