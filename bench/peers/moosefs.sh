#!/usr/bin/env bash
# MooseFS on loopback, as the peer for minidfs's benchmarks (issue 8).
#
# One master, N chunkservers (each with its own data dir and port) and one FUSE mount, all under a
# scratch dir (default /tmp/minidfs-moosefs, override with MFS_DIR). Every daemon runs in the
# foreground under our control (pid files in $MFS_DIR/pids), its output timestamped line by line
# (epoch seconds with microseconds, then the line) into $MFS_DIR/logs/<name>.log. The master's
# log is how the benchmark measures detection ("chunkserver disconnected" lines).
#
# Quirks (see docs/BENCHMARKS.md, "MooseFS peer"):
#  - MooseFS refuses chunkservers that connect from 127.x ("you cannot use localhost for
#    communication between chunkserver and master"). We set MASTER_HOST = 0.0.0.0 on chunkservers
#    (the kernel routes it over lo) and remap 127.0.0.1 to this machine's own non-loopback address
#    with REMAP_BITS = 32 on the master, so clients reach chunkservers at <that address>:<port>,
#    which the kernel still delivers over lo. Override the address with MFS_REMAP_IP.
#  - REPLICATIONS_DELAY_INIT = 0 (default 60 s: no re-replication in the master's first minute).
#
# Usage: moosefs.sh install | up [--chunkservers N] | down | status | env
#                   | kill-cs N | stop-cs N | cont-cs N | start-cs N | wait-cs COUNT [SECONDS] | chunk-bytes N
# kill-cs/stop-cs/cont-cs print the epoch time (seconds.microseconds) at which the signal was sent.
set -euo pipefail
export LC_ALL=C

DIR=${MFS_DIR:-/tmp/minidfs-moosefs}
PORT_BASE=${MFS_PORT_BASE:-19419}     # master: +0 metaloggers, +1 chunkservers, +2 clients
ML_PORT=$PORT_BASE
CS_PORT=$((PORT_BASE + 1))
CL_PORT=$((PORT_BASE + 2))
CS_PORT_BASE=$((PORT_BASE + 11))      # chunkserver N listens on CS_PORT_BASE + N (19431, 19432, ...)
MNT=$DIR/mnt
PACKAGES=(moosefs-master moosefs-chunkserver moosefs-client moosefs-cli)

die() { echo "moosefs.sh: $*" >&2; exit 1; }
say() { echo "moosefs.sh: $*" >&2; }
need_root() { [[ $(id -u) == 0 ]] || die "must run as root (FUSE mount, drop_caches, daemons as user mfs)"; }
need_installed() {
  local missing=()
  for b in mfsmaster mfschunkserver mfsmount mfscli; do command -v "$b" >/dev/null || missing+=("$b"); done
  ((${#missing[@]} == 0)) || die "not installed: ${missing[*]} (run: $0 install)"
}

# --- process bookkeeping ---------------------------------------------------------------------
pidfile() { echo "$DIR/pids/$1.pid"; }
# Prints the pid of <name> if it is alive AND still a MooseFS daemon (by comm: mfsmount rewrites
# its command line while it starts, so the command line cannot tell, at every instant, it is ours).
alive_pid() {
  local f pid comm; f=$(pidfile "$1")
  [[ -f $f ]] || return 1
  pid=$(<"$f")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  comm=$(cat "/proc/$pid/comm" 2>/dev/null) || return 1
  [[ $comm == mfsmaster || $comm == mfschunkserver || $comm == mfsmount ]] || return 1
  [[ $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) != Z ]] || return 1
  echo "$pid"
}
proc_state() { awk '{print $3}' "/proc/$1/stat" 2>/dev/null || echo '?'; }

# Starts a command in its own session, output timestamped into logs/<name>.log, pid in pids/<name>.pid.
launch() {
  local name=$1; shift
  mkdir -p "$DIR/logs" "$DIR/pids"
  # Process substitution: $! is the daemon itself, not the timestamper. Every fd points away from
  # our caller's stdout/stderr, or a caller waiting on our pipes (execFile) would wait forever.
  # The timestamper ignores SIGINT/SIGHUP so a Ctrl-C in the caller's terminal does not cut logs.
  setsid "$@" </dev/null > >(trap '' INT HUP; exec >>"$DIR/logs/$name.log" 2>&1; stamp) 2>&1 &
  local pid=$! i
  echo "$pid" >"$(pidfile "$name")"
  # Until setsid has exec'd the daemon, /proc/$pid/comm says bash or setsid: wait for that.
  for ((i = 0; i < 100; i++)); do
    case $(cat "/proc/$pid/comm" 2>/dev/null || echo gone) in bash | setsid) sleep 0.02 ;; *) break ;; esac
  done
}
stamp() { local line; while IFS= read -r line; do printf '%s %s\n' "$EPOCHREALTIME" "$line"; done; }

stop_procs() { # timeout_s name...: SIGCONT (in case one is stopped) + SIGTERM to all, wait, SIGKILL the rest
  local t=$1 name pid i left; shift
  for name in "$@"; do
    pid=$(alive_pid "$name") || continue
    kill -CONT "$pid" 2>/dev/null || true
    kill -TERM "$pid" 2>/dev/null || true
  done
  for ((i = 0; i < t * 20; i++)); do
    left=0
    for name in "$@"; do alive_pid "$name" >/dev/null && left=1; done
    ((left)) || break
    sleep 0.05
  done
  for name in "$@"; do
    if pid=$(alive_pid "$name"); then say "$name did not stop in ${t}s, SIGKILL"; kill -KILL "$pid" 2>/dev/null || true; fi
    rm -f "$(pidfile "$name")"
  done
}

is_mounted() { awk -v m="$MNT" '$2 == m {f=1} END {exit !f}' /proc/mounts; }

# --- config ------------------------------------------------------------------------------------
remap_ip() {
  if [[ -n ${MFS_REMAP_IP:-} ]]; then echo "$MFS_REMAP_IP"; return; fi
  local ip
  ip=$(ip -4 route get 1.1.1.1 2>/dev/null | sed -n 's/.* src \([0-9.]*\).*/\1/p' | head -1)
  [[ -n $ip ]] || ip=$(ip -4 -o addr show scope global 2>/dev/null | awk '{sub(/\/.*/, "", $4); print $4; exit}')
  [[ -n $ip && $ip != 127.* ]] || die "no non-loopback IPv4 address to remap chunkservers to (MooseFS refuses 127.x); set MFS_REMAP_IP"
  echo "$ip"
}

write_master_cfg() {
  local ip=$1
  mkdir -p "$DIR/master"
  cat >"$DIR/mfsmaster.cfg" <<EOF
WORKING_USER = mfs
WORKING_GROUP = mfs
DATA_PATH = $DIR/master
EXPORTS_FILENAME = $DIR/mfsexports.cfg
TOPOLOGY_FILENAME = $DIR/mfstopology.cfg
MATOML_LISTEN_HOST = 127.0.0.1
MATOML_LISTEN_PORT = $ML_PORT
MATOCS_LISTEN_HOST = 127.0.0.1
MATOCS_LISTEN_PORT = $CS_PORT
MATOCL_LISTEN_HOST = 127.0.0.1
MATOCL_LISTEN_PORT = $CL_PORT
# chunkservers connect from 127.0.0.1, which the master refuses; report them as $ip instead
REMAP_BITS = 32
REMAP_SOURCE_IP_CLASS = 127.0.0.1
REMAP_DESTINATION_IP_CLASS = $ip
# start re-replication at once (default: 60 s after start)
REPLICATIONS_DELAY_INIT = 0
# the master's metadata dump: not during a benchmark
METADATA_SAVE_FREQ = 24
EOF
  echo '* / rw,alldirs,maproot=0' >"$DIR/mfsexports.cfg"
  : >"$DIR/mfstopology.cfg"
  # An empty file system ("MFSM NEW"), as /var/lib/mfs/metadata.mfs.empty.
  [[ -f $DIR/master/metadata.mfs ]] || printf 'MFSM NEW' >"$DIR/master/metadata.mfs"
}

write_cs_cfg() {
  local n=$1 d=$DIR/cs$1
  mkdir -p "$d/var" "$d/chunks"
  cat >"$d/mfschunkserver.cfg" <<EOF
WORKING_USER = mfs
WORKING_GROUP = mfs
DATA_PATH = $d/var
HDD_CONF_FILENAME = $d/mfshdd.cfg
MASTER_HOST = 0.0.0.0
MASTER_PORT = $CS_PORT
CSSERV_LISTEN_PORT = $((CS_PORT_BASE + n))
# reconnect 1 s after losing the master (default 5): a SIGCONTed server is back sooner
MASTER_RECONNECTION_DELAY = 1
EOF
  echo "$d/chunks" >"$d/mfshdd.cfg"
}

# --- master queries ----------------------------------------------------------------------------
mfscli_q() { timeout 10 mfscli -H 127.0.0.1 -P "$CL_PORT" -n "$@" 2>/dev/null; }
# Number of chunkservers the master lists as connected (one row per server in -SCS plain output).
connected_cs() {
  mfscli_q -SCS -p | awk -F'\t' '$1 ~ /chunk servers/ && NF > 3 && $0 !~ /disconnected/ {n++} END {print n+0}'
}

wait_cs() { # count timeout_s
  local want=$1 t=${2:-30} i got=0
  for ((i = 0; i < t * 5; i++)); do
    got=$(connected_cs || echo 0)
    ((got >= want)) && return 0
    sleep 0.2
  done
  say "master sees $got connected chunkservers, wanted $want (logs: $DIR/logs)"
  return 1
}

# --- commands ----------------------------------------------------------------------------------
cmd_install() {
  need_root
  local missing=()
  for p in "${PACKAGES[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p"); done
  if ((${#missing[@]} == 0)); then say "already installed: ${PACKAGES[*]} ($(mfsmaster -v 2>&1 | head -1))"; return 0; fi
  say "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null ||
    { DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null; } ||
    die "apt-get install ${missing[*]} failed"
  say "installed ($(mfsmaster -v 2>&1 | head -1))"
}

check_fuse() {
  if [[ ! -c /dev/fuse ]]; then
    modprobe fuse 2>/dev/null || true
    [[ -c /dev/fuse ]] || mknod -m 666 /dev/fuse c 10 229 2>/dev/null || true
  fi
  [[ -c /dev/fuse ]] || die "no /dev/fuse (modprobe fuse failed; in a container, pass --device /dev/fuse --cap-add SYS_ADMIN)"
  grep -qw fuse /proc/filesystems || { modprobe fuse 2>/dev/null || true; grep -qw fuse /proc/filesystems || die "kernel has no fuse file system (modprobe fuse failed)"; }
}

start_cs() {
  local n=$1
  alive_pid "cs$n" >/dev/null && return 0
  [[ -f $DIR/cs$n/mfschunkserver.cfg ]] || die "no chunkserver $n (up started $(state_n) chunkservers)"
  rm -f "$DIR/cs$n/var/.mfschunkserver.lock"
  launch "cs$n" mfschunkserver -c "$DIR/cs$n/mfschunkserver.cfg" -f start
}

state_n() { cat "$DIR/state/chunkservers" 2>/dev/null || echo 0; }

healthy() { # are master, all N chunkservers, and the mount up?
  local n; n=$(state_n)
  ((n > 0)) && alive_pid master >/dev/null && alive_pid mount >/dev/null && is_mounted || return 1
  for ((i = 1; i <= n; i++)); do alive_pid "cs$i" >/dev/null || return 1; [[ $(proc_state "$(alive_pid "cs$i")") != T ]] || return 1; done
  stat -t "$MNT" >/dev/null 2>&1
}

# Mounts $MNT (mfsmount in the foreground, under our control); false if it did not work in 10 s.
mount_fs() {
  local i
  launch mount mfsmount "$MNT" -f -H 127.0.0.1 -P "$CL_PORT" -o mfssubfolder=/
  for ((i = 0; i < 100; i++)); do
    is_mounted && stat -t "$MNT" >/dev/null 2>&1 && return 0
    alive_pid mount >/dev/null || { say "mfsmount exited: $(log_error mount)"; return 1; }
    sleep 0.1
  done
  say "mfsmount did not mount $MNT in 10 s"
  return 1
}

# The first line of a daemon's log that reads like an error (else its last line), without the timestamp.
log_error() {
  local f=$DIR/logs/$1.log line
  line=$(grep -i -m1 -E "can't|cannot|error|fail|refus|denied|no such" "$f" 2>/dev/null || tail -1 "$f" 2>/dev/null || true)
  echo "${line#* }"
}

# Keeps the evidence of a failed `up` where `down` (which clears $DIR) leaves it, then dies.
fail_up() {
  local keep=$DIR-failed-up
  rm -rf "$keep"; mkdir -p "$keep"
  cp -r "$DIR/logs" "$DIR"/*.cfg "$keep/" 2>/dev/null || true
  ps -eo pid,ppid,stat,comm,args | grep -E 'mfs' | grep -v grep >"$keep/ps.txt" 2>/dev/null || true
  die "$1 (logs kept in $keep)"
}

cmd_up() {
  local n=3
  while (($#)); do
    case $1 in
      --chunkservers) [[ ${2:-} =~ ^[1-9][0-9]?$ ]] || die "--chunkservers needs a number 1..99"; n=$2; shift 2 ;;
      *) die "up: unknown option $1" ;;
    esac
  done
  need_root; need_installed; check_fuse
  if [[ $(state_n) == "$n" ]] && healthy; then say "already up: $n chunkservers, mounted at $MNT"; return 0; fi
  cmd_down quiet
  local ip; ip=$(remap_ip)
  mkdir -p "$DIR/state" "$DIR/logs" "$DIR/pids" "$MNT"
  echo "$n" >"$DIR/state/chunkservers"
  write_master_cfg "$ip"
  for ((i = 1; i <= n; i++)); do write_cs_cfg "$i"; done
  chown -R mfs:mfs "$DIR/master" "$DIR"/cs*
  launch master mfsmaster -c "$DIR/mfsmaster.cfg" -f start
  local i ok=0
  for ((i = 0; i < 100; i++)); do
    alive_pid master >/dev/null || fail_up "mfsmaster exited: $(log_error master)"
    if grep -q 'main master server module: listen on' "$DIR/logs/master.log" 2>/dev/null; then ok=1; break; fi
    sleep 0.1
  done
  ((ok)) || fail_up "mfsmaster not listening after 10 s"
  for ((i = 1; i <= n; i++)); do start_cs "$i"; done
  wait_cs "$n" 30 || fail_up "master sees fewer than $n chunkservers after 30 s"
  mount_fs || { say "mfsmount failed once, retrying"; stop_procs 5 mount; mount_fs; } || fail_up "mfsmount did not mount $MNT"
  rm -rf "$DIR-failed-up"
  say "up: master 127.0.0.1:$CL_PORT, $n chunkservers (ports $((CS_PORT_BASE + 1))..$((CS_PORT_BASE + n)), remapped to $ip), mounted at $MNT"
}

cmd_down() {
  local quiet=${1:-}
  need_root
  if is_mounted; then
    umount "$MNT" 2>/dev/null || fusermount3 -u "$MNT" 2>/dev/null || fusermount -u "$MNT" 2>/dev/null || umount -l "$MNT" 2>/dev/null ||
      say "could not unmount $MNT"
  fi
  stop_procs 5 mount
  local f cs=()
  for f in "$DIR"/pids/cs*.pid; do [[ -e $f ]] && cs+=("$(basename "$f" .pid)"); done
  ((${#cs[@]} == 0)) || stop_procs 15 "${cs[@]}"
  stop_procs 30 master
  # Leftovers whose pid files are gone (an earlier run killed midway): only processes whose
  # command line names our scratch dir, one by one.
  local pid
  for pid in $(grep -lsF -- "$DIR/" /proc/[0-9]*/cmdline 2>/dev/null | cut -d/ -f3); do
    [[ $pid == "$$" || $pid == "$BASHPID" ]] && continue
    if { tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null | grep -qE '^(mfsmaster|mfschunkserver|mfsmount) '; then
      say "leftover process $pid, killing"
      kill -CONT "$pid" 2>/dev/null || true; kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  is_mounted && { umount -l "$MNT" 2>/dev/null || say "could not unmount $MNT"; }
  if [[ -d $DIR ]]; then
    is_mounted || rm -rf "$DIR"
  fi
  [[ $quiet == quiet ]] || say "down: nothing running, $DIR removed"
}

cs_pid() { # N -> pid (dies if not running)
  [[ ${1:-} =~ ^[0-9]+$ ]] || die "need a chunkserver number"
  (($1 >= 1 && $1 <= $(state_n))) || die "no chunkserver $1 (up started $(state_n))"
  alive_pid "cs$1" || die "chunkserver $1 is not running"
}

# Sends SIG<sig> to chunkserver N and prints the epoch time (s.us) just before the signal went out
# (kill is a builtin: no fork between the two), for measurements against the master's log.
signal_cs() {
  local sig=$1 n=$2 pid t
  pid=$(cs_pid "$n")
  t=$EPOCHREALTIME
  kill -"$sig" "$pid"
  echo "$t"
  say "chunkserver $n (pid $pid): SIG$sig"
}

cmd_status() {
  local n i pid
  n=$(state_n)
  if ((n == 0)); then echo "down (no state in $DIR)"; return 0; fi
  if pid=$(alive_pid master); then echo "master   pid $pid $(proc_state "$pid") 127.0.0.1:$CL_PORT"; else echo "master   not running"; fi
  for ((i = 1; i <= n; i++)); do
    if pid=$(alive_pid "cs$i"); then
      echo "cs$i      pid $pid $(proc_state "$pid") port $((CS_PORT_BASE + i)) chunks $(find "$DIR/cs$i/chunks" -name 'chunk_*.mfs' 2>/dev/null | wc -l) bytes $(chunk_bytes "$i")"
    else echo "cs$i      not running"; fi
  done
  if is_mounted; then echo "mount    $MNT (pid $(alive_pid mount || echo '?'))"; else echo "mount    not mounted"; fi
  if alive_pid master >/dev/null; then echo "master sees $(connected_cs) connected chunkservers"; fi
}

chunk_bytes() { find "$DIR/cs$1/chunks" -name 'chunk_*.mfs' -printf '%s\n' 2>/dev/null | awk '{s += $1} END {printf "%d\n", s}'; }

cmd_env() {
  cat <<EOF
MFS_DIR=$DIR
MFS_MOUNT=$MNT
MFS_MASTER_LOG=$DIR/logs/master.log
MFS_CL_PORT=$CL_PORT
MFS_CS_PORT_BASE=$CS_PORT_BASE
MFS_CHUNKSERVERS=$(state_n)
EOF
}

main() {
  local cmd=${1:-}; shift || true
  case $cmd in
    install) cmd_install ;;
    up) cmd_up "$@" ;;
    down) cmd_down ;;
    status) cmd_status ;;
    env) cmd_env ;;
    kill-cs) need_root; signal_cs KILL "${1:-}" ;;
    stop-cs) need_root; signal_cs STOP "${1:-}" ;;
    cont-cs) need_root; signal_cs CONT "${1:-}" ;;
    start-cs) need_root; [[ ${1:-} =~ ^[0-9]+$ ]] || die "start-cs needs a number"; start_cs "$1"; say "chunkserver $1 started" ;;
    wait-cs) [[ ${1:-} =~ ^[0-9]+$ ]] || die "wait-cs COUNT [SECONDS]"; wait_cs "$1" "${2:-30}" || exit 1 ;;
    chunk-bytes) [[ ${1:-} =~ ^[0-9]+$ ]] || die "chunk-bytes N"; chunk_bytes "$1" ;;
    ''|-h|--help|help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' ;;
    *) die "unknown command $cmd (try: $0 help)" ;;
  esac
}
main "$@"
