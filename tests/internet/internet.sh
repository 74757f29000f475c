#!/usr/bin/env bash
# A private "internet" for the networking tests and benchmark, so no sandbox traffic ever leaves the
# machine: a network namespace joined to the host by a veth pair (the host end is the uplink Paddock is
# pointed at), holding web servers (HTTP and HTTPS, with a test CA) on documentation addresses, a DNS
# server for the test domains, and decoys on addresses no sandbox may reach (a private address, the cloud
# metadata address): if a rule failed, a test would reach them.
#
#   internet.sh up DIR     makes it; DIR receives ca.pem and the pids. Prints the settings to use.
#   internet.sh down DIR   removes everything it made.
set -euo pipefail
cmd=${1:?up or down}
dir=${2:?state directory}
ns=paddock-inet
uplink=tinet0
here=$(cd "$(dirname "$0")" && pwd)

down() {
    for pid in "$dir"/*.pid; do
        [ -f "$pid" ] && kill "$(cat "$pid")" 2>/dev/null || true
    done
    # Whatever still runs in the namespace (an earlier run that was not taken down) goes with it.
    ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
    ip link del "$uplink" 2>/dev/null || true
    rm -rf "$dir"
}

if [ "$cmd" = down ]; then
    down
    exit 0
fi

down
mkdir -p "$dir"
ip netns add "$ns"
ip link add "$uplink" type veth peer name up0 netns "$ns"
ip addr add 198.51.100.1/24 dev "$uplink"
ip link set "$uplink" up
ip -n "$ns" addr add 198.51.100.2/24 dev up0
ip -n "$ns" link set up0 up
ip -n "$ns" link set lo up
ip -n "$ns" link add web0 type bridge
for address in 203.0.113.10 203.0.113.11 203.0.113.12 203.0.113.53 10.99.0.10 169.254.169.254; do
    ip -n "$ns" addr add "$address/32" dev web0
done
ip -n "$ns" link set web0 up
ip -n "$ns" route add default via 198.51.100.1

# The test CA and one certificate for every test name.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=Paddock test CA" \
    -keyout "$dir/ca.key" -out "$dir/ca.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=api.test" -keyout "$dir/server.key" -out "$dir/server.csr" 2>/dev/null
printf 'subjectAltName=DNS:api.test,DNS:other.test,DNS:wild.test,DNS:*.wild.test,DNS:files.test,DNS:private.test,DNS:metadata.test,IP:203.0.113.10,IP:203.0.113.11\n' > "$dir/san.ext"
openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial -days 2 \
    -extfile "$dir/san.ext" -out "$dir/server.pem" 2>/dev/null

ip netns exec "$ns" dnsmasq --keep-in-foreground --no-resolv --no-hosts --bind-interfaces --listen-address=203.0.113.53 \
    --user=root --pid-file= \
    --address=/api.test/203.0.113.10 --address=/other.test/203.0.113.10 --address=/wild.test/203.0.113.11 \
    --address=/files.test/203.0.113.12 --address=/private.test/10.99.0.10 --address=/metadata.test/169.254.169.254 \
    >"$dir/dns.log" 2>&1 &
echo $! > "$dir/dns.pid"
ip netns exec "$ns" node "$here/server.mjs" "$dir" >"$dir/web.log" 2>&1 &
echo $! > "$dir/web.pid"

for _ in $(seq 1 100); do
    if ip netns exec "$ns" bash -c 'exec 3<>/dev/tcp/203.0.113.10/443' 2>/dev/null; then
        break
    fi
    sleep 0.1
done

cat <<SETTINGS
PADDOCK_NETWORK_UPLINK=$uplink
PADDOCK_NETWORK_UPLINK_GATEWAY=198.51.100.2
PADDOCK_NETWORK_DNS=203.0.113.53
SETTINGS
