/* failpoint_support.c - see failpoint_support.h. */
#include "failpoint_support.h"

#include <pthread.h>
#include <string.h>
#include <time.h>

#include "test_support.h"
#include "util/failpoint.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static fp_gate *installed;
static int ninstalled;
static int opened[64]; /* per gate: fp_open was called since it was reached */

static int hook(const char *name, const void *subject, void *data)
{
    (void)data;
    int fail = 0;
    pthread_mutex_lock(&lock);
    for (int i = 0; i < ninstalled; i++) {
        fp_gate *g = &installed[i];
        if (!g->armed || strcmp(g->name, name) != 0 || (g->subject && g->subject != subject))
            continue;
        g->hits++;
        if (g->fail) {
            fail = 1;
            if (g->fail > 0)
                g->fail--;
        }
        pthread_cond_broadcast(&changed);
        if (g->hold) {
            g->hold = 0; /* only the first thread waits */
            opened[i] = 0;
            while (!opened[i])
                pthread_cond_wait(&changed, &lock);
        }
    }
    pthread_mutex_unlock(&lock);
    return fail;
}

void fp_install(fp_gate *gates, int n)
{
    pthread_mutex_lock(&lock);
    installed = gates;
    ninstalled = n;
    pthread_mutex_unlock(&lock);
    ob_failpoint_set(hook, NULL);
}

void fp_uninstall(void)
{
    pthread_mutex_lock(&lock);
    for (int i = 0; i < ninstalled; i++)
        opened[i] = 1;
    pthread_cond_broadcast(&changed);
    ninstalled = 0;
    installed = NULL;
    pthread_mutex_unlock(&lock);
    ob_failpoint_set(NULL, NULL);
}

void fp_arm(fp_gate *g, int armed)
{
    pthread_mutex_lock(&lock);
    g->armed = armed;
    pthread_mutex_unlock(&lock);
}

void fp_wait_hits(fp_gate *g, int hits, double timeout_s)
{
    double until = now_s() + timeout_s;
    pthread_mutex_lock(&lock);
    while (g->hits < hits && now_s() < until) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 20 * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&changed, &lock, &ts);
    }
    int got = g->hits;
    pthread_mutex_unlock(&lock);
    if (got < hits)
        fail_msg("failpoint %s reached %d times, expected %d", g->name, got, hits);
}

void fp_open(fp_gate *g)
{
    pthread_mutex_lock(&lock);
    g->armed = 0;
    for (int i = 0; i < ninstalled; i++) {
        if (&installed[i] == g)
            opened[i] = 1;
    }
    pthread_cond_broadcast(&changed);
    pthread_mutex_unlock(&lock);
}
