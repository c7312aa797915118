#!/usr/bin/env bash
# A real Slurm cluster on this machine for SynthLab's Slurm tests: munged, slurmctld and two
# slurmd daemons (nodes node1 and node2, one CPU each) from Debian's packages, run in the
# background without systemd, everything under one folder. Stopped by the process ids it
# recorded.
#
#   scripts/slurm-cluster.sh start [FOLDER]   # default $SYNTHLAB_SLURM_DIR or /tmp/synthlab-slurm
#   scripts/slurm-cluster.sh stop [FOLDER]
#   scripts/slurm-cluster.sh env [FOLDER]     # prints the exports a client needs (SLURM_CONF)
set -euo pipefail

action="${1:-}"
folder="${2:-${SYNTHLAB_SLURM_DIR:-/tmp/synthlab-slurm}}"

need_packages() {
    local missing=()
    for package in munge slurmctld slurmd slurm-client; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        echo "Installing Debian packages: ${missing[*]}" >&2
        local sudo=""
        [ "$(id -u)" -eq 0 ] || sudo="sudo"
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
}

stop() {
    for name in slurmd-node1 slurmd-node2 slurmctld munged; do
        local pidfile="$folder/$name.pid"
        if [ -f "$pidfile" ]; then
            local pid
            pid="$(cat "$pidfile")"
            kill "$pid" 2>/dev/null || true
            for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            kill -9 "$pid" 2>/dev/null || true
            rm -f "$pidfile"
        fi
    done
}

start() {
    need_packages
    stop
    mkdir -p "$folder"/{state,log,spool/node1,spool/node2}
    chmod 700 "$folder"
    # munge: its own key, socket and files.
    if [ ! -f "$folder/munge.key" ]; then
        dd if=/dev/urandom of="$folder/munge.key" bs=1 count=1024 status=none
        chmod 400 "$folder/munge.key"
    fi
    # Daemons get no terminal and none of this script's output streams (a caller reading them
    # would otherwise wait for the daemons to exit).
    munged --force --key-file="$folder/munge.key" --socket="$folder/munge.socket" --pid-file="$folder/munged.pid" \
        --log-file="$folder/log/munged.log" --seed-file="$folder/munge.seed" </dev/null >>"$folder/log/daemons.out" 2>&1
    local user
    user="$(id -un)"
    local cpus=1
    cat > "$folder/slurm.conf" <<CONF
ClusterName=synthlab
SlurmctldHost=localhost
SlurmUser=$user
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$folder/munge.socket
CredType=cred/munge
SlurmctldPort=${SYNTHLAB_SLURMCTLD_PORT:-16817}
StateSaveLocation=$folder/state
SlurmdSpoolDir=$folder/spool/%n
SlurmctldPidFile=$folder/slurmctld.pid
SlurmdPidFile=$folder/slurmd-%n.pid
SlurmctldLogFile=$folder/log/slurmctld.log
SlurmdLogFile=$folder/log/slurmd-%n.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
MinJobAge=60
KillWait=5
NodeName=node1 NodeHostname=localhost NodeAddr=127.0.0.1 Port=${SYNTHLAB_SLURMD_PORT:-16818} CPUs=$cpus State=UNKNOWN
NodeName=node2 NodeHostname=localhost NodeAddr=127.0.0.1 Port=$(( ${SYNTHLAB_SLURMD_PORT:-16818} + 1 )) CPUs=$cpus State=UNKNOWN
PartitionName=synthlab Nodes=node1,node2 Default=YES MaxTime=INFINITE State=UP
CONF
    export SLURM_CONF="$folder/slurm.conf"
    slurmctld -f "$SLURM_CONF" -i </dev/null >>"$folder/log/daemons.out" 2>&1
    slurmd -f "$SLURM_CONF" -N node1 </dev/null >>"$folder/log/daemons.out" 2>&1
    slurmd -f "$SLURM_CONF" -N node2 </dev/null >>"$folder/log/daemons.out" 2>&1
    # Wait until both nodes are idle.
    for _ in $(seq 100); do
        if [ "$(sinfo -h -N -o '%N %t' 2>/dev/null | grep -c ' idle')" = "2" ]; then
            echo "Slurm cluster up in $folder (export SLURM_CONF=$SLURM_CONF)"
            return 0
        fi
        sleep 0.2
    done
    echo "error: the Slurm cluster did not come up; see $folder/log" >&2
    sinfo -N 2>&1 >&2 || true
    tail -5 "$folder"/log/*.log >&2 || true
    return 1
}

case "$action" in
    start) start ;;
    stop) stop ;;
    env) echo "export SLURM_CONF=$folder/slurm.conf" ;;
    *) echo "usage: $0 start|stop|env [FOLDER]" >&2; exit 64 ;;
esac
