# nginx.sh - a private nginx on 127.0.0.1 for the benchmarks: its own
# prefix, config, logs and temp dirs under $1, serving $2; never the
# system's config. $2 must be readable by nobody (the worker's user).
# Sets NGINX_URL and NGINX_LOG. Stop with nginx_stop.
#   /d/FILE          the file at full speed (sendfile)
#   /slow/TAG/FILE   first request capped at $3 bytes/s; requests with a
#                    Range header (resumes) are not capped, so a resume is
#                    quick. TAG only names the attempt in the access log.
#   /trickle/FILE    capped at 64 KiB/s: a transfer that keeps running.

nginx_start() {
    local dir="$1" data="$2" rate="$3" port
    port="$(free_port)"
    mkdir -p "$dir/tmp"
    cat >"$dir/nginx.conf" <<CONF
worker_processes 1;
worker_cpu_affinity 10;
daemon on;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
http {
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    keepalive_timeout 60s;
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    log_format bench '\$connection \$request_uri \$status \$body_bytes_sent "\$http_range" "\$http_if_range"';
    access_log $dir/access.log bench;
    map \$http_range \$first_rate { "" $rate; default 0; }
    server {
        listen 127.0.0.1:$port;
        root $data;
        location /d/ { alias $data/; }
        location ~ ^/slow/[^/]+/(.+)\$ { alias $data/\$1; limit_rate \$first_rate; }
        location /trickle/ { alias $data/; limit_rate 64k; }
    }
}
CONF
    nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log"
    NGINX_URL="http://127.0.0.1:$port"
    NGINX_LOG="$dir/access.log"
    NGINX_PID_FILE="$dir/nginx.pid"
    for _ in $(seq 50); do
        curl -s -o /dev/null "$NGINX_URL/d/" && return 0
        sleep 0.1
    done
    echo "bench: nginx did not start; see $dir/error.log" >&2
    return 1
}

nginx_stop() {
    [ -n "${NGINX_PID_FILE:-}" ] && [ -s "$NGINX_PID_FILE" ] || return 0
    local pid
    pid="$(cat "$NGINX_PID_FILE")"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    NGINX_PID_FILE=""
}
