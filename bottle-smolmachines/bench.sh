#!/usr/bin/env bash
# Runs the smolmachines benchmark: N lifecycles against the docker and smolvm CLIs doing the same
# steps, interleaved in one run. Uses the testkit's fake smolvm unless SMOLVM names a real one.
#   bottle-smolmachines/bench.sh [N=5]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -ntp install -DskipTests -pl bottle-smolmachines -am >/dev/null
mvn -B -q -ntp test-compile -pl bottle-smolmachines >/dev/null
cpfile=$(mktemp)
trap 'rm -f "$cpfile"' EXIT
mvn -B -q -ntp dependency:build-classpath -pl bottle-smolmachines -Dmdep.outputFile="$cpfile" -Dmdep.includeScope=test >/dev/null
java -cp "bottle-smolmachines/target/test-classes:bottle-smolmachines/target/classes:$(cat "$cpfile")" \
  dev.bottles.smolmachines.bench.SmolmachinesBenchmark "${1:-5}"
