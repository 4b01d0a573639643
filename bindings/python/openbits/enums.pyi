# openbits.enums: where the enumerations are made; they are typed, and
# imported, from openbits (__init__.pyi).
from . import (SIZE_UNKNOWN as SIZE_UNKNOWN, AuthScheme as AuthScheme, AuthTarget as AuthTarget,
               ErrorContext as ErrorContext, EventKind as EventKind, JobState as JobState,
               JobType as JobType, Limit as Limit, NotifyFlags as NotifyFlags,
               Priority as Priority, ProxyUsage as ProxyUsage, SecurityFlags as SecurityFlags)
