#!/usr/bin/env bash
# The sandbox-escape suite against a real smolvm (and Docker for the bundle and the test upstream):
#   bottle-smolmachines/escape.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v smolvm >/dev/null || { echo "smolvm is not on PATH; install smolmachines first (see docs)" >&2; exit 2; }
mvn -B -ntp -pl bottle-smolmachines -am install -DskipTests -q
mvn -B -ntp -pl bottle-smolmachines verify -Dtest=NoUnitTests -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=RealSmolvmSandboxEscapeCheck -Dfailsafe.failIfNoSpecifiedTests=false
