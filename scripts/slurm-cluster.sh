# A single-node Slurm cluster on this machine, for scripts/slurm-local.sh (sourced, not run).
# cluster_start DIR: generates a munge key and slurm.conf in DIR (a fresh temporary directory), starts munged,
# slurmctld and slurmd on localhost with that configuration (free ports, all state, logs and sockets in DIR), exports
# SLURM_CONF so that sbatch, squeue, scontrol use it, and waits until the node is idle. cluster_stop: stops the three
# daemons it started (by their pid files), whatever state they are in. Nothing outside DIR is written or changed.
# Needs root (slurmd runs jobs as their user) and Debian's slurm-wlm and munge (scripts/install-deps.sh cluster).

cluster_log() { echo "slurm-local: $*" >&2; }

# A TCP port nobody listens on, from a range unlikely to be used.
cluster_free_port() {
  local port
  for port in $(seq "$1" $(("$1" + 200))); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return 0; fi
  done
  return 1
}

cluster_start() {
  CLUSTER_DIR="$1"
  local d="$CLUSTER_DIR" node cpus mem ctld_port slurmd_port
  mkdir -p "$d/state" "$d/spool" "$d/log"
  chmod 700 "$d"
  dd if=/dev/urandom of="$d/munge.key" bs=1024 count=1 status=none
  chmod 600 "$d/munge.key"
  munged --force --key-file="$d/munge.key" --socket="$d/munge.socket" --pid-file="$d/munged.pid" \
    --seed-file="$d/munged.seed" --log-file="$d/log/munged.log" || { cluster_log "munged did not start"; return 1; }

  node=$(hostname -s)
  cpus=$(nproc)
  mem=$(awk '/MemTotal/ { print int($2 / 1024 / 2) }' /proc/meminfo)   # half of the memory, in MiB
  ctld_port=$(cluster_free_port 16817) && slurmd_port=$(cluster_free_port $((ctld_port + 1))) ||
    { cluster_log "no free TCP port"; return 1; }
  cat > "$d/slurm.conf" <<EOF
ClusterName=grokscope-local
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
# cred_expire: a requeued job waits this long before it may start again (Slurm's default: 120 s).
AuthInfo=socket=$d/munge.socket,cred_expire=10
StateSaveLocation=$d/state
SlurmdSpoolDir=$d/spool
SlurmctldPidFile=$d/slurmctld.pid
SlurmdPidFile=$d/slurmd.pid
SlurmctldLogFile=$d/log/slurmctld.log
SlurmdLogFile=$d/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SwitchType=switch/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=2
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
ReturnToService=2
KillWait=5
MinJobAge=600
InactiveLimit=0
Waittime=0
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=local Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
  export SLURM_CONF="$d/slurm.conf"
  slurmctld -f "$d/slurm.conf" -i || { cluster_log "slurmctld did not start"; cat "$d/log/slurmctld.log" >&2; return 1; }
  slurmd -f "$d/slurm.conf" -N "$node" || { cluster_log "slurmd did not start"; cat "$d/log/slurmd.log" >&2; return 1; }
  local i state
  for i in $(seq 1 60); do
    state=$(sinfo -h -n "$node" -o %t 2>/dev/null || true)
    case "$state" in idle*|mix*|alloc*) cluster_log "node $node is $state ($cpus CPUs)"; return 0 ;; esac
    sleep 0.5
  done
  cluster_log "node $node not ready after 30 s (state '$state')"
  tail -n 20 "$d/log/slurmctld.log" "$d/log/slurmd.log" >&2
  return 1
}

# Stops the daemons started by cluster_start (SIGTERM, then SIGKILL after 10 s); never fails.
cluster_stop() {
  [ -n "${CLUSTER_DIR:-}" ] || return 0
  local f pid i
  # Jobs first (only this cluster's: SLURM_CONF points at it), so that no job step outlives slurmd.
  if [ -s "$CLUSTER_DIR/slurmctld.pid" ] && kill -0 "$(cat "$CLUSTER_DIR/slurmctld.pid")" 2>/dev/null; then
    scancel --full --quiet --user=root 2>/dev/null || true
    for i in $(seq 1 30); do [ -z "$(squeue -h -o %i 2>/dev/null)" ] && break; sleep 0.5; done
  fi
  for f in slurmd slurmctld munged; do
    [ -s "$CLUSTER_DIR/$f.pid" ] || continue
    pid=$(cat "$CLUSTER_DIR/$f.pid")
    kill "$pid" 2>/dev/null || continue
    for i in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
  done
  return 0
}
