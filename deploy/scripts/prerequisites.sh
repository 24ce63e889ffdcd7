# Installs, or names the command that installs, the system packages the service and its tests need.
# Sourced by deploy/run.sh and deploy/test.sh.

run_as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else return 1
  fi
}

apt_install() {
  local packages=("$@")
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "error: missing ${packages[*]}; install them with your system's package manager." >&2
    exit 1
  fi
  echo "Installing ${packages[*]} (Debian packages)..." >&2
  if ! { run_as_root apt-get update -qq && DEBIAN_FRONTEND=noninteractive run_as_root apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null; }; then
    echo "error: could not install ${packages[*]}. Run: sudo apt-get install -y ${packages[*]}" >&2
    exit 1
  fi
}

# PostgreSQL server binaries (initdb, pg_ctl) for the embedded database. Debian keeps them in
# /usr/lib/postgresql/N/bin, off the PATH; the service finds them there.
ensure_postgres_binaries() {
  if command -v initdb >/dev/null 2>&1 || compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
    return
  fi
  apt_install postgresql
}

# Debian's Chromium, for the browser tests of the newsroom plugin (test tools cannot download browsers).
ensure_chromium() {
  if command -v chromium >/dev/null 2>&1; then
    return
  fi
  apt_install chromium
}
