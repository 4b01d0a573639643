/* failpoint.c - the test hook behind ob_failpoint(). */
#include "util/failpoint.h"

#include <stddef.h>

static ob_failpoint_fn hook;
static void *hook_data;

void ob_failpoint_set(ob_failpoint_fn fn, void *data)
{
    hook_data = data;
    hook = fn;
}

int ob_failpoint(const char *name, const void *subject)
{
    ob_failpoint_fn fn = hook;
    return fn ? fn(name, subject, hook_data) : 0;
}
