# common.sh - helpers for the bench/lib scripts (sourced by bench/run).
# Figures go to $FIGURES as lines "SECTION<TAB>MEASURE<TAB>TOOL<TAB>UNIT<TAB>v1 v2 ..."
# which bench/report.py turns into bench/results.md and the plot.

# figure SECTION MEASURE TOOL UNIT VALUE...
figure() {
    local section="$1" measure="$2" tool="$3" unit="$4"
    shift 4
    printf '%s\t%s\t%s\t%s\t%s\n' "$section" "$measure" "$tool" "$unit" "$*" >>"$FIGURES"
}

# client CMD...: runs a client pinned to CPU 0 (nginx's worker has CPU 1)
# and leaves "wall user+sys" seconds in $TIMED. Fails when CMD fails.
client() {
    local t="$WORK/time.out" start end
    start=$(date +%s%N)
    /usr/bin/time -f '%U %S' -o "$t" taskset -c 0 "$@" >/dev/null 2>"$WORK/client.err" || {
        echo "bench: failed: ${*:1:6}" >&2
        tail -n 5 "$WORK/client.err" >&2
        return 1
    }
    end=$(date +%s%N)
    # /usr/bin/time's wall clock has 10 ms steps: take it from date instead.
    TIMED="$(awk -v ns=$((end - start)) 'END { printf "%.4f %.3f", ns / 1e9, $1 + $2 }' "$t")"
}

# rounds SECTION MEASURE UNIT RUNS AMOUNT FORMAT RUNNER TOOL...: RUNS
# rounds of every TOOL in turn (so a drift of the machine hits them all
# alike), each run done by "RUNNER TOOL" (which calls client); records
# AMOUNT / wall seconds of each run, printed with FORMAT, as one figure
# line per TOOL.
rounds() {
    local section="$1" measure="$2" unit="$3" runs="$4" amount="$5" format="$6" runner="$7"
    shift 7
    local tools=("$@") tool wall
    local -A got=()
    for _ in $(seq "$runs"); do
        for tool in "${tools[@]}"; do
            "$runner" "$tool"
            read -r wall _ <<<"$TIMED"
            got[$tool]+=" $(quotient "$amount" "$wall" "$format")"
        done
    done
    for tool in "${tools[@]}"; do
        figure "$section" "$measure" "$tool" "$unit" ${got[$tool]}
    done
}

# quotient A B FORMAT: A / B printed with the printf FORMAT (B = 0 counts as 1 ms).
quotient() { awk -v a="$1" -v b="$2" -v f="$3" 'BEGIN { printf f, a / (b > 0 ? b : 0.001) }'; }

# fresh DIR: an empty directory (destinations are deleted between runs).
fresh() { rm -rf "$1" && mkdir -p "$1"; }

# random_between LO HI: a random number of seconds, 2 decimals.
random_between() { awk -v lo="$1" -v hi="$2" -v s="$RANDOM" 'BEGIN { srand(s); printf "%.2f", lo + rand() * (hi - lo) }'; }

# free_port: a TCP port free on 127.0.0.1 right now.
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# wait_pid PID SECONDS: waits for PID; kills it (-9) past SECONDS. Returns its status.
wait_pid() {
    local pid="$1" left
    left=$(awk -v s="$2" 'BEGIN { print int(s * 10) }')
    while kill -0 "$pid" 2>/dev/null && [ "$left" -gt 0 ]; do
        sleep 0.1
        left=$((left - 1))
    done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null
}
