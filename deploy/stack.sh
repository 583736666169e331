#!/usr/bin/env bash
# deploy/stack.sh — the local service stack behind `make run`, `make stop`
# and the tests: PostgreSQL, Redis and nginx from Debian packages, every
# one of them living in one directory (sockets, data, logs, config), so
# several stacks (a `make run` instance and a `make test` instance) never
# collide. Run without arguments for the list of subcommands.
#
# Layout of a stack directory DIR:
#   DIR/stack.env        ports and options of this stack (written by `up`)
#   DIR/revenge.conf     the application's configuration (created once, 0600)
#   DIR/admin-credentials  the admin `run` created (0600)
#   DIR/pg/              PostgreSQL cluster (owned by `postgres` when root)
#   DIR/redis/           Redis config and working directory
#   DIR/nginx/           rendered nginx.conf, security-headers.conf, tmp/
#   DIR/tls/             self-signed cert.pem / key.pem for localhost
#   DIR/www/             static web root     DIR/storage/ user content; its images/ is cached artwork
#   DIR/media/           sample media root   DIR/log/     every log file
#                        (DIR/media, DIR/demo-media and DIR/demo-tv are the config's library.allowed_roots)
#   DIR/demo-media/      the clips of the demo movie library `run` makes
#   DIR/demo-tv/         the episodes of its demo TV library
#   DIR/demo-removed     marker of `demo-remove`: `run` makes no demo library
#   DIR/run/             pg/ (PostgreSQL socket dir), redis.sock, fcgi.sock, *.pid
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# nginx, runuser and friends live in sbin, which an ordinary user's PATH
# often lacks.
PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

DEFAULT_HTTPS_PORT=8443
DEFAULT_HTTP_PORT=8080
DEFAULT_MAX_BODY=1m
DB_NAME=revenge
DB_ROLE=revenge
PG_SUPERUSER=postgres   # the bootstrap superuser of every stack cluster

die() {
	printf 'stack: %s\n' "$*" >&2
	exit 1
}
warn() { printf 'stack: %s\n' "$*" >&2; }

usage() {
	cat <<'EOF'
usage: deploy/stack.sh COMMAND [ARGS]

  deps                      install the Debian packages that are missing
  deps-fuzz                 install clang and libFuzzer when missing
  deps-browser              install Chromium for the browser tests when missing
  up DIR [--https-port N] [--http-port N] [--max-body SIZE] [--fast]
                            create (once) and start PostgreSQL, Redis, nginx
                            (--fast: fsync off, for throwaway test stacks)
  run DIR [BUILD_DIR] [up options]
                            up + migrate + admin (once) + start-app, wait for /readyz,
                            then the demo library (REVENGE_DEMO=0 skips it)
  demo DIR                  make (again) the demo library of a running stack
  demo-remove DIR           delete it, DIR/demo-media and DIR/demo-tv; run leaves it out from then on
  start-app DIR [BUILD_DIR] start revenge-fcgi and revenge-worker if not running
  stop-app DIR              stop them (SIGTERM, SIGKILL after 15 s)
  migrate DIR [BUILD_DIR]   apply database migrations
  down DIR                  stop everything of the stack
  destroy DIR               down, then delete DIR
  status DIR                what runs
  env DIR                   print export lines for PG*, REDIS_SOCKET, ports
  pg-stop DIR [--immediate] | pg-start DIR | pg-restart DIR
  redis-stop DIR | redis-start DIR
                            outage simulation for integration tests
BUILD_DIR defaults to build/ in the repository.
EOF
}

is_root() { [ "$(id -u)" -eq 0 ]; }

have_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || return 1
	done
}

# have_file GLOB...: some file matches one of the patterns.
have_file() {
	local g
	for g in "$@"; do
		compgen -G "$g" >/dev/null && return 0
	done
	return 1
}

# ---------------------------------------------------------------------------
# deps
# ---------------------------------------------------------------------------

# "package|check|check..." where a check is cmd:NAME or file:GLOB[ GLOB...]
# (one of the patterns must match; headers may sit in the multiarch
# directory). A package is installed when any of its checks fails.
BASE_DEPS=(
	'build-essential|cmd:cc|cmd:make|file:/usr/include/stdio.h'
	'pkg-config|cmd:pkg-config'
	'libfcgi-dev|file:/usr/include/fcgiapp.h'
	'libpq-dev|file:/usr/include/postgresql/libpq-fe.h'
	'libhiredis-dev|file:/usr/include/hiredis/hiredis.h'
	'libcjson-dev|file:/usr/include/cjson/cJSON.h'
	'libcurl4-openssl-dev|file:/usr/include/curl/curl.h /usr/include/*/curl/curl.h'
	'libssl-dev|file:/usr/include/openssl/ssl.h'
	'libcmocka-dev|file:/usr/include/cmocka.h'
	'libargon2-dev|file:/usr/include/argon2.h'
	'libutf8proc-dev|file:/usr/include/utf8proc.h'
	'libsystemd-dev|file:/usr/include/systemd/sd-daemon.h'
	# QR codes of TOTP secrets (MFA setup)
	'libqrencode-dev|file:/usr/include/qrencode.h'
	'prometheus|cmd:promtool'
	'postgresql|file:/usr/lib/postgresql/*/bin/initdb|file:/usr/lib/postgresql/*/bin/pg_ctl|file:/usr/lib/postgresql/*/bin/psql'
	'postgresql-contrib|file:/usr/share/postgresql/*/extension/pg_trgm.control|file:/usr/share/postgresql/*/extension/unaccent.control|file:/usr/share/postgresql/*/extension/pgcrypto.control'
	'redis-server|cmd:redis-server|cmd:redis-cli'
	'nginx|cmd:nginx|file:/etc/nginx/mime.types|file:/etc/nginx/fastcgi_params'
	'libnginx-mod-http-brotli-filter|file:/usr/lib/nginx/modules/ngx_http_brotli_filter_module.so'
	'openssl|cmd:openssl'
	'curl|cmd:curl'
	# the SMTP server the notification tests deliver mail to
	'python3-aiosmtpd|file:/usr/lib/python3/dist-packages/aiosmtpd/__init__.py'
	'jq|cmd:jq'
	'wrk|cmd:wrk'
	'cppcheck|cmd:cppcheck'
	'ffmpeg|cmd:ffmpeg|cmd:ffprobe'
	'libavformat-dev|file:/usr/include/libavformat/avformat.h /usr/include/*/libavformat/avformat.h'
	'libavcodec-dev|file:/usr/include/libavcodec/avcodec.h /usr/include/*/libavcodec/avcodec.h'
	'libavutil-dev|file:/usr/include/libavutil/avutil.h /usr/include/*/libavutil/avutil.h'
	'procps|cmd:pgrep|cmd:ps'
	'psmisc|cmd:fuser|cmd:killall'
	'iproute2|cmd:ss|cmd:ip'
	'util-linux|cmd:runuser|cmd:setsid|cmd:flock'
	# the web client's build (web/: npm ci from its lock file, then Vite)
	'nodejs|cmd:node'
	'npm|cmd:npm'
)

missing_packages() {
	local entry pkg check
	local -a checks
	for entry in "$@"; do
		IFS='|' read -r -a checks <<<"$entry"
		pkg=${checks[0]}
		for check in "${checks[@]:1}"; do
			case $check in
			cmd:*) have_cmd "${check#cmd:}" || { printf '%s\n' "$pkg"; break; } ;;
			file:*)
				# shellcheck disable=SC2086 # the patterns are split on purpose
				have_file ${check#file:} || { printf '%s\n' "$pkg"; break; } ;;
			esac
		done
	done
}

# apt-get as root or through sudo, with service start-up blocked: Debian's
# postinst scripts would otherwise start a system PostgreSQL, Redis and
# nginx (port 80) that the stack does not use.
apt_install() {
	local -a sudo=()
	if ! is_root; then
		have_cmd sudo || die "need root or sudo to install: $*"
		sudo=(sudo)
	fi
	local log policy=/usr/sbin/policy-rc.d created_policy=0 rc=0
	log=$(mktemp)
	if [ ! -e "$policy" ]; then
		"${sudo[@]}" sh -c "printf '#!/bin/sh\n# written by deploy/stack.sh during apt-get install\nexit 101\n' > $policy && chmod 0755 $policy"
		created_policy=1
	fi
	echo "stack: installing $*"
	{
		# another apt run (unattended upgrades, a second install) is waited
		# for instead of failing on its lock
		"${sudo[@]}" apt-get -o DPkg::Lock::Timeout=300 update -q &&
			"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
				apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends "$@"
	} >"$log" 2>&1 || rc=$?
	if [ "$created_policy" = 1 ]; then
		"${sudo[@]}" rm -f "$policy"
	fi
	if [ "$rc" -ne 0 ]; then
		tail -n 25 "$log" >&2
		rm -f "$log"
		die "apt-get failed (exit $rc)"
	fi
	rm -f "$log"
}

cmd_deps() {
	local -a missing
	mapfile -t missing < <(missing_packages "${BASE_DEPS[@]}")
	[ "${#missing[@]}" -eq 0 ] || apt_install "${missing[@]}"
}

# the browser tests (tests/browser): Debian's Chromium, driven by playwright-core
cmd_deps_browser() {
	local -a missing
	mapfile -t missing < <(missing_packages 'chromium|cmd:chromium')
	[ "${#missing[@]}" -eq 0 ] || apt_install "${missing[@]}"
}

cmd_deps_fuzz() {
	local major=""
	if have_cmd clang; then
		major=$(clang -dumpversion | cut -d. -f1)
	elif have_cmd apt-cache; then
		major=$(apt-cache depends clang 2>/dev/null | sed -n 's/.*Depends: clang-\([0-9][0-9]*\)$/\1/p' | head -n 1)
	fi
	major=${major:-14}
	local -a missing
	mapfile -t missing < <(missing_packages \
		'clang|cmd:clang' \
		"libclang-rt-$major-dev|file:/usr/lib/llvm-$major/lib/clang/*/lib/linux/libclang_rt.fuzzer-*.a")
	[ "${#missing[@]}" -eq 0 ] || apt_install "${missing[@]}"
}

# ---------------------------------------------------------------------------
# stack directory, options, helpers
# ---------------------------------------------------------------------------

DIR=""
DIR_ARG=""
BUILD_DIR=""
HTTPS_PORT=""
HTTP_PORT=""
MAX_BODY=""
FAST=""
PG_IMMEDIATE=0

# parse_args ARGS...: the stack directory, an optional BUILD_DIR, options
# anywhere. Sets DIR (absolute), DIR_ARG (as given) and the stack's state.
parse_args() {
	local positional=()
	while [ $# -gt 0 ]; do
		case $1 in
		--https-port) [ $# -ge 2 ] || die "$1 needs a value"; HTTPS_PORT=$2; shift 2 ;;
		--https-port=*) HTTPS_PORT=${1#*=}; shift ;;
		--http-port) [ $# -ge 2 ] || die "$1 needs a value"; HTTP_PORT=$2; shift 2 ;;
		--http-port=*) HTTP_PORT=${1#*=}; shift ;;
		--max-body) [ $# -ge 2 ] || die "$1 needs a value"; MAX_BODY=$2; shift 2 ;;
		--max-body=*) MAX_BODY=${1#*=}; shift ;;
		--build) [ $# -ge 2 ] || die "$1 needs a value"; BUILD_DIR=$2; shift 2 ;;
		--build=*) BUILD_DIR=${1#*=}; shift ;;
		--fast) FAST=1; shift ;;
		--no-fast) FAST=0; shift ;;
		--immediate) PG_IMMEDIATE=1; shift ;;
		--) shift; positional+=("$@"); break ;;
		-*) die "unknown option $1" ;;
		*) positional+=("$1"); shift ;;
		esac
	done
	[ "${#positional[@]}" -ge 1 ] || die "missing stack directory (try: deploy/stack.sh help)"
	[ "${#positional[@]}" -le 2 ] || die "too many arguments: ${positional[*]}"
	DIR_ARG=${positional[0]}
	[ -n "$DIR_ARG" ] || die "empty stack directory"
	DIR=$(realpath -m -- "$DIR_ARG")
	if [ "${#positional[@]}" -eq 2 ]; then
		BUILD_DIR=${positional[1]}
	fi
	# The path is written into nginx, PostgreSQL and Redis configs and into
	# URLs; keep it to characters none of them needs quoted.
	[[ $DIR =~ ^/[A-Za-z0-9._/+-]+$ ]] ||
		die "stack directory '$DIR' may only contain letters, digits and . _ / + -"
	[ "$DIR" != / ] || die "refusing / as a stack directory"
	# A unix socket path has at most 107 bytes; the longest is run/pg/.s.PGSQL.5432.
	[ $((${#DIR} + 21)) -le 107 ] ||
		die "stack directory path too long for unix sockets (max 86 characters): $DIR"
	load_state
}

valid_port() { [[ $1 =~ ^[0-9]{1,5}$ ]] && [ "$1" -ge 1 ] && [ "$1" -le 65535 ]; }

# stack.env is parsed, not sourced: only known keys with checked values.
load_state() {
	local key val s_https="" s_http="" s_body="" s_fast=""
	if [ -f "$DIR/stack.env" ]; then
		while IFS='=' read -r key val; do
			case $key in
			HTTPS_PORT) s_https=$val ;;
			HTTP_PORT) s_http=$val ;;
			MAX_BODY) s_body=$val ;;
			FAST) s_fast=$val ;;
			esac
		done <"$DIR/stack.env"
	fi
	HTTPS_PORT=${HTTPS_PORT:-${s_https:-$DEFAULT_HTTPS_PORT}}
	HTTP_PORT=${HTTP_PORT:-${s_http:-$DEFAULT_HTTP_PORT}}
	MAX_BODY=${MAX_BODY:-${s_body:-$DEFAULT_MAX_BODY}}
	FAST=${FAST:-${s_fast:-0}}
	valid_port "$HTTPS_PORT" || die "bad HTTPS port '$HTTPS_PORT'"
	valid_port "$HTTP_PORT" || die "bad HTTP port '$HTTP_PORT'"
	[ "$HTTPS_PORT" != "$HTTP_PORT" ] || die "HTTPS and HTTP port must differ"
	[[ $MAX_BODY =~ ^[0-9]+[kKmMgG]?$ ]] || die "bad --max-body '$MAX_BODY' (e.g. 1m, 512k)"
	[[ $FAST =~ ^[01]$ ]] || die "bad FAST in $DIR/stack.env"
}

save_state() {
	local tmp="$DIR/stack.env.tmp"
	printf '# deploy/stack.sh state of this stack; rewritten by up\nHTTPS_PORT=%s\nHTTP_PORT=%s\nMAX_BODY=%s\nFAST=%s\n' \
		"$HTTPS_PORT" "$HTTP_PORT" "$MAX_BODY" "$FAST" >"$tmp"
	mv -f "$tmp" "$DIR/stack.env"
}

resolve_build() {
	if [ -z "$BUILD_DIR" ]; then
		BUILD_DIR="$ROOT/build"
	fi
	BUILD_DIR=$(realpath -m -- "$BUILD_DIR")
}

need_bin() {
	[ -x "$1" ] || die "$1 not found: build it first (run make first)"
}

# One stack operation at a time per directory. Every daemon is started with
# fd 9 closed so none of them inherits the lock.
lock_stack() {
	exec 9>>"$DIR/.lock"
	flock -w 300 9 || die "another deploy/stack.sh holds $DIR/.lock"
}

read_pid() { head -c 32 "$1" 2>/dev/null | tr -dc 0-9; }

# proc_live PID: the process exists and is not a zombie (in a container
# whose init does not reap, a dead daemon stays a zombie forever).
proc_live() {
	local stat
	[ -n "$1" ] || return 1
	{ IFS= read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
	stat=${stat##*) }
	[ "${stat%% *}" != Z ]
}

# group_live PGID: a live process is in the process group.
group_live() {
	local f line state pgrp
	for f in /proc/[0-9]*/stat; do
		{ IFS= read -r line <"$f"; } 2>/dev/null || continue
		line=${line##*) }
		read -r state _ pgrp _ <<<"$line"
		[ "$pgrp" = "$1" ] && [ "$state" != Z ] && return 0
	done
	return 1
}

# pid_alive PIDFILE COMM-PREFIX: the pid in the file names a live process
# whose command name starts with the prefix (guards against pid reuse).
pid_alive() {
	local pid comm
	[ -f "$1" ] || return 1
	pid=$(read_pid "$1")
	proc_live "$pid" || return 1
	comm=$(cat "/proc/$pid/comm" 2>/dev/null) || return 1
	case $comm in "$2"*) return 0 ;; esac
	return 1
}

# wait_gone PID SECONDS: 0 when the process is gone in time.
wait_gone() {
	local pid=$1 n=$(($2 * 10))
	while [ "$n" -gt 0 ]; do
		proc_live "$pid" || return 0
		sleep 0.1
		n=$((n - 1))
	done
	! proc_live "$pid"
}

log_tail() {
	if [ -s "$1" ]; then
		printf -- '--- last lines of %s ---\n' "$1" >&2
		tail -n "${2:-20}" "$1" >&2
	fi
}

# ---------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------

PG_BIN=""
PG_OS_USER=""

pg_setup_vars() {
	if [ -n "${PG_BINDIR:-}" ]; then
		PG_BIN=$PG_BINDIR
	elif [ -x /usr/lib/postgresql/15/bin/initdb ]; then
		PG_BIN=/usr/lib/postgresql/15/bin
	else
		PG_BIN=$(compgen -G '/usr/lib/postgresql/*/bin/initdb' | sort -V | tail -n 1 || true)
		PG_BIN=${PG_BIN%/initdb}
	fi
	if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
		die "PostgreSQL server binaries not found (run: deploy/stack.sh deps)"
	fi
	if is_root; then
		PG_OS_USER=postgres
		id -u "$PG_OS_USER" >/dev/null 2>&1 ||
			die "user postgres does not exist (run: deploy/stack.sh deps)"
	else
		PG_OS_USER=$(id -un)
	fi
}

# PostgreSQL refuses to run as root: as root every server-side tool runs as
# `postgres`, from / so no inaccessible working directory gets in the way.
as_pg() {
	if is_root; then
		(cd / && runuser -u "$PG_OS_USER" -- "$@")
	else
		"$@"
	fi
}

pg_running() {
	[ -f "$DIR/pg/PG_VERSION" ] && as_pg "$PG_BIN/pg_ctl" -D "$DIR/pg" status >/dev/null 2>&1
}

# SQL on stdin, as the bootstrap superuser.
psql_admin() {
	"$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$DIR/run/pg" -U "$PG_SUPERUSER" -d postgres
}

pg_write_conf() {
	local conf="$DIR/pg/revenge-stack.conf" tmp total_mb mem_mb cache_mb
	total_mb=$(awk '/^MemTotal:/ {print int($2 / 1024)}' /proc/meminfo 2>/dev/null)
	mem_mb=$(( ${total_mb:-512} / 4 ))
	[ "$mem_mb" -lt 128 ] && mem_mb=128
	[ "$mem_mb" -gt 4096 ] && mem_mb=4096
	cache_mb=$(( ${total_mb:-2048} / 2 ))
	[ "$cache_mb" -lt 1024 ] && cache_mb=1024
	tmp=$(mktemp)
	{
		echo "# written by deploy/stack.sh on every 'up'; included from postgresql.conf"
		echo "listen_addresses = ''"
		echo "unix_socket_directories = '$DIR/run/pg'"
		echo "unix_socket_permissions = 0700"
		echo "max_connections = 200"
		# a quarter of the memory (PostgreSQL's own starting advice),
		# between 128 MB and 4 GB: at 100 000 movies the list items
		# alone are half a gigabyte, and a page whose rows are not in
		# shared buffers copies each from the kernel's cache
		echo "shared_buffers = ${mem_mb}MB"
		# the catalog is read from memory or SSD: a random read costs
		# about what a sequential one does, so index walks over a page
		# of a list win over scanning and sorting the table
		echo "random_page_cost = 1.1"
		echo "effective_cache_size = ${cache_mb}MB"
		# an API answers in milliseconds: compiling a plan costs more
		# than the large statements it would speed up
		echo "jit = off"
		echo "timezone = 'UTC'"
		echo "log_timezone = 'UTC'"
		echo "lc_messages = 'C'"
		echo "logging_collector = off"
		echo "log_line_prefix = '%m [%p] %q%u@%d '"
		echo "log_min_duration_statement = 1000"
		if [ "$FAST" = 1 ]; then
			echo "# --fast: a throwaway test stack; a crash may lose or corrupt data"
			echo "fsync = off"
			echo "synchronous_commit = off"
			echo "full_page_writes = off"
		fi
	} >"$tmp"
	if ! cmp -s "$tmp" "$conf" 2>/dev/null; then
		install -m 0600 "$tmp" "$conf"
		is_root && chown "$PG_OS_USER:" "$conf"
		if pg_running; then
			as_pg "$PG_BIN/pg_ctl" -D "$DIR/pg" reload -s >/dev/null
		fi
	fi
	rm -f "$tmp"
}

pg_init() {
	install -d -m 0700 "$DIR/pg" "$DIR/run/pg"
	: >>"$DIR/log/postgresql.log"
	if is_root; then
		chown "$PG_OS_USER:" "$DIR/pg" "$DIR/run/pg" "$DIR/log/postgresql.log"
		as_pg test -x "$DIR/run/pg" -a -w "$DIR/pg" ||
			die "user $PG_OS_USER cannot reach $DIR: every parent directory must be searchable by others (chmod o+x), or pick a stack directory elsewhere (e.g. under /var/tmp)"
	fi
	if [ ! -f "$DIR/pg/PG_VERSION" ]; then
		local -a locale_opts
		# A UTF-8 ctype lets lower(), full-text search, unaccent and pg_trgm
		# treat non-ASCII letters as letters; C collation keeps sorting
		# byte-wise and fast.
		if locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then
			locale_opts=(--locale=C.UTF-8)
		else
			locale_opts=(--locale=C)
			warn "no C.UTF-8 locale: the cluster uses the C locale (non-ASCII text search is weaker)"
		fi
		local log
		log=$(mktemp)
		chmod 0644 "$log"
		if ! as_pg "$PG_BIN/initdb" -D "$DIR/pg" -U "$PG_SUPERUSER" -E UTF8 "${locale_opts[@]}" \
			--auth-local=trust --auth-host=reject >"$log" 2>&1; then
			cat "$log" >&2
			rm -f "$log"
			die "initdb failed"
		fi
		rm -f "$log"
		printf "\n# deploy/stack.sh settings\ninclude_if_exists = 'revenge-stack.conf'\n" >>"$DIR/pg/postgresql.conf"
	fi
	pg_write_conf
}

pg_start() {
	pg_running && return 0
	if ! as_pg "$PG_BIN/pg_ctl" -D "$DIR/pg" -l "$DIR/log/postgresql.log" -w -t 60 -s start >/dev/null 2>&1 9>&-; then
		log_tail "$DIR/log/postgresql.log"
		die "PostgreSQL did not start"
	fi
}

pg_stop() {
	[ -f "$DIR/pg/PG_VERSION" ] || return 0
	pg_running || return 0
	local mode=fast
	[ "$PG_IMMEDIATE" = 1 ] && mode=immediate
	as_pg "$PG_BIN/pg_ctl" -D "$DIR/pg" -m "$mode" -w -t 60 -s stop >/dev/null ||
		die "PostgreSQL did not stop (see $DIR/log/postgresql.log)"
}

pg_bootstrap() {
	# The application's role: owns its database, may create databases (the
	# tests clone a migrated template). Not a superuser, so the dev stack
	# finds what production would refuse; the superuser is `postgres`.
	psql_admin <<SQL
SELECT 'CREATE ROLE $DB_ROLE LOGIN CREATEDB'
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$DB_ROLE')
\\gexec
SELECT 'CREATE DATABASE $DB_NAME OWNER $DB_ROLE'
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '$DB_NAME')
\\gexec
SQL
}

# ---------------------------------------------------------------------------
# Redis
# ---------------------------------------------------------------------------

redis_sock() { printf '%s/run/redis.sock' "$DIR"; }

redis_running() { pid_alive "$DIR/run/redis.pid" redis-server; }

redis_write_conf() {
	install -d -m 0700 "$DIR/redis"
	cat >"$DIR/redis/redis.conf.tmp" <<EOF
# written by deploy/stack.sh on every 'up'
port 0
unixsocket $DIR/run/redis.sock
unixsocketperm 700
daemonize yes
pidfile $DIR/run/redis.pid
dir $DIR/redis
logfile $DIR/log/redis.log
loglevel notice
appendonly no
save ""
EOF
	mv -f "$DIR/redis/redis.conf.tmp" "$DIR/redis/redis.conf"
}

redis_start() {
	redis_running && return 0
	[ -f "$DIR/redis/redis.conf" ] || die "no Redis config in $DIR (run: deploy/stack.sh up $DIR_ARG)"
	rm -f "$(redis_sock)" "$DIR/run/redis.pid"
	redis-server "$DIR/redis/redis.conf" >/dev/null 2>&1 9>&- || {
		log_tail "$DIR/log/redis.log"
		die "redis-server did not start"
	}
	local n=100
	while [ "$n" -gt 0 ]; do
		if [ -S "$(redis_sock)" ] && [ "$(redis-cli -s "$(redis_sock)" ping 2>/dev/null)" = PONG ]; then
			return 0
		fi
		sleep 0.1
		n=$((n - 1))
	done
	log_tail "$DIR/log/redis.log"
	die "Redis did not answer within 10 s"
}

redis_stop() {
	redis_running || { rm -f "$DIR/run/redis.pid"; return 0; }
	local pid
	pid=$(read_pid "$DIR/run/redis.pid")
	redis-cli -s "$(redis_sock)" shutdown nosave >/dev/null 2>&1 || true
	if ! wait_gone "$pid" 10; then
		kill -TERM "$pid" 2>/dev/null || true
		wait_gone "$pid" 5 || kill -KILL "$pid" 2>/dev/null || true
	fi
	rm -f "$DIR/run/redis.pid" "$(redis_sock)"
}

# ---------------------------------------------------------------------------
# TLS, app config, web root
# ---------------------------------------------------------------------------

tls_init() {
	install -d -m 0700 "$DIR/tls"
	[ -s "$DIR/tls/cert.pem" ] && [ -s "$DIR/tls/key.pem" ] && return 0
	local cnf log
	cnf=$(mktemp)
	log=$(mktemp)
	cat >"$cnf" <<'EOF'
[req]
distinguished_name = dn
x509_extensions = leaf
prompt = no
[dn]
CN = localhost
[leaf]
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
EOF
	if ! (umask 077 && openssl req -x509 -config "$cnf" -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
		-nodes -sha256 -days 825 -keyout "$DIR/tls/key.pem.tmp" -out "$DIR/tls/cert.pem.tmp") >"$log" 2>&1; then
		cat "$log" >&2
		rm -f "$cnf" "$log" "$DIR/tls/"*.tmp
		die "openssl could not create the certificate"
	fi
	rm -f "$cnf" "$log"
	chmod 0600 "$DIR/tls/key.pem.tmp"
	chmod 0644 "$DIR/tls/cert.pem.tmp"
	mv -f "$DIR/tls/key.pem.tmp" "$DIR/tls/key.pem"
	mv -f "$DIR/tls/cert.pem.tmp" "$DIR/tls/cert.pem"
}

# The media folders libraries may use (library.allowed_roots): the sample
# media root and the demo's folders (movies and TV: two libraries, whose
# roots may not nest). They lie in the stack directory, which holds the
# server's state; listing them is what opens them.
app_conf_roots() { printf '%s/media, %s/demo-media, %s/demo-tv' "$DIR" "$DIR" "$DIR"; }

app_conf_init() {
	if [ -e "$DIR/revenge.conf" ]; then
		# a stack made before library.allowed_roots existed gets it once
		grep -qE '^[[:space:]]*allowed_roots[[:space:]]*=' "$DIR/revenge.conf" ||
			printf '\n[library]\n# added by deploy/stack.sh: the media folders libraries may use\nallowed_roots = %s\n' \
				"$(app_conf_roots)" >>"$DIR/revenge.conf"
		# the line this script wrote before the TV demo gains its folder; a
		# line edited by hand is left as it is
		local old="allowed_roots = $DIR/media, $DIR/demo-media"
		if grep -qxF "$old" "$DIR/revenge.conf"; then
			awk -v old="$old" -v new="allowed_roots = $(app_conf_roots)" \
				'$0 == old { $0 = new } { print }' "$DIR/revenge.conf" >"$DIR/revenge.conf.tmp" &&
				chmod --reference="$DIR/revenge.conf" "$DIR/revenge.conf.tmp" &&
				mv -f "$DIR/revenge.conf.tmp" "$DIR/revenge.conf"
		fi
		# a stack made before auth.secret_key existed gets one once
		grep -qE '^[[:space:]]*secret_key[[:space:]]*=' "$DIR/revenge.conf" ||
			printf '\n[auth]\n# added by deploy/stack.sh: seals stored secrets (AES-256-GCM)\nsecret_key = %s\n' \
				"$(openssl rand -hex 32)" >>"$DIR/revenge.conf"
		return 0
	fi
	(
		umask 077
		cat >"$DIR/revenge.conf.tmp" <<EOF
# Revenge configuration of the local stack in $DIR.
# Created once by deploy/stack.sh and never overwritten: edit freely.
# Every key, with its default: deploy/revenge.conf.example.

[server]
socket = $DIR/run/fcgi.sock
# nginx workers run as another user (www-data) when the stack runs as root
socket_mode = 0666
pool_size = 4

[database]
url = postgresql:///$DB_NAME?host=$DIR/run/pg&user=$DB_ROLE

[redis]
url = unix://$DIR/run/redis.sock

[log]
level = info
format = logfmt

[storage]
# nginx serves $DIR/storage/images at /images/
path = $DIR/storage

[library]
# the media folders libraries may use (every root must lie in one of them)
allowed_roots = $(app_conf_roots)

[auth]
# seals stored secrets such as integration API keys (AES-256-GCM)
secret_key = $(openssl rand -hex 32)
EOF
	)
	mv -f "$DIR/revenge.conf.tmp" "$DIR/revenge.conf"
}

www_init() {
	install -d -m 0755 "$DIR/www" "$DIR/media" "$DIR/storage" "$DIR/storage/images"
	if [ ! -e "$DIR/www/index.html" ]; then
		cat >"$DIR/www/index.html" <<'EOF'
<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Revenge</title></head>
<body>
<h1>Revenge is running</h1>
<p>The JSON API lives under <a href="/api/v1/">/api/v1</a>.
Health: <a href="/healthz">/healthz</a>, readiness: <a href="/readyz">/readyz</a>.</p>
<p>Every route is described in <a href="/api/v1/openapi.yaml">/api/v1/openapi.yaml</a>
(<code>docs/openapi.yaml</code> of the source tree);
operations in <code>docs/operations.md</code>.</p>
</body>
</html>
EOF
	fi
	[ -e "$DIR/www/static-healthz.json" ] || printf '{"status":"ok"}\n' >"$DIR/www/static-healthz.json"
	web_install
}

# The web client (web/, built into build/web by `make web`) replaces the
# placeholder page: copied, not linked, so nginx's workers read it under
# the stack's own permissions. Old hashed bundles go with each copy.
WEB_DIST=${REVENGE_WEB_DIST:-$ROOT/build/web}
web_install() {
	[ -f "$WEB_DIST/index.html" ] || return 0
	rm -rf "$DIR/www/assets"
	cp -R "$WEB_DIST/." "$DIR/www/"
	chmod -R a+rX "$DIR/www"
}

# ---------------------------------------------------------------------------
# nginx
# ---------------------------------------------------------------------------

nginx_cmd() {
	nginx -p "$DIR/nginx/" -c "$DIR/nginx/nginx.conf" -e "$DIR/log/nginx-error.log" "$@"
}

nginx_running() { pid_alive "$DIR/run/nginx.pid" nginx; }

# The public host name: http.server_name of the stack's revenge.conf (the
# last one given wins, as in the application), localhost when it is not
# set. Only a plain host name or address is accepted: the value is pasted
# into nginx.conf.
conf_server_name() {
	local name
	name=$(awk '
		/^[ \t]*\[/ { s = $0; gsub(/[ \t]/, "", s); in_http = (s == "[http]"); next }
		in_http && /^[ \t]*server_name[ \t]*=/ {
			v = $0
			sub(/^[^=]*=[ \t]*/, "", v); sub(/[ \t]+[#;].*$/, "", v); sub(/[ \t]*$/, "", v)
			gsub(/^"|"$/, "", v)
			name = v
		}
		END { print name }' "$DIR/revenge.conf" 2>/dev/null)
	name=${name:-localhost}
	[[ $name =~ ^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$ ]] ||
		die "http.server_name in $DIR/revenge.conf is not a host name: $name"
	printf '%s' "$name"
}

# One [storage] value of DIR/revenge.conf (quotes and comments dropped).
conf_storage_value() {
	awk -v key="$1" '
		/^[ \t]*\[/ { s = $0; gsub(/[ \t]/, "", s); in_s = (s == "[storage]"); next }
		in_s && $0 ~ "^[ \t]*" key "[ \t]*=" {
			v = $0
			sub(/^[^=]*=[ \t]*/, "", v); sub(/[ \t]+[#;].*$/, "", v); sub(/[ \t]*$/, "", v)
			gsub(/^"|"$/, "", v)
			val = v
		}
		END { print val }' "$DIR/revenge.conf" 2>/dev/null
}

# nginx's /images/ for the storage backend: sets images_local, images_s3,
# s3_origin and s3_host (see the placeholders of nginx/revenge.conf.in).
# The values are checked before they are pasted into nginx.conf.
conf_images() {
	local backend endpoint bucket style scheme host
	backend=$(conf_storage_value backend)
	images_local="" images_s3="#" s3_origin="http://127.0.0.1:9/none/" s3_host="localhost"
	[ "${backend:-local}" = s3 ] || return 0
	endpoint=$(conf_storage_value s3_endpoint)
	bucket=$(conf_storage_value s3_bucket)
	style=$(conf_storage_value s3_path_style)
	[[ $endpoint =~ ^(https?)://([A-Za-z0-9.-]+(:[0-9]{1,5})?)/?$ ]] ||
		die "storage.s3_endpoint in $DIR/revenge.conf is not http(s)://host[:port]: $endpoint"
	scheme=${BASH_REMATCH[1]} host=${BASH_REMATCH[2]}
	[[ $bucket =~ ^[a-z0-9.-]{3,63}$ ]] ||
		die "storage.s3_bucket in $DIR/revenge.conf is not a bucket name: $bucket"
	images_local="#" images_s3=""
	case ${style:-true} in
	false | no | off | 0)
		s3_host="$bucket.$host"
		s3_origin="$scheme://$s3_host/images/"
		;;
	*)
		s3_host=$host
		s3_origin="$scheme://$host/$bucket/images/"
		;;
	esac
}

BROTLI_SO=/usr/lib/nginx/modules/ngx_http_brotli_filter_module.so

nginx_render() {
	local template="$ROOT/nginx/revenge.conf.in" headers="$ROOT/nginx/security-headers.conf"
	[ -f "$template" ] || die "missing $template"
	[ -f "$headers" ] || die "missing $headers"
	install -d -m 0755 "$DIR/nginx" "$DIR/nginx/tmp"

	local user_line ipv6="#" aio=""
	if is_root; then
		if id -u www-data >/dev/null 2>&1; then
			user_line="user www-data;"
		else
			user_line="user nobody nogroup;"
		fi
	else
		user_line="# user: not started as root, workers run as $(id -un)"
	fi
	# [::1] listens only where the loopback has IPv6 (containers often lack it).
	if grep -qs '^0\{31\}1 ' /proc/net/if_inet6; then
		ipv6=""
	fi
	if nginx -V 2>&1 | grep -q -- '--with-threads'; then
		aio="aio threads;"
	fi
	# brotli only where Debian's module is installed; gzip always
	local brotli="#" brotli_module="# brotli: $BROTLI_SO is not installed, gzip only"
	if [ -f "$BROTLI_SO" ]; then
		brotli=""
		brotli_module="load_module $BROTLI_SO;"
	fi
	local server_name images_local images_s3 s3_origin s3_host
	server_name=$(conf_server_name) || exit 1
	conf_images
	local -a subst=(
		-e "s|@DIR@|$DIR|g"
		-e "s|@HTTPS_PORT@|$HTTPS_PORT|g"
		-e "s|@HTTP_PORT@|$HTTP_PORT|g"
		-e "s|@USER@|$user_line|g"
		-e "s|@WEBROOT@|$DIR/www|g"
		-e "s|@MAX_BODY@|$MAX_BODY|g"
		-e "s|@IPV6@|$ipv6|g"
		-e "s|@AIO@|$aio|g"
		-e "s|@SERVER_NAME@|$server_name|g"
		-e "s|@BROTLI_MODULE@|$brotli_module|g"
		-e "s|@BROTLI@|$brotli|g"
		-e "s|@IMAGES_LOCAL@|$images_local|g"
		-e "s|@IMAGES_S3@|$images_s3|g"
		-e "s|@S3_ORIGIN@|$s3_origin|g"
		-e "s|@S3_HOST@|$s3_host|g"
	)
	sed "${subst[@]}" "$template" >"$DIR/nginx/nginx.conf.tmp"
	sed "${subst[@]}" "$headers" >"$DIR/nginx/security-headers.conf"
	if grep -n '@[A-Z_][A-Z_]*@' "$DIR/nginx/nginx.conf.tmp" >&2; then
		die "unreplaced placeholder in $template"
	fi
	mv -f "$DIR/nginx/nginx.conf.tmp" "$DIR/nginx/nginx.conf"
}

# The nginx workers (www-data when root) read the web root and connect to
# the FastCGI socket in run/: they must be able to reach DIR.
nginx_check_access() {
	is_root || return 0
	local u
	u=$(sed -n 's/^user \([^ ;]*\).*/\1/p' "$DIR/nginx/nginx.conf")
	[ -n "$u" ] || return 0
	runuser -u "$u" -- test -r "$DIR/www/index.html" -a -x "$DIR/run" ||
		die "nginx workers (user $u) cannot reach $DIR: every parent directory must be searchable by others (chmod o+x), or pick a stack directory elsewhere"
}

# SIGHUP is asynchronous: wait (up to 5 s) until the workers running the
# old configuration are gone, so the caller's next request sees the new one.
nginx_reload() {
	local master old n=50 pid alive
	master=$(read_pid "$DIR/run/nginx.pid")
	old=$(pgrep -P "$master" || true)
	kill -HUP "$master" 2>/dev/null || die "nginx reload failed"
	while [ "$n" -gt 0 ]; do
		alive=0
		for pid in $old; do
			proc_live "$pid" && alive=1
		done
		[ "$alive" = 0 ] && return 0
		sleep 0.1
		n=$((n - 1))
	done
}

nginx_start() {
	local out
	if ! out=$(nginx_cmd -t -q 2>&1); then
		printf '%s\n' "$out" >&2
		die "nginx configuration test failed ($DIR/nginx/nginx.conf)"
	fi
	if nginx_running; then
		nginx_reload
		return 0
	fi
	rm -f "$DIR/run/nginx.pid"
	local port
	for port in "$HTTPS_PORT" "$HTTP_PORT"; do
		if have_cmd ss && [ -n "$(ss -Hltn "sport = :$port" 2>/dev/null)" ]; then
			die "port $port is in use by another program (choose others with --https-port/--http-port)"
		fi
	done
	if ! out=$(nginx_cmd 2>&1 9>&-); then
		printf '%s\n' "$out" | sort -u >&2
		log_tail "$DIR/log/nginx-error.log" 5
		die "nginx did not start (ports $HTTPS_PORT/$HTTP_PORT in use?)"
	fi
	local n=50
	while [ "$n" -gt 0 ]; do
		nginx_running && return 0
		sleep 0.1
		n=$((n - 1))
	done
	log_tail "$DIR/log/nginx-error.log" 5
	die "nginx did not start"
}

nginx_stop() {
	nginx_running || { rm -f "$DIR/run/nginx.pid"; return 0; }
	local pid
	pid=$(read_pid "$DIR/run/nginx.pid")
	kill -QUIT "$pid" 2>/dev/null || true # graceful: finish open requests
	if ! wait_gone "$pid" 10; then
		kill -TERM "$pid" 2>/dev/null || true
		wait_gone "$pid" 5 || kill -KILL "$pid" 2>/dev/null || true
	fi
	rm -f "$DIR/run/nginx.pid"
}

# ---------------------------------------------------------------------------
# the application
# ---------------------------------------------------------------------------

APP_PROCS=(fcgi worker)

app_alive() { pid_alive "$DIR/run/$1.pid" revenge; }

# The app's configuration rejects unknown REVENGE_* variables; the stack's
# own REVENGE_STACK_DIR, REVENGE_DEMO and REVENGE_WEB_DIST must not reach it. Other REVENGE_*
# overrides (e.g. REVENGE_LOG_LEVEL=debug make run) pass through on purpose.
app_env() { env -u REVENGE_STACK_DIR -u REVENGE_CONFIG -u REVENGE_DEMO -u REVENGE_WEB_DIST "$@"; }

# stop_started NAME...: a failed start leaves nothing half-running.
stop_started() {
	local p pid
	for p in "$@"; do
		app_alive "$p" || { rm -f "$DIR/run/$p.pid"; continue; }
		pid=$(read_pid "$DIR/run/$p.pid")
		kill -TERM "$pid" 2>/dev/null || true
		wait_gone "$pid" 5 || kill -KILL -- "-$pid" 2>/dev/null || true
		rm -f "$DIR/run/$p.pid"
	done
}

cmd_start_app() {
	resolve_build
	[ -f "$DIR/revenge.conf" ] || die "no stack in $DIR (run: deploy/stack.sh up $DIR_ARG)"
	local p started=()
	for p in "${APP_PROCS[@]}"; do
		need_bin "$BUILD_DIR/revenge-$p"
	done
	if ! app_alive fcgi; then
		rm -f "$DIR/run/fcgi.sock" "$DIR/run/fcgi.pid"
	fi
	for p in "${APP_PROCS[@]}"; do
		app_alive "$p" && continue
		# setsid: own session and process group, so the pool survives the
		# terminal and stop-app can signal the whole group.
		# (A simple command, not a function, so that $! is the app's pid:
		# env and setsid exec, setsid does not fork as we are no group leader.)
		env -u REVENGE_STACK_DIR -u REVENGE_CONFIG -u REVENGE_DEMO -u REVENGE_WEB_DIST setsid "$BUILD_DIR/revenge-$p" \
			--config "$DIR/revenge.conf" >>"$DIR/log/$p.log" 2>&1 </dev/null 9>&- &
		echo "$!" >"$DIR/run/$p.pid"
		started+=("$p")
	done
	[ "${#started[@]}" -gt 0 ] || return 0
	# Up to 10 s for the socket; once it is there, 0.3 s more so that a
	# process dying straight after start-up (bad config, no database) is
	# reported here rather than discovered later.
	local n=100 settled=0
	while :; do
		for p in "${started[@]}"; do
			if ! proc_live "$(read_pid "$DIR/run/$p.pid")"; then
				log_tail "$DIR/log/$p.log" 10
				rm -f "$DIR/run/$p.pid"
				stop_started "${started[@]}"
				die "revenge-$p exited during start-up (log: $DIR/log/$p.log)"
			fi
		done
		[ "$settled" = 1 ] && break
		if [ -S "$DIR/run/fcgi.sock" ]; then
			settled=1
			sleep 0.3
			continue
		fi
		if [ "$n" -le 0 ]; then
			log_tail "$DIR/log/fcgi.log" 10
			stop_started "${started[@]}"
			die "revenge-fcgi did not create $DIR/run/fcgi.sock within 10 s"
		fi
		sleep 0.1
		n=$((n - 1))
	done
}

cmd_stop_app() {
	local p pid pids=()
	for p in "${APP_PROCS[@]}"; do
		if app_alive "$p"; then
			pid=$(read_pid "$DIR/run/$p.pid")
			# The master (not the group): it drains its children itself.
			kill -TERM "$pid" 2>/dev/null || true
			pids+=("$pid")
		fi
	done
	local n=150 alive
	while [ "${#pids[@]}" -gt 0 ]; do
		alive=0
		for pid in "${pids[@]}"; do
			# the group: children left behind by a master count as running
			group_live "$pid" && alive=1
		done
		[ "$alive" = 1 ] || break
		if [ "$n" -le 0 ]; then
			warn "the application did not stop within 15 s; killing it"
			for pid in "${pids[@]}"; do
				kill -KILL -- "-$pid" 2>/dev/null || true
			done
			break
		fi
		sleep 0.1
		n=$((n - 1))
	done
	for p in "${APP_PROCS[@]}"; do
		rm -f "$DIR/run/$p.pid"
	done
	rm -f "$DIR/run/fcgi.sock"
}

cmd_migrate() {
	resolve_build
	need_bin "$BUILD_DIR/revenge"
	[ -f "$DIR/revenge.conf" ] || die "no stack in $DIR (run: deploy/stack.sh up $DIR_ARG)"
	app_env "$BUILD_DIR/revenge" --config "$DIR/revenge.conf" migrate
}

# Creates the admin once. Prints the password only the first time.
create_admin() {
	local cred="$DIR/admin-credentials"
	if [ -e "$cred" ]; then
		echo "admin credentials: kept in $cred"
		return 0
	fi
	local pw err rc=0
	pw=$(openssl rand -base64 18)
	err=$(mktemp)
	printf %s "$pw" | app_env "$BUILD_DIR/revenge" --config "$DIR/revenge.conf" \
		create-admin --username admin --email admin@revenge.local --password-stdin \
		>/dev/null 2>"$err" || rc=$?
	if [ "$rc" -ne 0 ]; then
		if grep -qi 'unknown command' "$err"; then
			echo "note: 'revenge create-admin' is not implemented yet; no admin account was created"
			rm -f "$err"
			return 0
		fi
		if grep -qiE 'exists|conflict|taken' "$err"; then
			echo "note: an admin account exists already but $cred is missing; reset its password by hand"
			rm -f "$err"
			return 0
		fi
		cat "$err" >&2
		rm -f "$err"
		die "revenge create-admin failed (exit $rc)"
	fi
	rm -f "$err"
	(umask 077 && printf 'username: admin\npassword: %s\n' "$pw" >"$cred.tmp")
	mv -f "$cred.tmp" "$cred"
	echo "admin account created (shown once; also kept in $cred, mode 0600):"
	echo "  username: admin"
	echo "  password: $pw"
}

wait_ready() {
	local url="https://localhost:$HTTPS_PORT/readyz" n=60 body=""
	while [ "$n" -gt 0 ]; do
		if body=$(curl -sk --max-time 2 -f "$url" 2>/dev/null); then
			return 0
		fi
		sleep 0.5
		n=$((n - 1))
	done
	body=$(curl -sk --max-time 2 "$url" 2>&1 || true)
	printf '%s\n' "$body" >&2
	log_tail "$DIR/log/fcgi.log"
	die "$url did not become ready within 30 s"
}

# ---------------------------------------------------------------------------
# the demo library (`run`, unless REVENGE_DEMO=0)
# ---------------------------------------------------------------------------

# A first look for newcomers: a handful of short clips generated with
# ffmpeg, named after public-domain films, become a movie library through
# the HTTP API (as the admin `run` created), are scanned, and `run` prints
# curl lines that list and stream them. Without a TMDb key the files are
# identified locally from their names. Nothing here fails `run`: a missing
# tool, a refused request or a slow scan is a warning.

DEMO_NAME="Demo movies"
DEMO_TIMEOUT=60 # seconds for the scan and the identification of the clips
# "Title (Year)|seconds|lavfi video source|sine Hz"; all public domain in the US
DEMO_CLIPS=(
	'Nosferatu (1922)|4|testsrc|220'
	'The General (1926)|3|smptebars|330'
	'His Girl Friday (1940)|5|testsrc2|440'
	'Charade (1963)|4|rgbtestsrc|550'
	'Night of the Living Dead (1968)|3|pal75bars|660'
)
DEMO_SUBTITLED="Nosferatu (1922)" # gets an external "<name>.en.srt"
DEMO_POSTER="Nosferatu (1922)"    # gets a poster.jpg: local artwork
# a second version of one movie, in a folder of its own: one movie, two files
DEMO_VERSION="Charade (1963) 720p|1280x720"

DEMO_TMP=""      # 0700 scratch: request and response bodies, the bearer header
DEMO_BASE=""
DEMO_GENERATED=0 # clips made by this run
DEMO_LIB_ID=""
DEMO_MOVIE_ID=""
DEMO_FILE_ID=""
DEMO_MOVIES_API="" # status of GET /api/v1/movies
API_STATUS=""
API_BODY=""

demo_enabled() {
	case ${REVENGE_DEMO:-1} in
	0 | no | false | off) return 1 ;;
	esac
	[ ! -e "$DIR/demo-removed" ]
}

is_uuid() { [[ $1 =~ ^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$ ]]; }

# demo_clip OUT TITLE SIZE SECONDS SOURCE HZ: one clip with ffmpeg,
# written as OUT.part and renamed (the scanner does not take a .part for a
# video while it is written).
demo_clip() {
	local out=$1 title=$2 size=$3 secs=$4 src=$5 freq=$6
	install -d -m 0755 "$(dirname "$out")" || return 1
	if ! ffmpeg -nostdin -hide_banner -loglevel error -y -threads 1 \
		-f lavfi -i "$src=size=$size:rate=24:duration=$secs" \
		-f lavfi -i "sine=frequency=$freq:sample_rate=48000:duration=$secs" \
		-map 0:v -map 1:a -c:v libx264 -preset veryfast -crf 30 -pix_fmt yuv420p \
		-c:a aac -b:a 64k -metadata "title=$title" -metadata:s:a:0 language=eng \
		-f matroska "$out.part" >"$DEMO_TMP/ffmpeg.log" 2>&1; then
		tail -n 5 "$DEMO_TMP/ffmpeg.log" >&2
		rm -f "$out.part"
		warn "demo: ffmpeg could not make $out"
		return 1
	fi
	chmod 0644 "$out.part" && mv -f "$out.part" "$out"
}

# demo_media: the clips under DIR/demo-media/<Title (Year)>/, a second
# version of one of them, one subtitle and one poster, each made only when
# missing. DEMO_GENERATED counts the clips.
demo_media() {
	local root="$DIR/demo-media" entry title secs src freq srt
	local -a todo=()
	DEMO_GENERATED=0
	for entry in "${DEMO_CLIPS[@]}"; do
		title=${entry%%|*}
		[ -s "$root/$title/$title.mkv" ] || todo+=("$entry")
	done
	local vname=${DEMO_VERSION%%|*} vsize=${DEMO_VERSION#*|} n
	install -d -m 0755 "$root" || return 1
	n=${#todo[@]}
	[ -s "$root/$vname/$vname.mkv" ] || n=$((n + 1))
	if [ "$n" -gt 0 ]; then
		local clips=clips
		[ "$n" -gt 1 ] || clips=clip
		echo "demo: generating $n short $clips with ffmpeg in $root"
	fi
	for entry in "${todo[@]}"; do
		IFS='|' read -r title secs src freq <<<"$entry"
		demo_clip "$root/$title/$title.mkv" "$title" 320x240 "$secs" "$src" "$freq" || return 1
		DEMO_GENERATED=$((DEMO_GENERATED + 1))
	done
	if [ ! -s "$root/$vname/$vname.mkv" ]; then
		demo_clip "$root/$vname/$vname.mkv" "${vname% *}" "$vsize" 4 rgbtestsrc 550 || return 1
		DEMO_GENERATED=$((DEMO_GENERATED + 1))
	fi
	local poster="$root/$DEMO_POSTER/poster.jpg"
	if [ ! -s "$poster" ]; then
		# a still of its own: the scan finds it next to the clip
		if ffmpeg -nostdin -hide_banner -loglevel error -y -f lavfi -i testsrc2=size=400x600 \
			-frames:v 1 -f image2 "$poster.part" >"$DEMO_TMP/ffmpeg.log" 2>&1; then
			chmod 0644 "$poster.part" && mv -f "$poster.part" "$poster" || return 1
		else
			rm -f "$poster.part"
			warn "demo: ffmpeg could not make $poster"
		fi
	fi
	srt="$root/$DEMO_SUBTITLED/$DEMO_SUBTITLED.en.srt"
	if [ ! -s "$srt" ]; then
		cat >"$srt.part" <<'EOF' && chmod 0644 "$srt.part" && mv -f "$srt.part" "$srt" || return 1
1
00:00:00,500 --> 00:00:02,000
Nosferatu, a symphony of horror

2
00:00:02,000 --> 00:00:03,800
(a demo clip generated by make run)
EOF
	fi
}

# demo_api METHOD PATH [JSON]: one request through nginx, as the admin once
# demo_login has run. Sets API_STATUS (000: no answer) and API_BODY.
demo_api() {
	local -a args=(-sk --max-time 10 -X "$1" -o "$DEMO_TMP/body" -w '%{http_code}')
	[ ! -s "$DEMO_TMP/auth" ] || args+=(-H "@$DEMO_TMP/auth")
	if [ $# -ge 3 ]; then
		printf '%s' "$3" >"$DEMO_TMP/request"
		args+=(-H 'Content-Type: application/json' --data-binary "@$DEMO_TMP/request")
	fi
	: >"$DEMO_TMP/body"
	API_STATUS=$(curl "${args[@]}" "$DEMO_BASE$2" 2>/dev/null) || API_STATUS=000
	API_BODY=$(cat "$DEMO_TMP/body")
}

# api_why: the status and problem+json detail of the last answer, for warnings.
api_why() {
	local detail
	detail=$(jq -r '.detail // .title // empty' <<<"$API_BODY" 2>/dev/null | head -c 300)
	printf 'HTTP %s%s' "$API_STATUS" "${detail:+: $detail}"
}

# jq over the last answer; empty output when it is not JSON.
api_jq() { jq -r "$@" <<<"$API_BODY" 2>/dev/null || true; }

# demo_begin: scratch directory, cleaned up on exit, and a session of the
# admin whose password `run` keeps in DIR/admin-credentials.
demo_begin() {
	local cred="$DIR/admin-credentials" token
	DEMO_BASE="https://localhost:$HTTPS_PORT"
	DEMO_TMP=$(mktemp -d) || return 1
	trap demo_end EXIT
	if [ ! -r "$cred" ]; then
		warn "demo: no $cred (run did not create this stack's admin), so no demo library"
		return 1
	fi
	# the password goes through files, never a command line
	sed -n 's/^password: //p' "$cred" | jq -Rc '{username: "admin", password: .}' >"$DEMO_TMP/login" ||
		return 1
	demo_api POST /api/v1/auth/login "$(cat "$DEMO_TMP/login")"
	rm -f "$DEMO_TMP/login" "$DEMO_TMP/request"
	token=$(api_jq '.access_token // empty')
	if [ "$API_STATUS" != 200 ] || [ -z "$token" ]; then
		warn "demo: logging in as admin failed ($(api_why)), so no demo library"
		return 1
	fi
	(umask 077 && printf 'Authorization: Bearer %s\n' "$token" >"$DEMO_TMP/auth")
}

# demo_end: log the session out, remove the scratch directory.
demo_end() {
	[ -n "$DEMO_TMP" ] || return 0
	if [ -s "$DEMO_TMP/auth" ]; then
		demo_api POST /api/v1/auth/logout
	fi
	rm -rf -- "$DEMO_TMP"
	DEMO_TMP=""
	trap - EXIT
}

# demo_library_id NAME ROOT: FOUND_ID of the library named NAME or having
# ROOT as a root (renamed by hand); 1 when there is none.
FOUND_ID=""
demo_library_id() {
	local id
	FOUND_ID=""
	demo_api GET '/api/v1/libraries?limit=100'
	[ "$API_STATUS" = 200 ] || { warn "demo: listing the libraries failed ($(api_why))"; return 1; }
	# shellcheck disable=SC2016 # $name and $root are jq's
	id=$(api_jq --arg name "$1" --arg root "$2" \
		'first(.items[] | select(.name == $name or any(.paths[]; . == $root)) | .id) // empty')
	is_uuid "$id" || return 1
	FOUND_ID=$id
}

# demo_wait_scan SCAN_ID DEADLINE [LIBRARY_ID]: 0 once the scan completed
# (of the demo movie library unless LIBRARY_ID is given).
demo_wait_scan() {
	local status="" lib=${3:-$DEMO_LIB_ID}
	while :; do
		demo_api GET "/api/v1/libraries/$lib/scans/$1"
		status=$(api_jq '.status // empty')
		case $status in
		completed) return 0 ;;
		failed | cancelled)
			warn "demo: scan $1 $status: $(api_jq '.message // empty')"
			return 1 ;;
		esac
		if [ "$SECONDS" -ge "$2" ]; then
			warn "demo: scan $1 is still ${status:-unknown} after ${DEMO_TIMEOUT} s; see $DIR_ARG/log/worker.log"
			return 1
		fi
		sleep 0.5
	done
}

# demo_wait_items DEADLINE: 0 once every present file of the library is an
# item (the scan queues one library.match job per new file).
demo_wait_items() {
	local files movies
	while :; do
		demo_api GET "/api/v1/libraries/$DEMO_LIB_ID"
		files=$(api_jq '.counts.files // 0')
		movies=$(api_jq '.counts.movies // 0')
		[[ $files =~ ^[0-9]+$ && $movies =~ ^[0-9]+$ ]] || files=0 movies=0
		# two versions of one movie are two files of one item
		[ "$files" -gt 0 ] && { [ "$movies" -ge "$files" ] || [ "$movies" -ge "${#DEMO_CLIPS[@]}" ]; } &&
			return 0
		if [ "$SECONDS" -ge "$1" ]; then
			warn "demo: $movies of $files clips identified after ${DEMO_TIMEOUT} s; the rest follow in the background"
			return 1
		fi
		sleep 0.5
	done
}

# demo_ids: a movie of the demo library and its file, for the stream line:
# from the movies API when it answers, else from the database.
demo_ids() {
	local want id
	DEMO_MOVIE_ID="" DEMO_FILE_ID=""
	want=$(printf '%s\n' "${DEMO_CLIPS[@]}" | jq -Rn '[inputs | split("|") | .[0]
		| capture("^(?<title>.*) \\((?<year>[0-9]{4})\\)$")
		| {title: (.title | ascii_downcase), year: (.year | tonumber)}]')
	demo_api GET /api/v1/movies
	DEMO_MOVIES_API=$API_STATUS
	if [ "$API_STATUS" = 200 ]; then
		# shellcheck disable=SC2016 # $m and $want are jq's
		id=$(api_jq --argjson want "$want" 'first(.items[] | . as $m
			| select($want | any(.title == ($m.title | ascii_downcase) and .year == $m.year))
			| .id) // empty')
		if is_uuid "$id"; then
			demo_api GET "/api/v1/movies/$id/files"
			if [ "$API_STATUS" = 200 ]; then
				DEMO_MOVIE_ID=$id
				DEMO_FILE_ID=$(api_jq '.items[0].id // empty')
			fi
		fi
	fi
	is_uuid "$DEMO_MOVIE_ID" && is_uuid "$DEMO_FILE_ID" && return 0
	local row
	row=$("$PG_BIN/psql" -X -q -At -F ' ' -v ON_ERROR_STOP=1 -v lib="$DEMO_LIB_ID" \
		-h "$DIR/run/pg" -U "$DB_ROLE" -d "$DB_NAME" 2>/dev/null <<'SQL'
SELECT m.id, f.id FROM movies m
  JOIN media_files f ON f.movie_id = m.id AND f.state = 'present'
 WHERE m.library_id = :'lib'
 ORDER BY m.title, m.year, f.rel_path
 LIMIT 1;
SQL
	) || row=""
	read -r DEMO_MOVIE_ID DEMO_FILE_ID <<<"$row" || true
	if is_uuid "$DEMO_MOVIE_ID" && is_uuid "$DEMO_FILE_ID"; then
		return 0
	fi
	DEMO_MOVIE_ID="" DEMO_FILE_ID=""
	return 1
}

# demo_library_ready NAME ROOT TYPE CLIPS: the demo library NAME of TYPE
# (movie, tvshow) rooted at ROOT, found or created through the API, in
# DEMO_READY_ID; when it is new, clips were made (DEMO_GENERATED) or it
# holds fewer than CLIPS files, a scan is started (or a queued one followed)
# and its id is in DEMO_READY_SCAN, else that is empty. 1 (with a warning)
# when the library cannot be had.
demo_library_ready() {
	local name=$1 root=$2 type=$3 clips=$4 body files
	DEMO_READY_ID="" DEMO_READY_SCAN=""
	if demo_library_id "$name" "$root"; then
		DEMO_READY_ID=$FOUND_ID
	else
		[ "$API_STATUS" = 200 ] || return 1
		body=$(jq -cn --arg name "$name" --arg root "$root" --arg type "$type" \
			'{name: $name, type: $type, paths: [$root]}')
		demo_api POST /api/v1/libraries "$body"
		case $API_STATUS in
		201) DEMO_READY_ID=$(api_jq '.id // empty') ;;
		409) demo_library_id "$name" "$root" && DEMO_READY_ID=$FOUND_ID ;; # made meanwhile
		esac
		if ! is_uuid "$DEMO_READY_ID"; then
			# a revenge.conf edited by hand may not list ROOT
			warn "demo: creating the library \"$name\" failed ($(api_why)); $root must be in library.allowed_roots of $DIR_ARG/revenge.conf (then restart the stack)"
			return 1
		fi
		echo "demo: created the library \"$name\" for $root"
		DEMO_GENERATED=$clips # new library: scan it
	fi
	demo_api GET "/api/v1/libraries/$DEMO_READY_ID"
	if [ "$(api_jq '.type // empty')" != "$type" ]; then
		warn "demo: the library $DEMO_READY_ID holding $root is not a $type library; leaving it alone"
		return 1
	fi
	files=$(api_jq '.counts.files // 0')
	[[ $files =~ ^[0-9]+$ ]] || files=0
	# a scan only when something is new: a second run leaves the library be
	[ "$DEMO_GENERATED" -gt 0 ] || [ "$files" -lt "$clips" ] || return 0
	demo_api POST "/api/v1/libraries/$DEMO_READY_ID/scan" '{}'
	case $API_STATUS in
	202) DEMO_READY_SCAN=$(api_jq '.scan_id // empty') ;;
	409) # one is queued or running already (a periodic scan): follow it
		demo_api GET "/api/v1/libraries/$DEMO_READY_ID/scans?limit=1"
		DEMO_READY_SCAN=$(api_jq 'first(.items[] | select(.status == "queued" or .status == "running") | .id) // empty') ;;
	esac
	if [[ $DEMO_READY_SCAN =~ ^[0-9]+$ ]]; then
		echo "demo: scanning \"$name\" (scan $DEMO_READY_SCAN)"
	else
		warn "demo: starting a scan of \"$name\" failed ($(api_why))"
		DEMO_READY_SCAN=""
	fi
	return 0
}

# demo_library: media, library, scan, ids. 1 when there is no demo library
# to show (warned); 0 otherwise, even when the scan is still running.
demo_library() {
	local root="$DIR/demo-media" deadline
	if ! have_cmd ffmpeg jq curl; then
		warn "demo: ffmpeg, jq or curl is missing (run: deploy/stack.sh deps), so no demo library"
		return 1
	fi
	demo_begin || return 1
	demo_media || return 1
	demo_library_ready "$DEMO_NAME" "$root" movie "${#DEMO_CLIPS[@]}" || return 1
	DEMO_LIB_ID=$DEMO_READY_ID
	deadline=$((SECONDS + DEMO_TIMEOUT))
	if [ -n "$DEMO_READY_SCAN" ]; then
		demo_wait_scan "$DEMO_READY_SCAN" "$deadline" && { demo_wait_items "$deadline" || true; }
	else
		demo_wait_items "$deadline" || true
	fi
	demo_ids || true
	return 0
}

# --- the demo TV library ----------------------------------------------------

# A small series in the layout of SPEC §5 (series folder, season folders,
# Specials/), one short generated clip per episode, named after a series
# whose early episodes are in the public domain in the US (their
# copyrights were not renewed). Identified locally from the names without a
# TMDb key, from TMDb with one.
DEMO_TV_NAME="Demo TV"
DEMO_TV_SERIES="The Beverly Hillbillies (1962)"
# "path under the series folder|seconds|lavfi video source|sine Hz"
DEMO_TV_CLIPS=(
	'Season 01/The Beverly Hillbillies - S01E01.mkv|2|testsrc|262'
	'Season 01/The Beverly Hillbillies - S01E02.mkv|2|smptebars|294'
	'Season 02/The Beverly Hillbillies - S02E01.mkv|2|testsrc2|330'
	'Specials/01 - Behind the Scenes.mkv|2|rgbtestsrc|392'
)
DEMO_TV_LIB_ID=""
DEMO_TV_SUMMARY="" # "1 series, 4 episodes in 3 seasons ..." from the database

# demo_tv_media: the episodes under DIR/demo-tv/<series>/, each made only
# when missing. DEMO_GENERATED counts the clips.
demo_tv_media() {
	local dir="$DIR/demo-tv/$DEMO_TV_SERIES" entry rel secs src freq
	local -a todo=()
	DEMO_GENERATED=0
	for entry in "${DEMO_TV_CLIPS[@]}"; do
		[ -s "$dir/${entry%%|*}" ] || todo+=("$entry")
	done
	[ "${#todo[@]}" -eq 0 ] ||
		echo "demo: generating ${#todo[@]} short episode clips with ffmpeg in $DIR/demo-tv"
	for entry in "${todo[@]}"; do
		IFS='|' read -r rel secs src freq <<<"$entry"
		demo_clip "$dir/$rel" "${DEMO_TV_SERIES% (*}" 320x240 "$secs" "$src" "$freq" || return 1
		DEMO_GENERATED=$((DEMO_GENERATED + 1))
	done
}

# demo_tv_sql QUERY: one value from the stack's database (the TV library's
# id is :'lib'); empty on any failure.
demo_tv_sql() {
	"$PG_BIN/psql" -X -q -At -v ON_ERROR_STOP=1 -v lib="$DEMO_TV_LIB_ID" \
		-h "$DIR/run/pg" -U "$DB_ROLE" -d "$DB_NAME" 2>/dev/null <<<"$1" || true
}

# demo_tv_wait_items DEADLINE: 0 once no present file of the TV library
# waits for its identification.
demo_tv_wait_items() {
	local pending
	while :; do
		pending=$(demo_tv_sql "SELECT count(*) FROM media_files WHERE library_id = :'lib'
			AND state = 'present' AND match_status = 'pending';")
		[ "$pending" = 0 ] && return 0
		if [ "$SECONDS" -ge "$1" ]; then
			warn "demo: ${pending:-some} episode files not identified after ${DEMO_TIMEOUT} s; the rest follow in the background"
			return 1
		fi
		sleep 0.5
	done
}

# demo_tv_library: media, library, scan, summary. 1 when there is no demo
# TV library to show (warned); 0 otherwise, even when the scan is still
# running.
demo_tv_library() {
	local root="$DIR/demo-tv" deadline
	demo_tv_media || return 1
	demo_library_ready "$DEMO_TV_NAME" "$root" tvshow "${#DEMO_TV_CLIPS[@]}" || return 1
	DEMO_TV_LIB_ID=$DEMO_READY_ID
	deadline=$((SECONDS + DEMO_TIMEOUT))
	[ -z "$DEMO_READY_SCAN" ] || demo_wait_scan "$DEMO_READY_SCAN" "$deadline" "$DEMO_TV_LIB_ID" || true
	demo_tv_wait_items "$deadline" || true
	DEMO_TV_SUMMARY=$(demo_tv_sql "SELECT count(DISTINCT s.id) || ' series, '
		|| count(DISTINCT fe.episode_id) || ' episodes with a file in '
		|| count(DISTINCT e.season_number) || ' seasons (specials count as season 0)'
		FROM series s LEFT JOIN media_files f ON f.series_id = s.id
		LEFT JOIN media_file_episodes fe ON fe.file_id = f.id
		LEFT JOIN episodes e ON e.id = fe.episode_id WHERE s.library_id = :'lib';")
	return 0
}

# demo_tv_print SHOWN_DIR [MOVIES_SHOWN]: the TV lines `run` prints (with
# the TOKEN line when the movie lines, which have it, were not printed).
demo_tv_print() {
	local shown=$1 base="https://localhost:$HTTPS_PORT"
	cat <<EOF
Demo library "$DEMO_TV_NAME": ${#DEMO_TV_CLIPS[@]} generated episodes of "$DEMO_TV_SERIES" in $shown/demo-tv
  (two season folders and Specials/: ${DEMO_TV_SUMMARY:-not identified yet})
EOF
	[ "${2:-1}" = 1 ] || cat <<EOF
  TOKEN=\$(sed -n 's/^password: //p' $shown/admin-credentials | jq -Rc '{username:"admin",password:.}' |
          curl -sk $base/api/v1/auth/login -H 'Content-Type: application/json' --data @- | jq -r .access_token)
EOF
	cat <<EOF
  curl -sk -H "Authorization: Bearer \$TOKEN" $base/api/v1/libraries/$DEMO_TV_LIB_ID
  curl -sk -H "Authorization: Bearer \$TOKEN" $base/api/v1/tvshows
EOF
}

# demo_print SHOWN_DIR: the lines `run` prints after the URL.
demo_print() {
	local shown=$1 base="https://localhost:$HTTPS_PORT"
	cat <<EOF
Demo library "$DEMO_NAME": ${#DEMO_CLIPS[@]} generated movies in $shown/demo-media
  ($DEMO_POSTER has a poster.jpg, shown as its poster_url; ${DEMO_VERSION% *|*} is in two
   versions, listed in its "versions")
  (REVENGE_DEMO=0 skips it; deploy/stack.sh demo-remove $shown deletes it)
  TOKEN=\$(sed -n 's/^password: //p' $shown/admin-credentials | jq -Rc '{username:"admin",password:.}' |
          curl -sk $base/api/v1/auth/login -H 'Content-Type: application/json' --data @- | jq -r .access_token)
  curl -sk -H "Authorization: Bearer \$TOKEN" $base/api/v1/movies
EOF
	if [ -n "$DEMO_FILE_ID" ]; then
		cat <<EOF
  curl -sk -H "Authorization: Bearer \$TOKEN" -r 0-99 $base/api/v1/movies/$DEMO_MOVIE_ID/files/$DEMO_FILE_ID/stream -o /dev/null -w '%{http_code} %{size_download}\n'
EOF
		[ "$DEMO_MOVIES_API" = 200 ] ||
			echo "  (this build's movies API answered $DEMO_MOVIES_API: the ids above come from the database)"
	else
		echo "  (no clip is identified yet, so no stream line: run deploy/stack.sh demo $shown in a moment)"
	fi
}

cmd_demo() {
	need_stack
	lock_stack
	nginx_running || die "the stack in $DIR is not running (run: deploy/stack.sh run $DIR_ARG)"
	pg_setup_vars
	wait_ready
	rm -f "$DIR/demo-removed"
	demo_library || die "no demo library"
	local tv=0
	! demo_tv_library || tv=1
	demo_end
	demo_print "$DIR_ARG"
	[ "$tv" = 0 ] || demo_tv_print "$DIR_ARG"
}

# demo-remove: the libraries (through the API), DIR/demo-media and DIR/demo-tv go; the
# marker DIR/demo-removed keeps `run` from making them again.
cmd_demo_remove() {
	need_stack
	lock_stack
	have_cmd jq curl || die "jq or curl is missing (run: deploy/stack.sh deps)"
	if [ -d "$DIR/demo-media" ] || [ -d "$DIR/demo-tv" ] || [ ! -e "$DIR/demo-removed" ]; then
		nginx_running || die "the stack in $DIR is not running: start it first (deploy/stack.sh run $DIR_ARG)"
		demo_begin || die "cannot log in as admin"
		local name root
		for name in "$DEMO_NAME" "$DEMO_TV_NAME"; do
			root=$DIR/demo-media
			[ "$name" = "$DEMO_NAME" ] || root=$DIR/demo-tv
			if demo_library_id "$name" "$root"; then
				demo_api DELETE "/api/v1/libraries/$FOUND_ID"
				[ "$API_STATUS" = 204 ] || die "deleting the library $FOUND_ID failed ($(api_why))"
				echo "deleted the library \"$name\" ($FOUND_ID)"
			elif [ "$API_STATUS" != 200 ]; then
				die "cannot list the libraries"
			fi
		done
		demo_end
	fi
	rm -rf -- "$DIR/demo-media" "$DIR/demo-tv"
	: >"$DIR/demo-removed"
	echo "removed $DIR_ARG/demo-media and $DIR_ARG/demo-tv; run leaves the demo out from now on (deploy/stack.sh demo $DIR_ARG brings it back)"
}

# ---------------------------------------------------------------------------
# subcommands on a stack
# ---------------------------------------------------------------------------

prepare_dirs() {
	install -d -m 0755 "$DIR" "$DIR/run" "$DIR/log"
	[ -f "$DIR/stack.env" ] || save_state
}

cmd_up() {
	have_cmd redis-server redis-cli nginx openssl curl ||
		die "missing programs (run: deploy/stack.sh deps)"
	pg_setup_vars
	umask 022
	prepare_dirs
	lock_stack
	save_state
	pg_init
	pg_start
	pg_bootstrap
	redis_write_conf
	redis_start
	tls_init
	app_conf_init
	www_init
	nginx_render
	nginx_check_access
	nginx_start
}

cmd_run() {
	resolve_build
	local p
	for p in revenge revenge-fcgi revenge-worker; do
		need_bin "$BUILD_DIR/$p"
	done
	cmd_up
	cmd_migrate >/dev/null
	create_admin
	cmd_start_app
	wait_ready
	local demo=0 tv=0
	if demo_enabled; then
		if demo_library; then
			demo=1
		fi
		# the TV demo needs the session demo_library opened
		if [ -n "$DEMO_TMP" ] && [ -s "$DEMO_TMP/auth" ] && demo_tv_library; then
			tv=1
		fi
		demo_end
	fi
	local shown=$DIR_ARG build_shown=$BUILD_DIR stop="deploy/stack.sh down $DIR_ARG"
	[ "$BUILD_DIR" != "$ROOT/build" ] || build_shown=build
	[ "$DIR" != "$ROOT/var" ] || stop="make stop"
	local web_note=""
	[ -d "$DIR/www/assets" ] || web_note=" — no web client built (make web)"
	cat <<EOF
Revenge is running: https://localhost:$HTTPS_PORT/  (self-signed certificate)
  open it in a browser and log in as admin (password in $shown/admin-credentials)$web_note
  curl -sk https://localhost:$HTTPS_PORT/readyz
  or log in with curl:
    curl -sk https://localhost:$HTTPS_PORT/api/v1/auth/login -H 'Content-Type: application/json' \\
         --data '{"username":"admin","password":"PASSWORD"}'
    curl -sk https://localhost:$HTTPS_PORT/api/v1/users/me -H 'Authorization: Bearer ACCESS_TOKEN'
  more users (registration is closed by default): as admin, create one
    curl -sk https://localhost:$HTTPS_PORT/api/v1/admin/users -H 'Authorization: Bearer ACCESS_TOKEN' \
         -H 'Content-Type: application/json' \
         --data '{"username":"NAME","email":"NAME@example.com","password":"PASSWORD","role":"user"}'
  or invite someone (the answer's token registers once, within 7 days):
    curl -sk https://localhost:$HTTPS_PORT/api/v1/admin/invitations -H 'Authorization: Bearer ACCESS_TOKEN' \
         -H 'Content-Type: application/json' --data '{"role":"user"}'
    curl -sk https://localhost:$HTTPS_PORT/api/v1/auth/register -H 'Content-Type: application/json' \
         --data '{"username":"NAME","email":"NAME@example.com","password":"PASSWORD","invitation":"rvi_..."}'
  $build_shown/revenge --config $shown/revenge.conf config check
  logs: $shown/log/    stop: $stop
EOF
	[ "$demo" = 0 ] || demo_print "$shown"
	[ "$tv" = 0 ] || demo_tv_print "$shown" "$demo"
}

cmd_down() {
	[ -f "$DIR/stack.env" ] || return 0
	lock_stack
	cmd_stop_app
	nginx_stop
	redis_stop
	if [ -f "$DIR/pg/PG_VERSION" ]; then
		pg_setup_vars
		pg_stop
	fi
}

cmd_destroy() {
	[ -e "$DIR" ] || return 0
	[ -d "$DIR" ] || die "$DIR is not a directory"
	if [ -n "$(ls -A "$DIR")" ] && [ ! -f "$DIR/stack.env" ]; then
		die "$DIR does not look like a stack directory (no stack.env); not deleting it"
	fi
	case $DIR in "$ROOT" | "$HOME" | /home | /root | /tmp | /var | /var/tmp | /work)
		die "refusing to delete $DIR" ;;
	esac
	cmd_down
	rm -rf -- "$DIR"
}

cmd_status() {
	[ -d "$DIR" ] || { echo "no stack in $DIR"; return 0; }
	local state
	if [ -f "$DIR/pg/PG_VERSION" ]; then
		pg_setup_vars
		pg_running && state=running || state=stopped
	else
		state=absent
	fi
	printf 'postgresql  %s\n' "$state"
	redis_running && state=running || state=stopped
	printf 'redis       %s\n' "$state"
	nginx_running && state="running (https://localhost:$HTTPS_PORT/)" || state=stopped
	printf 'nginx       %s\n' "$state"
	local p
	for p in "${APP_PROCS[@]}"; do
		app_alive "$p" && state=running || state=stopped
		printf '%-11s %s\n' "$p" "$state"
	done
}

cmd_env() {
	printf 'export REVENGE_STACK_DIR=%q\n' "$DIR"
	printf 'export REVENGE_CONFIG=%q\n' "$DIR/revenge.conf"
	printf 'export PGHOST=%q\n' "$DIR/run/pg"
	printf 'export PGDATABASE=%q\n' "$DB_NAME"
	printf 'export PGUSER=%q\n' "$DB_ROLE"
	printf 'export REDIS_SOCKET=%q\n' "$DIR/run/redis.sock"
	printf 'export HTTPS_PORT=%q\n' "$HTTPS_PORT"
	printf 'export HTTP_PORT=%q\n' "$HTTP_PORT"
}

need_stack() {
	[ -f "$DIR/stack.env" ] || die "no stack in $DIR (run: deploy/stack.sh up $DIR_ARG)"
}

main() {
	[ $# -ge 1 ] || { usage >&2; exit 2; }
	local cmd=$1
	shift
	case $cmd in
	help | -h | --help) usage ;;
	deps) [ $# -eq 0 ] || die "deps takes no arguments"; cmd_deps ;;
	deps-fuzz) [ $# -eq 0 ] || die "deps-fuzz takes no arguments"; cmd_deps_fuzz ;;
	deps-browser) [ $# -eq 0 ] || die "deps-browser takes no arguments"; cmd_deps_browser ;;
	up)
		parse_args "$@"
		cmd_up
		echo "https://localhost:$HTTPS_PORT/"
		;;
	run) parse_args "$@"; cmd_run ;;
	demo) parse_args "$@"; cmd_demo ;;
	demo-remove) parse_args "$@"; cmd_demo_remove ;;
	start-app) parse_args "$@"; need_stack; lock_stack; cmd_start_app ;;
	stop-app) parse_args "$@"; [ -f "$DIR/stack.env" ] || exit 0; lock_stack; cmd_stop_app ;;
	migrate) parse_args "$@"; cmd_migrate ;;
	down) parse_args "$@"; cmd_down ;;
	destroy) parse_args "$@"; cmd_destroy ;;
	status) parse_args "$@"; cmd_status ;;
	env) parse_args "$@"; cmd_env ;;
	pg-stop) parse_args "$@"; need_stack; lock_stack; pg_setup_vars; pg_stop ;;
	pg-start) parse_args "$@"; need_stack; lock_stack; pg_setup_vars; pg_start ;;
	pg-restart) parse_args "$@"; need_stack; lock_stack; pg_setup_vars; pg_stop; pg_start ;;
	redis-stop) parse_args "$@"; need_stack; lock_stack; redis_stop ;;
	redis-start) parse_args "$@"; need_stack; lock_stack; redis_start ;;
	*) usage >&2; die "unknown command '$cmd'" ;;
	esac
}

main "$@"
