# m4_change.sh - M4: resume correctness when the server file changes
# between the interruption and the resume (same size, different bytes,
# newer mtime, so a new ETag and Last-Modified). aria2c is tried twice:
# after kill -9 it has no control file and starts over; after SIGTERM it
# saves one and resumes. Pass = the destination
# ends up equal to the new file (or the tool refuses with an error and
# leaves no file claiming success); fail = it reports success with a
# mix of old and new bytes.

m4_attempt() {
    local tool="$1" dir="$2" url t0 rc=0 sig=KILL tag
    tag="$(printf '%s' "$1" | tr -cs 'a-zA-Z0-9' '-')"
    url="$NGINX_URL/slow/m4-$tag/change.bin"
    local -a cmd
    case "$tool" in
    "openbits C API") cmd=("$FETCH" --store "$dir/store" "$url" "$dir/change.bin") ;;
    "curl -C -") cmd=(curl -s -C - -o "$dir/change.bin" "$url") ;;
    "wget -c") cmd=(wget -q -c -O "$dir/change.bin" "$url") ;;
    "aria2c -c"*) cmd=(aria2c -q -c -x1 -s1 --file-allocation=none --auto-file-renaming=false
                       -d "$dir" -o change.bin "$url") ;;
    esac
    case "$tool" in *SIGTERM*) sig=TERM ;; esac
    t0=$(date +%s)
    cp "$DATA/change-a.bin" "$DATA/change.bin" && touch -d "@$((t0 - 100))" "$DATA/change.bin"
    chmod a+r "$DATA/change.bin"
    taskset -c 0 "${cmd[@]}" >/dev/null 2>&1 &
    local pid=$!
    sleep "$CHANGE_KILL_AT"
    kill -s "$sig" "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    cp "$DATA/change-b.bin" "$DATA/change.bin.new" && touch -d "@$t0" "$DATA/change.bin.new"
    chmod a+r "$DATA/change.bin.new" && mv "$DATA/change.bin.new" "$DATA/change.bin"
    timeout "$RESUME_WAIT" taskset -c 0 "${cmd[@]}" >/dev/null 2>&1 || rc=$?
    if [ -f "$dir/change.bin" ] && cmp -s "$dir/change.bin" "$DATA/change-b.bin"; then
        echo 1 # the new file, whole
    elif [ "$rc" -ne 0 ]; then
        echo 1 # refused with an error: nothing claims to be complete
    else
        echo 0 # success reported, bytes mixed
    fi
}

m4_change() {
    local tool i
    local tools=("openbits C API" "curl -C -" "wget -c" "aria2c -c" "aria2c -c (SIGTERM)")
    local -A pass
    for i in $(seq "$CHANGE_RUNS"); do
        for tool in "${tools[@]}"; do
            fresh "$OUT/m4"
            pass[$tool]+=" $(m4_attempt "$tool" "$OUT/m4")"
        done
    done
    for tool in "${tools[@]}"; do
        figure M4 "resume after the server file changed (same size)" "$tool" pass ${pass[$tool]}
    done
    rm -rf "$OUT/m4" "$DATA/change.bin"
}
