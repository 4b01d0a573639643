# m2_small.sh - M2: $SMALL_FILES files of 4 KiB; one openbits job (files
# in order, and with several in flight) against curl serial (globbing,
# one connection), curl -Z, aria2c -j16 and wget -i. Files per second.
m2_small() {
    local dir="$OUT/m2" last tool n
    last=$(printf '%04d' $((SMALL_FILES - 1)))
    : >"$WORK/m2.urls"
    : >"$WORK/m2.list"
    local -a pairs=()
    for f in "$DATA"/small/*.bin; do
        n="$(basename "$f")"
        echo "$NGINX_URL/d/small/$n" >>"$WORK/m2.urls"
        echo "$NGINX_URL/d/small/$n $dir/$n" >>"$WORK/m2.list"
        pairs+=("$NGINX_URL/d/small/$n" "$dir/$n")
    done
    "$OPENBITS" --store "$WORK/m2-cli" setlimit files_per_job 0 >/dev/null
    local glob="$NGINX_URL/d/small/f[0000-$last].bin"
    local -A rate
    local tools=("openbits CLI" "openbits C API" "openbits C API, 16 in flight"
                 "openbits C API, 50 in flight" "curl serial" "curl -Z (50)" "aria2c -j16" wget)
    for _ in $(seq "$SMALL_RUNS"); do # cheap runs: more of them, a steadier median
        for tool in "${tools[@]}"; do
            fresh "$dir"
            case "$tool" in
            "openbits CLI") client "$OPENBITS" --store "$WORK/m2-cli" --quiet transfer "${pairs[@]}" ;;
            "openbits C API") client "$FETCH" --store "$WORK/m2-api" --list "$WORK/m2.list" ;;
            "openbits C API, 16 in flight") client "$FETCH" --store "$WORK/m2-api" --in-flight 16 --list "$WORK/m2.list" ;;
            "openbits C API, 50 in flight") client "$FETCH" --store "$WORK/m2-api" --in-flight 50 --list "$WORK/m2.list" ;;
            "curl serial") client curl -s "$glob" -o "$dir/f#1.bin" ;;
            "curl -Z (50)") client curl -s -Z --parallel-max 50 "$glob" -o "$dir/f#1.bin" ;;
            "aria2c -j16") client aria2c -q -j16 --file-allocation=none -d "$dir" -i "$WORK/m2.urls" ;;
            wget) client wget -q -P "$dir" -i "$WORK/m2.urls" ;;
            esac
            [ "$(ls "$dir" | wc -l)" -eq "$SMALL_FILES" ] || { echo "bench: $tool: files missing" >&2; return 1; }
            set -- $TIMED
            rate[$tool]+=" $(quotient "$SMALL_FILES" "$1" %.0f)"
        done
    done
    for tool in "${tools[@]}"; do
        figure M2 "${SMALL_FILES} files of 4 KiB" "$tool" files/s ${rate[$tool]}
    done
    rm -rf "$dir"
}
