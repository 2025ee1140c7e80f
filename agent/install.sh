#!/bin/sh
# serversctl agent installer. Usage (the dashboard prints this line for you):
#   curl -fsSL https://CONTROL/install.sh | sudo bash -s -- --server https://CONTROL --secret SECRET
# Running it again upgrades the agent in place and keeps its enrolment.
# SERVERSCTL_ROOT installs under another root folder (used by the tests);
# SERVERSCTL_NO_SYSTEMD=1 skips the systemd unit.
set -eu

SERVER=""
SECRET=""
ROOT="${SERVERSCTL_ROOT:-}"

say() { printf 'serversctl: %s\n' "$*"; }
die() { printf 'serversctl: error: %s\n' "$*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case "$1" in
    --server) SERVER="${2:-}"; shift 2 ;;
    --secret) SECRET="${2:-}"; shift 2 ;;
    *) die "unknown option: $1" ;;
  esac
done
[ -n "$SERVER" ] || die "--server is required"
SERVER="${SERVER%/}"

if [ -z "$ROOT" ] && [ "$(id -u)" != "0" ]; then
  die "run as root (pipe into 'sudo bash')"
fi

case "$(uname -m)" in
  x86_64|amd64) ARCH=x64 ;;
  aarch64|arm64) ARCH=arm64 ;;
  *) die "unsupported architecture $(uname -m): serversctl runs on x86_64 and aarch64" ;;
esac

OS_RELEASE="$ROOT/etc/os-release"
[ -r "$OS_RELEASE" ] || die "cannot read $OS_RELEASE: unsupported system"
OS_ID=$(sed -n 's/^ID=//p' "$OS_RELEASE" | tr -d '"' | head -n 1)
OS_LIKE=$(sed -n 's/^ID_LIKE=//p' "$OS_RELEASE" | tr -d '"' | head -n 1)
case " $OS_ID $OS_LIKE " in
  *" debian "*|*" ubuntu "*) FAMILY=debian ;;
  *" rhel "*|*" centos "*|*" fedora "*|*" rocky "*|*" almalinux "*) FAMILY=rhel ;;
  *) die "unsupported distribution '$OS_ID': serversctl supports Ubuntu, Debian, Rocky, AlmaLinux, CentOS and RHEL" ;;
esac
say "detected $OS_ID ($FAMILY family) on $ARCH"

fetch() { # url file
  if command -v curl >/dev/null 2>&1; then curl -fsSL "$1" -o "$2"
  elif command -v wget >/dev/null 2>&1; then wget -q "$1" -O "$2"
  else die "neither curl nor wget is installed"
  fi
}

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1" | cut -d' ' -f1
  else openssl dgst -sha256 "$1" | sed 's/.*= //'
  fi
}

FILE="serversctl-agent-linux-$ARCH"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
say "downloading $FILE from $SERVER"
fetch "$SERVER/agent/download/$FILE" "$TMP/agent" || die "download failed"
fetch "$SERVER/agent/SHA256SUMS" "$TMP/sums" || die "could not fetch checksums"
WANT=$(grep " $FILE\$" "$TMP/sums" | cut -d' ' -f1)
GOT=$(sha256 "$TMP/agent")
[ -n "$WANT" ] || die "the server publishes no checksum for $FILE"
[ "$WANT" = "$GOT" ] || die "checksum mismatch for $FILE (expected $WANT, got $GOT): not installing"
say "checksum ok ($GOT)"

BIN="$ROOT/usr/local/bin/serversctl-agent"
CONF_DIR="$ROOT/etc/serversctl"
CONF="$CONF_DIR/agent.json"
mkdir -p "$ROOT/usr/local/bin" "$CONF_DIR"
chmod 700 "$CONF_DIR"
install -m 0755 "$TMP/agent" "$BIN.new"
mv -f "$BIN.new" "$BIN"
"$BIN" version >/dev/null || die "the downloaded agent does not run on this system"

if [ -n "$SECRET" ]; then
  say "enrolling with $SERVER"
  "$BIN" enroll --server "$SERVER" --secret "$SECRET" --config "$CONF" || die "enrolment refused (see the message above and the member's activity in the dashboard)"
elif [ -f "$CONF" ]; then
  say "already enrolled: upgrading in place"
else
  die "--secret is required for a first install"
fi

if [ "${SERVERSCTL_NO_SYSTEMD:-0}" = "1" ] || ! command -v systemctl >/dev/null 2>&1; then
  say "installed $BIN (no systemd: start it with '$BIN run')"
  exit 0
fi

cat > "$ROOT/etc/systemd/system/serversctl-agent.service" <<UNIT
[Unit]
Description=serversctl agent
After=network-online.target
Wants=network-online.target

[Service]
ExecStart=/usr/local/bin/serversctl-agent run --config /etc/serversctl/agent.json
Restart=always
RestartSec=5
KillSignal=SIGTERM
TimeoutStopSec=30

[Install]
WantedBy=multi-user.target
UNIT
systemctl daemon-reload
systemctl enable serversctl-agent >/dev/null 2>&1
systemctl restart serversctl-agent
say "serversctl-agent is running; it will show as healthy in the dashboard within a few seconds"
