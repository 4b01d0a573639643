# m1_large.sh - M1: one big file to tmpfs over one connection; wall time
# and CPU seconds (user+sys) per GiB, every tool against the same nginx.
m1_large() {
    local url="$NGINX_URL/d/big.bin" dir="$OUT/m1" gib tool
    gib=$(awk -v m="$BIG_MIB" 'BEGIN { print m / 1024 }')
    local -A wall cpu
    for _ in $(seq "$RUNS"); do # tools interleaved: drift hits all alike
        for tool in "openbits CLI" "openbits C API" curl wget "aria2c -x1"; do
            fresh "$dir"
            case "$tool" in
            "openbits CLI") client "$OPENBITS" --store "$WORK/m1-cli" --quiet transfer "$url" "$dir/big.bin" ;;
            "openbits C API") client "$FETCH" --store "$WORK/m1-api" "$url" "$dir/big.bin" ;;
            curl) client curl -s -o "$dir/big.bin" "$url" ;;
            wget) client wget -q -O "$dir/big.bin" "$url" ;;
            "aria2c -x1") client aria2c -q -x1 -s1 --file-allocation=none -d "$dir" -o big.bin "$url" ;;
            esac
            cmp -s "$dir/big.bin" "$DATA/big.bin" || { echo "bench: $tool: wrong bytes" >&2; return 1; }
            set -- $TIMED
            wall[$tool]+=" $1"
            cpu[$tool]+=" $(quotient "$2" "$gib" %.3f)"
        done
    done
    for tool in "${!wall[@]}"; do
        figure M1 "wall time, ${BIG_MIB} MiB to tmpfs" "$tool" s ${wall[$tool]}
        figure M1 "CPU per GiB (user+sys)" "$tool" s ${cpu[$tool]}
    done
    rm -rf "$dir"
}
