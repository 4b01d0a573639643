/**
 * @file openbits/openbits.h
 * @brief the whole openbits API.
 *
 * openbits is the Background Intelligent Transfer Service job model for
 * Linux: durable download jobs with the nine BITS states. Include this one
 * header; link with `pkg-config --cflags --libs openbits`.
 *
 * @code
 *   bits_manager *m;  bits_job *j;  bits_guid id;  uint32_t state;
 *   bits_manager_open(NULL, 0, &m);
 *   bits_manager_create_job(m, "my job", BG_JOB_TYPE_DOWNLOAD, &id, &j);
 *   bits_job_add_file(j, "https://example.org/f.iso", "/tmp/f.iso");
 *   bits_job_resume(j);
 *   bits_job_get_state(j, &state);   // BG_JOB_STATE_QUEUED, ...
 *   ...                              // once BG_JOB_STATE_TRANSFERRED:
 *   bits_job_complete(j);            // /tmp/f.iso appears
 *   bits_job_release(j);
 *   bits_manager_close(m);
 * @endcode
 */
/**
 * @mainpage openbits API reference
 *
 * Start with openbits/openbits.h: the one header to include, and an
 * example. It includes every stable header:
 * openbits/common.h, openbits/codes.h, openbits/types.h,
 * openbits/event.h, openbits/manager.h, openbits/job.h, openbits/file.h,
 * openbits/error.h and openbits/version.h. What openbits offers beyond
 * BITS is in openbits/experimental.h, which it does not include (see the
 * @ref experimental "Experimental API" list).
 *
 * Every function also has a man page, e.g. `man 3 bits_job_get_state`,
 * and every header one named after its path, e.g. `man 3 openbits_job.h`.
 */
#ifndef OPENBITS_OPENBITS_H
#define OPENBITS_OPENBITS_H

#include <openbits/common.h>
#include <openbits/codes.h>
#include <openbits/types.h>
#include <openbits/event.h>
#include <openbits/manager.h>
#include <openbits/job.h>
#include <openbits/file.h>
#include <openbits/error.h>
#include <openbits/version.h>

#endif /* OPENBITS_OPENBITS_H */
