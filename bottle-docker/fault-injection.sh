#!/usr/bin/env bash
# The ownership fault-injection harness in full: N programs killed with kill -9 at random points
# (before, during and after their launch) while two live programs launch and close bottles on the
# same engine; prints the reaper's delays and what was left (nothing, or the run fails).
#   bottle-docker/fault-injection.sh [kills, default 100] [seed]
set -euo pipefail
cd "$(dirname "$0")/.."
kills="${1:-100}"
seed_opt=()
if [ $# -ge 2 ]; then seed_opt=("-Dbottles.faults.seed=$2"); fi
mvn -B -q -Dstyle.color=never install -DskipTests -Dspotless.check.skip=true >/dev/null
mvn -B -q -Dstyle.color=never -pl bottle-docker verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
  -Dspotless.check.skip=true -Dit.test='FaultInjectionIT#killed*' -Dbottles.faults="$kills" "${seed_opt[@]}" || status=$?
grep -ho 'FAULTS .*' bottle-docker/target/failsafe-reports/TEST-dev.bottles.docker.FaultInjectionIT.xml || true
echo "load: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
exit "${status:-0}"
