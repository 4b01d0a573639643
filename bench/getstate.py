#!/usr/bin/python3
"""getstate.py - M6 through the Python binding: Job.state and
Job.progress latency with JOBS jobs in a store while one transfers.

    getstate.py STORE_DIR DEST JOBS CALLS URL

URL should be slow (rate-capped) so the transfer runs throughout.
Prints bench figure lines (see bench/lib/common.sh)."""
import sys
import time

import openbits


def timed(jobs, calls, query):
    lat = []
    clock = time.perf_counter_ns
    n = len(jobs)
    for i in range(calls):
        job = jobs[i % n]
        t = clock()
        query(job)
        lat.append(clock() - t)
    lat.sort()
    return lat[len(lat) // 2] / 1e3, lat[len(lat) * 99 // 100] / 1e3, lat[-1] / 1e3


def main():
    store, dest, njobs, calls, url = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    with openbits.Manager(store) as mgr:
        mgr.set_limit(openbits.Limit.JOBS, 0)
        jobs = [mgr.create_job("many") for _ in range(njobs)]
        jobs[0].add_file(url, dest)
        jobs[0].resume()
        for _ in range(500):
            if jobs[0].progress.bytes_transferred:
                break
            time.sleep(0.01)
        for what, query in (("GetState", lambda j: j.state), ("GetProgress", lambda j: j.progress)):
            p50, p99, top = timed(jobs, calls, query)
            for name, v in (("p50", p50), ("p99", p99), ("max", top)):
                print(f"M6\t{what} {name}, {njobs} jobs, one transferring\topenbits Python\tus\t{v:.2f}")
        jobs[0].cancel()


main()
