#!/usr/bin/env bash
# Checks a real smolvm installation: one bottle up, echo, a loopback probe, teardown.
#   CLAUDE_BOTTLE_IMAGE=<agent image> CLAUDE_BOTTLE_SIDECAR_IMAGE=<bundle image> bottle-smolmachines/smoke.sh
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -ntp install -DskipTests -pl bottle-smolmachines -am >/dev/null
cpfile=$(mktemp)
trap 'rm -f "$cpfile"' EXIT
mvn -B -q -ntp dependency:build-classpath -pl bottle-smolmachines -Dmdep.outputFile="$cpfile" >/dev/null
java -cp "bottle-smolmachines/target/classes:$(cat "$cpfile")" dev.bottles.smolmachines.SmolmachinesSmoke
