#!/usr/bin/python3
"""aria2_queue.py - aria2's side of M5 and M6: memory per queued (paused)
download and the latency of aria2.tellStatus over JSON-RPC.

    aria2_queue.py PORT DIR URL N CALLS

Starts aria2c with RPC on 127.0.0.1:PORT (loopback only), adds N paused
downloads of URL (aria2.addUri with pause=true, batched through
system.multicall), reads the RSS delta from /proc, times CALLS
tellStatus calls over one keep-alive connection, stops aria2c. Prints
bench figure lines (see bench/lib/common.sh)."""
import http.client
import json
import subprocess
import sys
import time


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def main():
    port, work, url, n, calls = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    proc = subprocess.Popen(["taskset", "-c", "0", "aria2c", "--no-conf", "-q", "--enable-rpc",
                             f"--rpc-listen-port={port}", "--rpc-listen-all=false",
                             f"--max-download-result={n}", "-d", work],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        conn = None
        for _ in range(100):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", int(port), timeout=30)
                conn.connect()
                break
            except OSError:
                conn = None
                time.sleep(0.05)
        if conn is None:
            sys.exit("aria2c did not start")

        def call(method, params):
            body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
            conn.request("POST", "/jsonrpc", body, {"Content-Type": "application/json"})
            return json.loads(conn.getresponse().read())["result"]

        call("aria2.getVersion", [])
        time.sleep(0.2)
        before = rss_kib(proc.pid)
        gids = []
        for start in range(0, n, 500):
            batch = [{"methodName": "aria2.addUri",
                      "params": [[url], {"pause": "true", "out": f"q{i}.bin"}]}
                     for i in range(start, min(n, start + 500))]
            gids += [r[0] for r in call("system.multicall", [batch])]
        time.sleep(0.5)
        after = rss_kib(proc.pid)
        kb = (after - before) * 1024 / 1000 / n
        print(f"M5\tRSS per job, {n} jobs\taria2c (RPC, paused)\tKB/job\t{kb:.3f}")
        lat = []
        for i in range(calls):
            t = time.perf_counter_ns()
            call("aria2.tellStatus", [gids[i % n], ["status"]])
            lat.append(time.perf_counter_ns() - t)
        lat.sort()
        for name, v in (("p50", lat[len(lat) // 2]), ("p99", lat[len(lat) * 99 // 100]),
                        ("max", lat[-1])):
            print(f"M6\ttellStatus {name}, {n} paused jobs\taria2c (JSON-RPC, keep-alive)\tus\t{v / 1e3:.2f}")
    finally:
        proc.kill()
        proc.wait()


main()
