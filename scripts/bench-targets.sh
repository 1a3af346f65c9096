#!/usr/bin/env bash
# Runs the P1-P7 scenarios of the performance targets RUNS times each (default 3) and prints the median of
# each figure. Results: target/bench/<P>-<run>.json and .txt. Needs the packaged jar (mvn -B -q package -DskipTests).
# Run it on a quiet machine: the figures are CPU- and scheduling-sensitive. Takes about 25 minutes for RUNS=3.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-3}"
JAR=target/ec2-launch-worker.jar
OUT=target/bench
mkdir -p "$OUT"
declare -A ARGS=(
  [P1]="--requests 2000 --ec2-latency lognormal:1s,0.5 --max-in-flight 64"
  [P2]="--requests 1000 --ec2-bucket 50/20"
  [P3]="--requests 300 --ec2-bucket 5/2"
  [P4]="--requests 20000"
  [P5]="--requests 200 --one-at-a-time"
  [P6]="--requests 20000 --separate-process --worker-java-options -Xmx128m"
  [P7]="--requests 2000 --workers 4 --ec2-bucket 50/20"
)
field() { grep -m1 "\"$2\"" "$1" | sed -E 's/.*: *"?([^",]*)"?,?/\1/'; }
median() { sort -g | awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]; else print "-"}'; }
for p in P1 P2 P3 P4 P5 P6 P7; do
  for run in $(seq 1 "$RUNS"); do
    echo "== $p run $run: bench ${ARGS[$p]} (load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
    java -jar "$JAR" bench ${ARGS[$p]} --json "$OUT/$p-$run.json" > "$OUT/$p-$run.txt" 2> "$OUT/$p-$run.err" || true
  done
done
printf "%-3s %10s %9s %9s %9s %9s %12s %9s %9s %5s %5s\n" "#" "req/s" "drain s" "pick p50" "pick p99" "cpu ms/r" "peak RSS MB" "start ms" "thrott %" "dup" "lost"
for p in P1 P2 P3 P4 P5 P6 P7; do
  files=("$OUT/$p"-*.json)
  med() { for f in "${files[@]}"; do field "$f" "$1"; done | median; }
  pick50=$(for f in "${files[@]}"; do grep -A3 '"pickupMs"' "$f" | field /dev/stdin p50; done | median)
  pick99=$(for f in "${files[@]}"; do grep -A3 '"pickupMs"' "$f" | field /dev/stdin p99; done | median)
  cpu=$(med workerCpuSecondsPer1000)
  dup=$(for f in "${files[@]}"; do field "$f" duplicates; done | sort -g | tail -1)
  lost=$(for f in "${files[@]}"; do field "$f" lost; done | sort -g | tail -1)
  printf "%-3s %10.1f %9.1f %9.1f %9.1f %9.2f %12.0f %9.0f %9.2f %5s %5s\n" "$p" "$(med requestsPerSecond)" \
    "$(med drainSeconds)" "$pick50" "$pick99" "$cpu" "$(med peakRssMb)" "$(med startupMs)" \
    "$(med throttledPercent)" "$dup" "$lost"
done
