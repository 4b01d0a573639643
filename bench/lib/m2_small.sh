# m2_small.sh - M2: $SMALL_FILES files of 4 KiB; one openbits job (files
# in order, and with several in flight) against curl serial (globbing,
# one connection), curl -Z, aria2c -j16 and wget -i. Files per second.
# m2_lists DIR: $WORK/m2.urls (one URL a line) and $WORK/m2.list ("URL
# DIR/NAME" lines); M2_GLOB, curl's pattern for the same URLs.
m2_lists() {
    local n
    : >"$WORK/m2.urls"
    : >"$WORK/m2.list"
    for f in "$DATA"/small/*.bin; do
        n="$(basename "$f")"
        echo "$NGINX_URL/d/small/$n" >>"$WORK/m2.urls"
        echo "$NGINX_URL/d/small/$n $1/$n" >>"$WORK/m2.list"
    done
    M2_GLOB="$NGINX_URL/d/small/f[0000-$(printf '%04d' $((SMALL_FILES - 1)))].bin"
}

m2_small() {
    local dir="$OUT/m2" tool
    m2_lists "$dir"
    local -a pairs
    read -r -d '' -a pairs <"$WORK/m2.list" || true # "URL DEST" lines as arguments
    "$OPENBITS" --store "$WORK/m2-cli" setlimit files_per_job 0 >/dev/null
    local glob="$M2_GLOB"
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

# m2_disk: the same files to the disk (/var/tmp), where durability costs
# real syncs: openbits flushes each file before the store records it and
# makes the renames durable at Complete; curl syncs nothing.
m2_disk() {
    local dir tool fstype
    dir="$(mktemp -d /var/tmp/openbits-bench-XXXXXX)"
    fstype="$(df --output=fstype /var/tmp | tail -n 1)"
    m2_lists "$dir/files"
    local glob="$M2_GLOB"
    local -A rate
    local tools=("openbits C API" "openbits C API, 50 in flight" "curl serial" "curl -Z (50)")
    for _ in $(seq "$DISK_RUNS"); do
        for tool in "${tools[@]}"; do
            fresh "$dir/files"
            case "$tool" in
            "openbits C API") client "$FETCH" --store "$dir/store" --list "$WORK/m2.list" ;;
            "openbits C API, 50 in flight") client "$FETCH" --store "$dir/store" --in-flight 50 --list "$WORK/m2.list" ;;
            "curl serial") client curl -s "$glob" -o "$dir/files/f#1.bin" ;;
            "curl -Z (50)") client curl -s -Z --parallel-max 50 "$glob" -o "$dir/files/f#1.bin" ;;
            esac
            set -- $TIMED
            rate[$tool]+=" $(quotient "$SMALL_FILES" "$1" %.0f)"
        done
    done
    for tool in "${tools[@]}"; do
        figure M2 "${SMALL_FILES} files of 4 KiB to the disk ($fstype)" "$tool" files/s ${rate[$tool]}
    done
    rm -rf "$dir"
}
