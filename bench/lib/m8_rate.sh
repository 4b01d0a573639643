# m8_rate.sh - M8: rate caps of 1, 10 and 100 MB/s (10^6 bytes) asked of
# each tool against the rate achieved over a file of $RATE_SECONDS
# seconds at that rate (wall clock of the whole run, start-up included).
# m8_run TOOL: one run of TOOL with a cap of $M8_BPS on $M8_URL.
m8_run() {
    local dir="$OUT/m8"
    fresh "$dir"
    case "$1" in
    "openbits C API") client "$FETCH" --max-bandwidth "$M8_BPS" "$M8_URL" "$dir/r.bin" ;;
    curl) client curl -s --limit-rate "$M8_BPS" -o "$dir/r.bin" "$M8_URL" ;;
    wget) client wget -q --limit-rate="$M8_BPS" -O "$dir/r.bin" "$M8_URL" ;;
    aria2c) client aria2c -q -x1 -s1 --file-allocation=none --max-download-limit="$M8_BPS" \
                -d "$dir" -o r.bin "$M8_URL" ;;
    esac
}

m8_rate() {
    local rate mb
    for rate in $RATES_MB; do
        M8_BPS=$((rate * 1000000)) M8_URL="$NGINX_URL/d/rate-$rate.bin"
        mb=$(quotient "$(stat -c %s "$DATA/rate-$rate.bin")" 1000000 %.6f)
        rounds M8 "achieved at a $rate MB/s cap" MB/s "$RATE_RUNS" "$mb" %.3f m8_run \
            "openbits C API" curl wget aria2c
    done
    rm -rf "$OUT/m8"
}
