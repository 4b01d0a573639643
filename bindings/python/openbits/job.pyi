# openbits.job: where Job, File and their values are defined; they are
# typed, and imported, from openbits (__init__.pyi).
from . import (SIZE_UNKNOWN as SIZE_UNKNOWN, ErrorInfo as ErrorInfo, Event as Event,
               EventStream as EventStream, File as File, FileProgress as FileProgress, Job as Job,
               Progress as Progress, Times as Times)
