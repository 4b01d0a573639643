# m8_rate.sh - M8: rate caps of 1, 10 and 100 MB/s (10^6 bytes) asked of
# each tool against the rate achieved over a file of $RATE_SECONDS
# seconds at that rate (wall clock of the whole run, start-up included).
m8_rate() {
    local rate tool bps dir="$OUT/m8"
    local tools=("openbits C API" curl wget aria2c)
    for rate in $RATES_MB; do
        bps=$((rate * 1000000))
        local url="$NGINX_URL/d/rate-$rate.bin" mb
        mb=$(quotient "$(stat -c %s "$DATA/rate-$rate.bin")" 1000000 %.6f)
        local -A got=()
        for _ in $(seq "$RATE_RUNS"); do
            for tool in "${tools[@]}"; do
                fresh "$dir"
                case "$tool" in
                "openbits C API") client "$FETCH" --max-bandwidth "$bps" "$url" "$dir/r.bin" ;;
                curl) client curl -s --limit-rate "$bps" -o "$dir/r.bin" "$url" ;;
                wget) client wget -q --limit-rate="$bps" -O "$dir/r.bin" "$url" ;;
                aria2c) client aria2c -q -x1 -s1 --file-allocation=none --max-download-limit="$bps" \
                            -d "$dir" -o r.bin "$url" ;;
                esac
                set -- $TIMED
                got[$tool]+=" $(quotient "$mb" "$1" %.3f)"
            done
        done
        for tool in "${tools[@]}"; do
            figure M8 "achieved at a $rate MB/s cap" "$tool" MB/s ${got[$tool]}
        done
        unset got
    done
    rm -rf "$dir"
}
