# m9_lockwait.sh - M9: GetState, GetProgress and GetDisplayName while
# another process holds the store's write transaction open for
# $LOCK_HOLD s (a thread of the measuring process trying to write
# meanwhile), against the same getters with no foreign lock, $LOCK_JOBS
# jobs, $LOCK_RUNS rounds. Not pinned to one CPU, unlike the other
# clients: the writer thread and the getter thread of a real program run
# side by side, and pinned they would take turns instead of meeting on
# the manager's mutex.
m9_lockwait() {
    fresh "$OUT/m9"
    "$BUILD/bench/bench_lockwait" "$OUT/m9" "$LOCK_JOBS" "$LOCK_HOLD" "$LOCK_RUNS" >>"$FIGURES"
    rm -rf "$OUT/m9"
}
