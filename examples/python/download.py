#!/usr/bin/python3
"""download.py - download files as one BITS job and complete it.

    download.py [--store DIR] [--timeout SECONDS] URL DEST [URL DEST ...]

URL is http://, https://, file:// or an absolute local path; DEST an
absolute path whose directory exists. Without --store the job lives in
an in-memory manager (use a store directory to have it survive this
process). The job is waited for with Job.wait, which sleeps until the
job's events say it is TRANSFERRED or ERROR (no polling), and completed:
the files appear under their DEST names only then.

A with block guards the job: an exception (Ctrl-C included) cancels it,
which deletes its temporary files; leaving the block normally only lets
go of this program's handle.

Exit status: 0 transferred and completed, 1 usage error, 2 the job ended
in ERROR, 3 timed out (the job is cancelled).
"""

import argparse
import pathlib
import sys
from typing import List, Optional, Sequence, Tuple

import openbits


def parse(argv: Optional[Sequence[str]]) -> Tuple[argparse.Namespace, List[Tuple[str, pathlib.Path]]]:
    parser = argparse.ArgumentParser(description="Download files as one BITS job.")
    parser.add_argument("--store", type=pathlib.Path, help="job store directory")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds (default 600)")
    parser.add_argument("pairs", nargs="+", metavar="URL DEST")
    args = parser.parse_args(argv)
    if len(args.pairs) % 2:
        parser.error("URL and DEST come in pairs")
    files = [(args.pairs[i], pathlib.Path(args.pairs[i + 1]))
             for i in range(0, len(args.pairs), 2)]
    return args, files


def main(argv: Optional[Sequence[str]] = None) -> int:
    args, files = parse(argv)
    in_memory = args.store is None
    with openbits.Manager(args.store, in_memory=in_memory) as mgr:
        with mgr.create_job("download.py") as job:
            job.add_files(files)
            job.resume()
            try:
                state = job.wait(timeout=args.timeout)
            except TimeoutError:
                print(f"timed out after {args.timeout} s", file=sys.stderr)
                job.cancel()
                return 3
            if state is openbits.JobState.ERROR:
                error = job.error
                if error is not None:
                    print(f"failed: {error.name}: {error.description}", file=sys.stderr)
                job.cancel()
                return 2
            job.complete()
            for f in job.files:
                print(f"{f.local_name}: {f.progress.bytes_transferred} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
