#!/usr/bin/env bash
# Serve a lecture hall: N `streamlit run app.py` processes on loopback ports behind nginx, with
# cookie-based sticky sessions, and a watchdog that restarts a process that dies or stops answering.
#
# Usage: scripts/serve.sh [--processes N] [--port 8080] [--address 0.0.0.0] [--run-dir DIR]
#   --processes N   Streamlit processes (default: the number of cores); one process uses one core
#   --port P        the port nginx listens on (default 8080)
#   --address A     the address nginx listens on (default 0.0.0.0: the class reaches it)
#   --run-dir DIR   nginx.conf, pid files, logs, class votes (default: a temp dir, removed on exit)
#   --nginx PATH    the nginx binary (default: /usr/sbin/nginx, or nginx on PATH)
#   --lecturer-key K  the key for class votes (default: $PLAYGROUND_LECTURER_KEY, else a fresh one)
#   --public-url URL  where students reach this server, for the join link and QR code
#                   (default: http://<this host's first address>:<port>)
#
# Ctrl-C or SIGTERM stops every process this script started (and only those). The processes share
# one cookie secret: $STREAMLIT_SERVER_COOKIE_SECRET when set (several hosts), else a fresh one.
# The run dir holds backend-<i>.port / backend-<i>.pid (kept current by the watchdog), nginx.pid,
# nginx-access.log (with the upstream of each request), each process's log and classroom.db: the
# class votes every process shares ($PLAYGROUND_CLASSROOM_DB when set, e.g. a PostgreSQL URL).
# The lecturer link (with the key) is printed to this console only; students get the join link.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

processes=$(nproc 2>/dev/null || echo 2)
port=8080
address=0.0.0.0
run_dir=""
nginx_bin=""
python=${PYTHON:-python3}
lecturer_key=${PLAYGROUND_LECTURER_KEY:-}
public_url=""
watch_interval=2      # seconds between two health polls
unhealthy_after=5     # consecutive failed polls (of 5 s each) before a live process is restarted
start_grace=90        # seconds a (re)started process may take before failed polls count

usage() { sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; }
keep_run_dir=0
die() { echo "serve.sh: $*" >&2; keep_run_dir=1; exit 2; }
log() { echo "[serve $(date -u +%H:%M:%S)] $*" >&2; }

while (($#)); do
  [[ $1 == -h || $1 == --help || $# -ge 2 ]] || die "$1 needs a value (see --help)"
  case $1 in
    --processes) processes=${2:-}; shift 2 ;;
    --port) port=${2:-}; shift 2 ;;
    --address) address=${2:-}; shift 2 ;;
    --run-dir) run_dir=${2:-}; shift 2 ;;
    --nginx) nginx_bin=${2:-}; shift 2 ;;
    --lecturer-key) lecturer_key=${2:-}; shift 2 ;;
    --public-url) public_url=${2:-}; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done
[[ $processes =~ ^[0-9]+$ ]] && ((processes >= 1 && processes <= 64)) ||
  die "--processes must be a whole number from 1 to 64, got '$processes'"
[[ $port =~ ^[0-9]+$ ]] && ((port >= 1 && port <= 65535)) || die "--port must be 1..65535, got '$port'"
address_re='^[0-9A-Za-z.:-]+$'
[[ $address =~ $address_re ]] || die "--address must be an IP address or host name, got '$address'"
if [[ -z $lecturer_key ]]; then
  lecturer_key=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')
fi
key_re='^[A-Za-z0-9._~-]{8,200}$'  # safe in a URL as it is
[[ $lecturer_key =~ $key_re ]] ||
  die "--lecturer-key must be 8 to 200 letters, digits or . _ ~ - (got ${#lecturer_key} characters)"
if [[ -z $public_url ]]; then
  host=$address
  if [[ $host == 0.0.0.0 || $host == :: ]]; then
    host=$(hostname -I 2>/dev/null | awk '{print $1}')
    [[ -n $host ]] || host=$(hostname)
  fi
  [[ $host == *:* ]] && host="[$host]"
  public_url="http://$host:$port"
fi
url_re='^https?://[][0-9A-Za-z.:-]+(:[0-9]+)?(/[0-9A-Za-z._~/-]*)?$'
[[ $public_url =~ $url_re ]] || die "--public-url must look like http://host:port, got '$public_url'"
public_url=${public_url%/}
if [[ -z $nginx_bin ]]; then
  if [[ -x /usr/sbin/nginx ]]; then nginx_bin=/usr/sbin/nginx; else nginx_bin=$(command -v nginx || true); fi
fi
[[ -n $nginx_bin && -x $nginx_bin ]] || die "nginx not found (apt-get install nginx, or pass --nginx PATH)"

own_run_dir=0
if [[ -z $run_dir ]]; then
  run_dir=$(mktemp -d -t optimizer-hall.XXXXXX)
  own_run_dir=1
fi
mkdir -p "$run_dir/tmp"
run_dir=$(cd "$run_dir" && pwd)
# nginx's cache of the class vote's room files (deploy/nginx.conf.template): its workers write it,
# and started by root they run as `nobody`, who may not enter the run dir (the votes are there).
rooms_cache=$(mktemp -d -t optimizer-hall-rooms.XXXXXX)
if [[ $(id -u) == 0 ]]; then chown nobody "$rooms_cache"; fi
rm -f "$run_dir"/backend-*.pid "$run_dir"/backend-*.port  # a reused run dir: only this start's

# One secret for all processes: Streamlit signs its XSRF cookie with it, and a student whose
# process dies reconnects to another one with the cookie the first one signed.
if [[ -z ${STREAMLIT_SERVER_COOKIE_SECRET:-} ]]; then
  STREAMLIT_SERVER_COOKIE_SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
fi
export STREAMLIT_SERVER_COOKIE_SECRET

# Class votes: every process reads and writes one store (a SQLite file here unless set), lecturer
# actions need the key, and the join link / QR code name the address students reach.
export PLAYGROUND_CLASSROOM_DB=${PLAYGROUND_CLASSROOM_DB:-$run_dir/classroom.db}
export PLAYGROUND_LECTURER_KEY=$lecturer_key
export PLAYGROUND_PUBLIC_URL=$public_url

# Free loopback ports for the processes (the kernel's choice, so two halls never collide).
mapfile -t ports < <("$python" - "$processes" <<'PY'
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks:
    s.bind(("127.0.0.1", 0))
print("\n".join(str(s.getsockname()[1]) for s in socks))
PY
)
((${#ports[@]} == processes)) || die "could not find $processes free loopback ports"

pids=()        # pid of process i
started_at=()  # when process i was last started (seconds since epoch)
fails=()       # consecutive failed health polls of process i
nginx_pid=0
sleep_pid=0
stopping=0

start_backend() {
  local i=$1
  "$python" -m streamlit run "$ROOT/app.py" \
    --server.headless true --server.address 127.0.0.1 --server.port "${ports[i]}" \
    --server.fileWatcherType none --server.runOnSave false --browser.gatherUsageStats false \
    >>"$run_dir/backend-$i.log" 2>&1 &
  pids[i]=$!
  started_at[i]=$(date +%s)
  fails[i]=0
  echo "${ports[i]}" >"$run_dir/backend-$i.port"
  echo "${pids[i]}" >"$run_dir/backend-$i.pid"
  log "process $i: pid ${pids[i]} on 127.0.0.1:${ports[i]}"
}

# GET /_stcore/health with bash's /dev/tcp (no curl needed); true when it answers "ok".
healthy() {
  local port=$1 reply
  reply=$(timeout 5 bash -c '
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf "GET /_stcore/health HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n" >&3
    cat <&3' _ "$port" 2>/dev/null) || return 1
  [[ $reply == "HTTP/1.1 200"* && $reply == *$'\r\n\r\nok' ]]
}

stop_pid() {  # stop_pid PID: SIGTERM, then SIGKILL after 10 s; only ever a pid we started
  local pid=$1 n
  ((pid > 0)) || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((n = 0; n < 100; n++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  ((stopping)) && return
  stopping=1
  trap '' INT TERM
  log "stopping"
  if ((sleep_pid > 0)); then kill "$sleep_pid" 2>/dev/null || true; fi  # never `kill 0` (the group)
  stop_pid "$nginx_pid"
  local i
  for i in "${!pids[@]}"; do stop_pid "${pids[i]}" & done
  wait
  if ((own_run_dir && !keep_run_dir)); then rm -rf "$run_dir"; fi  # kept after an error, for its logs
  rm -rf "$rooms_cache"
  log "stopped"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

for ((i = 0; i < processes; i++)); do start_backend "$i"; done

servers=""
for p in "${ports[@]}"; do
  servers+="        server 127.0.0.1:$p max_fails=1 fail_timeout=5s;"$'\n'
done
listen=$address:$port
[[ $address == *:* ]] && listen="[$address]:$port"
conf=$(<"$ROOT/deploy/nginx.conf.template")
conf=${conf//@RUN_DIR@/"$run_dir"}
conf=${conf//@ROOMS_CACHE@/"$rooms_cache"}
conf=${conf//@LISTEN@/"$listen"}
conf=${conf//@SERVERS@/"${servers%$'\n'}"}
printf '%s\n' "$conf" >"$run_dir/nginx.conf"
"$nginx_bin" -t -q -p "$run_dir" -e "$run_dir/nginx-error.log" -c "$run_dir/nginx.conf" ||
  die "nginx rejected $run_dir/nginx.conf (see $run_dir/nginx-error.log)"

# Start nginx in the foreground (a child of this script); true once it listens (it writes its pid
# file after binding), false when it exits first (e.g. the port is taken).
start_nginx() {
  rm -f "$run_dir/nginx.pid"
  "$nginx_bin" -p "$run_dir" -e "$run_dir/nginx-error.log" -c "$run_dir/nginx.conf" -g 'daemon off;' &
  nginx_pid=$!
  until [[ $(cat "$run_dir/nginx.pid" 2>/dev/null) == "$nginx_pid" ]]; do
    if ! kill -0 "$nginx_pid" 2>/dev/null; then
      wait "$nginx_pid" 2>/dev/null || true
      nginx_pid=0
      return 1
    fi
    sleep 0.1
  done
  log "nginx: pid $nginx_pid on $listen"
}
start_nginx || die "nginx could not start on $listen; see $run_dir/nginx-error.log"

# Ready once every process answers its health check.
for ((i = 0; i < processes; i++)); do
  until healthy "${ports[i]}"; do
    kill -0 "${pids[i]}" 2>/dev/null || die "process $i exited while starting; see $run_dir/backend-$i.log"
    (($(date +%s) - started_at[i] < start_grace)) || die "process $i not healthy after ${start_grace}s"
    sleep 0.5
  done
done
log "ready: http://$listen/ ($processes processes; run dir $run_dir; Ctrl-C stops)"
log "students: $public_url/lecture"
log "lecturer link (keep it off the projector; it holds the key): $public_url/lecture?lecturer=$lecturer_key"

# Watchdog: restart a process that exited, or that failed `unhealthy_after` polls in a row (a
# hung process; a long computation still lets the server answer, just late).
while true; do
  sleep "$watch_interval" &
  sleep_pid=$!
  wait "$sleep_pid" || true
  if ! kill -0 "$nginx_pid" 2>/dev/null; then
    wait "$nginx_pid" 2>/dev/null || true
    log "nginx exited; restarting it"
    start_nginx || die "nginx could not restart; see $run_dir/nginx-error.log"
  fi
  for ((i = 0; i < processes; i++)); do
    if ! kill -0 "${pids[i]}" 2>/dev/null; then
      wait "${pids[i]}" 2>/dev/null && code=0 || code=$?
      log "process $i (pid ${pids[i]}) exited with status $code; restarting it"
      start_backend "$i"
    elif healthy "${ports[i]}"; then
      fails[i]=0
    elif (($(date +%s) - started_at[i] >= start_grace)); then
      fails[i]=$((fails[i] + 1))
      if ((fails[i] >= unhealthy_after)); then
        log "process $i (pid ${pids[i]}) failed ${fails[i]} health checks; restarting it"
        stop_pid "${pids[i]}"
        start_backend "$i"
      fi
    fi
  done
done
