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

# m2_run_small TOOL: one run of TOOL into $M2_DIR (tmpfs).
m2_run_small() {
    fresh "$M2_DIR"
    case "$1" in
    "openbits CLI") client "$OPENBITS" --store "$WORK/m2-cli" --quiet transfer "${M2_PAIRS[@]}" ;;
    "openbits C API") client "$FETCH" --store "$WORK/m2-api" --list "$WORK/m2.list" ;;
    "openbits C API, 16 in flight") client "$FETCH" --store "$WORK/m2-api" --in-flight 16 --list "$WORK/m2.list" ;;
    "openbits C API, 50 in flight") client "$FETCH" --store "$WORK/m2-api" --in-flight 50 --list "$WORK/m2.list" ;;
    "curl serial") client curl -s "$M2_GLOB" -o "$M2_DIR/f#1.bin" ;;
    "curl -Z (50)") client curl -s -Z --parallel-max 50 "$M2_GLOB" -o "$M2_DIR/f#1.bin" ;;
    "aria2c -j16") client aria2c -q -j16 --file-allocation=none -d "$M2_DIR" -i "$WORK/m2.urls" ;;
    wget) client wget -q -P "$M2_DIR" -i "$WORK/m2.urls" ;;
    esac
    [ "$(ls "$M2_DIR" | wc -l)" -eq "$SMALL_FILES" ] || { echo "bench: $1: files missing" >&2; return 1; }
}

m2_small() {
    M2_DIR="$OUT/m2"
    m2_lists "$M2_DIR"
    read -r -d '' -a M2_PAIRS <"$WORK/m2.list" || true # "URL DEST" lines as arguments
    "$OPENBITS" --store "$WORK/m2-cli" setlimit files_per_job 0 >/dev/null
    # cheap runs: more of them, a steadier median
    rounds M2 "${SMALL_FILES} files of 4 KiB" files/s "$SMALL_RUNS" "$SMALL_FILES" %.0f m2_run_small \
        "openbits CLI" "openbits C API" "openbits C API, 16 in flight" \
        "openbits C API, 50 in flight" "curl serial" "curl -Z (50)" "aria2c -j16" wget
    rm -rf "$M2_DIR"
}

# m2_disk: the same files to the disk (/var/tmp), where durability costs
# real syncs: openbits flushes each file before the store records it and
# makes the renames durable at Complete; curl syncs nothing.
m2_run_disk() {
    fresh "$M2_DIR/files"
    case "$1" in
    "openbits C API") client "$FETCH" --store "$M2_DIR/store" --list "$WORK/m2.list" ;;
    "openbits C API, 50 in flight") client "$FETCH" --store "$M2_DIR/store" --in-flight 50 --list "$WORK/m2.list" ;;
    "curl serial") client curl -s "$M2_GLOB" -o "$M2_DIR/files/f#1.bin" ;;
    "curl -Z (50)") client curl -s -Z --parallel-max 50 "$M2_GLOB" -o "$M2_DIR/files/f#1.bin" ;;
    esac
}

m2_disk() {
    local fstype
    M2_DIR="$(mktemp -d /var/tmp/openbits-bench-XXXXXX)"
    fstype="$(df --output=fstype /var/tmp | tail -n 1)"
    m2_lists "$M2_DIR/files"
    rounds M2 "${SMALL_FILES} files of 4 KiB to the disk ($fstype)" files/s "$DISK_RUNS" \
        "$SMALL_FILES" %.0f m2_run_disk \
        "openbits C API" "openbits C API, 50 in flight" "curl serial" "curl -Z (50)"
    rm -rf "$M2_DIR"
}
