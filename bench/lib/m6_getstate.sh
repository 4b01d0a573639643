# m6_getstate.sh - M6: GetState / GetProgress latency with $MANY_JOBS jobs
# while one transfers at $SLOW_RATE (a rate-capped nginx location), in C
# and through the Python binding. aria2's tellStatus figures come from
# m5_memory.
m6_getstate() {
    fresh "$OUT/m6"
    taskset -c 0 "$BUILD/bench/bench_getstate" "$OUT/m6" "$MANY_JOBS" "$STATE_CALLS" \
        "$NGINX_URL/slow/m6-c/big.bin" >>"$FIGURES"
    fresh "$OUT/m6"
    PYTHONPATH="$BUILD/python" taskset -c 0 /usr/bin/python3 "$HERE/getstate.py" "$OUT/m6/store" \
        "$OUT/m6/dest.bin" "$MANY_JOBS" "$PY_STATE_CALLS" "$NGINX_URL/slow/m6-py/big.bin" >>"$FIGURES"
    rm -rf "$OUT/m6"
}
