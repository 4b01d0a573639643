# m3_kill.sh - M3: bytes fetched twice after kill -9 at a random moment.
# The first request is rate-capped by nginx ($SLOW_RATE), the resume is
# not; re-fetched = body bytes nginx sent before the kill minus the offset
# the resume asked for (bytes still in socket buffers count too, for every
# tool alike). aria2c resumes with its control file; curl/wget trust the
# partial file's size (cheap, but see M4).

# m3_attempt TOOL TAG DIR: start, kill -9 at a random moment, resume; echo re-fetched MB.
m3_attempt() {
    local tool="$1" tag="$2" dir="$3" url="$NGINX_URL/slow/$2/big.bin" at
    local -a cmd
    case "$tool" in
    "openbits C API") cmd=("$FETCH" --store "$dir/store" "$url" "$dir/big.bin") ;;
    "curl -C -") cmd=(curl -s -C - -o "$dir/big.bin" "$url") ;;
    "wget -c") cmd=(wget -q -c -O "$dir/big.bin" "$url") ;;
    "aria2c (control file)") cmd=(aria2c -q -x1 -s1 --file-allocation=none --allow-overwrite=true
                                  --auto-file-renaming=false -d "$dir" -o big.bin "$url") ;;
    esac
    at="$(random_between "$KILL_FROM" "$KILL_TO")"
    taskset -c 0 "${cmd[@]}" >/dev/null 2>&1 &
    local pid=$!
    sleep "$at"
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    sleep 0.3 # nginx logs the aborted request
    taskset -c 0 "${cmd[@]}" >/dev/null 2>&1 &
    wait_pid $! "$RESUME_WAIT" || true
    sleep 0.3
    # first line: the capped request; second: the resume (Range or not).
    awk -v uri="/slow/$tag/big.bin" '$2 == uri' "$NGINX_LOG" | awk '
        NR == 1 { sent = $4 }
        NR == 2 { from = 0; if (match($5, /bytes=[0-9]+/)) from = substr($5, RSTART + 6, RLENGTH - 6)
                  d = sent - from; printf "%.2f\n", (d > 0 ? d : 0) / 1e6; done = 1 }
        END { if (!done) print "nan" }'
}

m3_kill() {
    local tool i
    local tools=("openbits C API" "curl -C -" "wget -c" "aria2c (control file)")
    local -A refetch
    for i in $(seq "$KILLS"); do
        for tool in "${tools[@]}"; do
            fresh "$OUT/m3"
            refetch[$tool]+=" $(m3_attempt "$tool" "m3-$i-${tool%% *}" "$OUT/m3")"
        done
    done
    for tool in "${tools[@]}"; do
        figure M3 "re-fetched after kill -9 at ${KILL_FROM}-${KILL_TO} s, cap $((SLOW_RATE / 1000000)) MB/s" \
            "$tool" MB ${refetch[$tool]}
    done
    rm -rf "$OUT/m3"
}
