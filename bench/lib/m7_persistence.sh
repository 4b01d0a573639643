# m7_persistence.sh - M7: what the store costs against an in-memory
# manager: job life-cycle rate and HTTP download throughput, with the
# store and data on tmpfs (the library's own cost) and on the disk.
m7_persistence() {
    local disk
    disk="$(mktemp -d /var/tmp/openbits-bench-XXXXXX)"
    fresh "$OUT/m7"
    taskset -c 0 "$BUILD/bench/bench_persistence" "$OUT/m7" tmpfs "$LIFECYCLE_JOBS" "$RUNS" \
        "$NGINX_URL/d/mid.bin" "$MID_MIB" >>"$FIGURES"
    taskset -c 0 "$BUILD/bench/bench_persistence" "$disk" "disk ($(df --output=fstype /var/tmp | tail -n 1))" \
        "$LIFECYCLE_JOBS" "$RUNS" "$NGINX_URL/d/mid.bin" "$MID_MIB" >>"$FIGURES"
    rm -rf "$OUT/m7" "$disk"
}
