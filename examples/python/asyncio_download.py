#!/usr/bin/python3
"""asyncio_download.py - several jobs in one asyncio loop, no threads.

    asyncio_download.py [--timeout SECONDS] URL DEST [URL DEST ...]

Each URL becomes a job of its own, all of them in one manager opened
with event_fd=True: the library starts no notification thread, and the
manager's descriptor is added to the running loop (loop.add_reader), so
the loop itself dispatches the jobs' events. Each job is followed with
`async for ev in job.events()` (printing its states and files as they
come) under asyncio.wait_for: a job that takes longer than --timeout is
cancelled, and the cancelled wait leaves nothing behind.

Exit status: 0 every job transferred and completed, 1 usage error,
2 some job failed or timed out.
"""

import argparse
import asyncio
import pathlib
import sys
from typing import List, Optional, Sequence, Tuple

import openbits
from openbits import EventKind, JobState


async def follow(job: openbits.Job, timeout: float) -> bool:
    """Prints the job's events until it transferred or failed; completes
    or cancels it. True when its file arrived."""
    async def until_outcome() -> JobState:
        async with job.events() as events:
            job.resume()
            async for ev in events:
                if ev.kind is EventKind.FILE_TRANSFERRED and ev.file is not None:
                    print(f"{job.display_name}: {ev.file.local_name} arrived")
                elif ev.kind is EventKind.JOB_MODIFICATION:
                    print(f"{job.display_name}: {ev.state}")
                if ev.state in (JobState.TRANSFERRED, JobState.ERROR):
                    return ev.state
        return job.state

    try:
        state = await asyncio.wait_for(until_outcome(), timeout)
    except TimeoutError:
        print(f"{job.display_name}: timed out", file=sys.stderr)
        job.cancel()
        return False
    if state is JobState.TRANSFERRED:
        job.complete()
        print(f"{job.display_name}: done")
        return True
    error = job.error
    print(f"{job.display_name}: {error.name if error else state}", file=sys.stderr)
    job.cancel()
    return False


async def run(files: List[Tuple[str, pathlib.Path]], timeout: float) -> bool:
    with openbits.Manager(in_memory=True, event_fd=True) as mgr:
        jobs = []
        for url, dest in files:
            job = mgr.create_job(dest.name)
            job.add_file(url, dest)
            jobs.append(job)
        results = await asyncio.gather(*(follow(job, timeout) for job in jobs))
    return all(results)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Download files, one job each, in asyncio.")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per job")
    parser.add_argument("pairs", nargs="+", metavar="URL DEST")
    args = parser.parse_args(argv)
    if len(args.pairs) % 2:
        parser.error("URL and DEST come in pairs")
    files = [(args.pairs[i], pathlib.Path(args.pairs[i + 1]))
             for i in range(0, len(args.pairs), 2)]
    return 0 if asyncio.run(run(files, args.timeout)) else 2


if __name__ == "__main__":
    sys.exit(main())
