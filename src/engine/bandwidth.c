/* bandwidth.c - token buckets for the manager's and each job's cap. */
#include "engine/transfer.h"

#include "util/clock.h"

void ob_bucket_refill(ob_rate_bucket *b, uint64_t rate, int64_t now)
{
    if (b->rate != rate) {
        b->rate = rate;
        b->tokens = 0;
        b->refilled_at = now;
    }
    if (!rate)
        return;
    /* A burst of at most 1/8 s keeps the rate even over short windows. */
    int64_t burst = (int64_t)(rate / 8 > 16384 ? rate / 8 : 16384);
    b->tokens += (int64_t)((double)rate * (double)(now - b->refilled_at) / 1e6);
    if (b->tokens > burst)
        b->tokens = burst;
    b->refilled_at = now;
}

int ob_bucket_empty(const ob_rate_bucket *b)
{
    return b->rate && b->tokens <= 0;
}

int ob_bandwidth_take(ob_rate_bucket *manager, uint64_t manager_rate, bits_job *job, size_t n)
{
    int64_t now = ob_mono_us();
    ob_rate_bucket *jb = &job->sched.bandwidth;
    ob_bucket_refill(manager, manager_rate, now);
    ob_bucket_refill(jb, job->props.max_bandwidth, now);
    /* A chunk cannot be split, so a bucket may go into debt: admit while
     * both are positive, and the average rate still holds. */
    if (ob_bucket_empty(manager) || ob_bucket_empty(jb))
        return 0;
    if (manager->rate)
        manager->tokens -= (int64_t)n;
    if (jb->rate)
        jb->tokens -= (int64_t)n;
    return 1;
}
