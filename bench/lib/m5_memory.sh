# m5_memory.sh - M5: RSS per queued job at each count in $QUEUE_SIZES:
# openbits holding QUEUED jobs (in memory and with a store; one job runs
# a slow transfer, as the scheduler runs one background job at a time)
# against aria2c holding paused downloads added over its RPC.
m5_memory() {
    local n url="$NGINX_URL/trickle/big.bin"
    for n in $QUEUE_SIZES; do
        fresh "$OUT/m5"
        taskset -c 0 "$BUILD/bench/bench_queued" "$url" "$OUT/m5" "$n" >>"$FIGURES"
        fresh "$OUT/m5"
        taskset -c 0 "$BUILD/bench/bench_queued" "$url" "$OUT/m5" "$n" "$OUT/m5/store" >>"$FIGURES"
        fresh "$OUT/m5"
        /usr/bin/python3 "$HERE/aria2_queue.py" "$(free_port)" "$OUT/m5" "$url" "$n" "$RPC_CALLS" >>"$FIGURES"
    done
    rm -rf "$OUT/m5"
}
