# data.sh - the files nginx serves, made in tmpfs ($DATA):
#   big.bin      $BIG_MIB MiB of random bytes (M1, M3, M7)
#   small/fNNNN.bin  $SMALL_FILES files of 4 KiB (M2)
#   rate-N.bin   N MB/s x $RATE_SECONDS s, for the rate caps (M8)
#   mid.bin      the first $MID_MIB MiB of big.bin (M7)
#   change-a.bin, change-b.bin  same size, different bytes (M4)
make_data() {
    mkdir -p "$DATA/small"
    head -c "$((BIG_MIB << 20))" /dev/urandom >"$DATA/big.bin"
    head -c "$((SMALL_FILES * 4096))" /dev/urandom >"$WORK/small.all"
    (cd "$DATA/small" && split -a 4 -d -b 4096 "$WORK/small.all" f && for f in f*; do mv "$f" "$f.bin"; done)
    rm -f "$WORK/small.all"
    head -c "$((MID_MIB << 20))" "$DATA/big.bin" >"$DATA/mid.bin"
    for rate in $RATES_MB; do
        head -c "$(awk -v r="$rate" -v s="$RATE_SECONDS" 'BEGIN { printf "%d", r * 1e6 * s }')" \
            "$DATA/big.bin" >"$DATA/rate-$rate.bin"
    done
    head -c "$((CHANGE_MIB << 20))" /dev/urandom >"$DATA/change-a.bin"
    head -c "$((CHANGE_MIB << 20))" /dev/urandom >"$DATA/change-b.bin"
    chmod -R a+rX "$DATA"
}
