# Sourced by the demo and other scripts: starts and stops a throwaway
# PostgreSQL server on 127.0.0.1 in a temporary directory.
#
# pg_start <bin_dir> <dir>  sets PG_PORT, PG_PASSWORD, PG_DIR, PG_BIN_DIR
# pg_stop                   stops the server (safe to call twice)
#
# initdb and postgres refuse to run as root, so when we are root they run as
# the `postgres` user (or `nobody` when there is none).

pg__as_user() {
    if [[ "$(id -u)" == 0 ]]; then
        runuser -u "$PG_OS_USER" -- "$@"
    else
        "$@"
    fi
}

pg__free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

pg_start() {
    PG_BIN_DIR="$1"
    PG_DIR="$2"
    PG_OS_USER="postgres"
    id -u postgres >/dev/null 2>&1 || PG_OS_USER="nobody"
    PG_PASSWORD="demo-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
    PG_PORT="$(pg__free_port)"
    mkdir -p "$PG_DIR"
    chmod 755 "$PG_DIR"
    printf '%s\n' "$PG_PASSWORD" >"$PG_DIR/pwfile"
    if [[ "$(id -u)" == 0 ]]; then chown -R "$PG_OS_USER" "$PG_DIR"; fi
    pg__as_user "$PG_BIN_DIR/initdb" -D "$PG_DIR/data" -U postgres --auth=scram-sha-256 \
        --pwfile="$PG_DIR/pwfile" --encoding=UTF8 --locale=C --no-sync >"$PG_DIR/initdb.log" 2>&1
    pg__as_user "$PG_BIN_DIR/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w \
        -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR -c fsync=off" start >/dev/null
    PG_STARTED=1
}

pg_stop() {
    if [[ "${PG_STARTED:-0}" == 1 ]]; then
        pg__as_user "$PG_BIN_DIR/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
        PG_STARTED=0
    fi
}
