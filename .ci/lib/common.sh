# Shared by the .ci suite scripts: a server of our own on a free loopback port, stopped on exit.
# Source it, then call `start_server DATABASE_URL [VAR=value …]`; it sets SERVER_PID and BASE.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
THIDUA_BIN="${THIDUA_BIN:-$ROOT/target/debug/thidua}"
ADMIN_PASSWORD="admin-password-for-the-suites"
SERVER_PID=""
BASE=""

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Builds the binary unless THIDUA_BIN names one already.
build_binary() {
    if [ "$THIDUA_BIN" = "$ROOT/target/debug/thidua" ]; then
        (cd "$ROOT" && cargo build --quiet --bin thidua)
    fi
}

start_server() {
    local url="$1"
    shift
    local port
    port="$(free_port)"
    BASE="http://127.0.0.1:$port"
    env DATABASE_URL="$url" THIDUA_BIND="127.0.0.1:$port" THIDUA_ADMIN_PASSWORD="$ADMIN_PASSWORD" \
        THIDUA_JWT_SECRET="suites-secret-0123456789-0123456789-abcdef" \
        THIDUA_LOG_FORMAT=json RUST_LOG="${RUST_LOG:-warn}" "$@" \
        "$THIDUA_BIN" serve >>"${SERVER_LOG:-/dev/null}" 2>&1 &
    SERVER_PID=$!
    wait_ready
}

wait_ready() {
    for _ in $(seq 1 100); do
        if curl -fsS -o /dev/null "$BASE/readyz" 2>/dev/null; then return 0; fi
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            echo "the server exited before it was ready" >&2
            return 1
        fi
        sleep 0.2
    done
    echo "the server was not ready after 20 s" >&2
    return 1
}

stop_server() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.2; done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    SERVER_PID=""
}
