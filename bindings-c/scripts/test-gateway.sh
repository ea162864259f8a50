# Sourced by the C test scripts: starts `taap serve` on a free loopback port for the client
# tests and exports what they read (TAAP_TEST_CLIENT_ID, TAAP_TEST_CLIENT_SECRET,
# TAAP_TEST_GATEWAY, TAAP_TEST_GATEWAY_LOG). The gateway is stopped when the calling shell
# exits. Needs a `fail` function in the caller.
#
#   start_test_gateway TAAP_BINARY PUBLIC_KEY_FILE LOG_FILE CLIENT_ID
start_test_gateway() {
    local taap="$1" public_key="$2" log="$3" client_id="$4"
    export TAAP_TEST_CLIENT_ID="$client_id" TAAP_TEST_CLIENT_SECRET="$client_id-secret-$RANDOM$RANDOM"
    "$taap" serve --port 0 --client-id "$TAAP_TEST_CLIENT_ID" --client-secret-env TAAP_TEST_CLIENT_SECRET \
        --public-key "$public_key" >"$log" 2>&1 &
    gateway_pid=$!
    trap 'kill "$gateway_pid" 2>/dev/null || true' EXIT
    for _ in $(seq 300); do
        grep -q '^listening on ' "$log" && break
        kill -0 "$gateway_pid" 2>/dev/null || fail "taap serve stopped: $(cat "$log")"
        sleep 0.1
    done
    TAAP_TEST_GATEWAY="$(sed -n 's/^listening on //p' "$log" | head -n 1)"
    [[ -n "$TAAP_TEST_GATEWAY" ]] || fail "taap serve did not say where it listens"
    export TAAP_TEST_GATEWAY TAAP_TEST_GATEWAY_LOG="$log"
}
