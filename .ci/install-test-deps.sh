#!/bin/sh
# Installs and starts what the test suite needs on Debian 12 (run as root).
# Safe to run again: it installs only what is missing.
set -eu

missing=""
[ -x /usr/bin/chromium ] || missing="$missing chromium"
command -v pg_ctlcluster >/dev/null 2>&1 || missing="$missing postgresql"
[ -x /usr/sbin/pdns_server ] || missing="$missing pdns-server"
[ -e /usr/lib/x86_64-linux-gnu/pdns/libgsqlite3backend.so ] || ls /usr/lib/*/pdns/libgsqlite3backend.so >/dev/null 2>&1 || missing="$missing pdns-backend-sqlite3"
command -v dig >/dev/null 2>&1 || missing="$missing bind9-dnsutils"
# A real ACME CA (with its mock DNS) and the client the Let's Encrypt job runs.
[ -x /usr/bin/pebble ] && [ -x /usr/bin/pebble-challtestsrv ] || missing="$missing pebble"
command -v certbot >/dev/null 2>&1 || missing="$missing certbot"
command -v openssl >/dev/null 2>&1 || missing="$missing openssl"
# Firewall job argv are checked by the real ufw's --dry-run (installing ufw leaves it disabled);
# SSH key fingerprints are compared with ssh-keygen's.
[ -x /usr/sbin/ufw ] || missing="$missing ufw"
command -v ssh-keygen >/dev/null 2>&1 || missing="$missing openssh-client"
[ -x /usr/sbin/mariadbd ] || missing="$missing mariadb-server"
if [ -n "$missing" ]; then
  echo "installing:$missing"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
fi
# The tests run their own PowerDNS on loopback ports; Debian's packaged one is not wanted.
if pgrep -x pdns_server >/dev/null 2>&1 && [ -z "${KEEP_SYSTEM_PDNS:-}" ]; then
  systemctl stop pdns >/dev/null 2>&1 || true
fi

# PostgreSQL: start the local cluster if it is down.
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  version=$(ls /etc/postgresql | sort -n | tail -n 1)
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi

# MariaDB: the agent's database detection and recipe checks query the local server as root.
if ! mariadb -e 'select 1' >/dev/null 2>&1; then
  mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld 2>/dev/null || true
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
  for _ in $(seq 1 30); do mariadb -e 'select 1' >/dev/null 2>&1 && break; sleep 1; done
fi

# The tests log in as postgres/postgres over TCP; give the role that password
# when the server asks for one (a fresh Debian install does, this CI does not).
url="postgres://postgres:postgres@127.0.0.1:5432/postgres"
if ! psql "$url" -Atqc 'select 1' >/dev/null 2>&1; then
  su postgres -c "psql -qc \"alter user postgres password 'postgres'\""
fi
psql "$url" -Atqc 'select 1' >/dev/null
echo "test dependencies ready"
