/*
 * clock.h - the two clocks of the library. Wall-clock time is only ever
 * reported (creation, modification and completion times); every timer
 * runs on the monotonic clock, so changing the system time moves none.
 */
#ifndef OB_UTIL_CLOCK_H
#define OB_UTIL_CLOCK_H

#include <pthread.h>
#include <stdint.h>
#include <time.h>

/* Microseconds since the Unix epoch (CLOCK_REALTIME). */
int64_t ob_now_us(void);

/* Monotonic microseconds, for every timer. */
int64_t ob_mono_us(void);

/* Initialises @p cond to time out on CLOCK_MONOTONIC. */
void ob_cond_init_monotonic(pthread_cond_t *cond);

/* An absolute CLOCK_MONOTONIC deadline @p ms milliseconds from now, for
 * pthread_cond_timedwait on an ob_cond_init_monotonic() condition. */
struct timespec ob_mono_deadline_ms(int64_t ms);

/* The same for an absolute monotonic time in microseconds. */
struct timespec ob_mono_timespec(int64_t mono_us);

#endif
