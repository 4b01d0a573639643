/*
 * failpoint_support.h - gates at the library's failpoints (src/util/
 * failpoint.h), for tests that force an interleaving instead of hoping
 * for it. A gate matches a point's name and, when set, its subject; it
 * can make the point fail, and it can hold the thread that reached it
 * until the test opens the gate. Tests that use it link the library's
 * objects (INTERNAL).
 */
#ifndef OPENBITS_TEST_FAILPOINT_SUPPORT_H
#define OPENBITS_TEST_FAILPOINT_SUPPORT_H

typedef struct fp_gate {
    const char *name;
    const void *subject;    /* NULL: any subject */
    int fail;               /* the next @c fail hits fail (-1: every hit) */
    int hold;               /* the first thread to reach it waits for fp_open */
    int armed;
    int hits;               /* times reached while armed */
} fp_gate;

/* Installs @p gates (an array of @p n, kept by the caller) as the hook. */
void fp_install(fp_gate *gates, int n);
/* Removes the hook (opening every held gate first). */
void fp_uninstall(void);
/* Arms / disarms a gate. */
void fp_arm(fp_gate *g, int armed);
/* Waits until the gate was reached @p hits times; fails the test after
 * @p timeout_s seconds. */
void fp_wait_hits(fp_gate *g, int hits, double timeout_s);
/* Lets a held thread go on (and disarms the gate). */
void fp_open(fp_gate *g);

#endif
