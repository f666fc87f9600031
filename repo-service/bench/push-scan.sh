#!/usr/bin/env bash
# Push-protection benchmark: a 50 MB push without keys, timed with git into a local bare repository,
# and the pre-receive scan of the same objects (repo-service's PushScanner). Prints the medians and
# the ratio. Usage: repo-service/bench/push-scan.sh [rounds=5] [megabytes=50]
set -euo pipefail
cd "$(dirname "$0")/../.."

./mvnw -q -pl repo-service -am test-compile -DskipTests
./mvnw -q -pl repo-service org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt

java -Xmx512m -cp "repo-service/target/test-classes:repo-service/target/classes:$(cat repo-service/target/bench-classpath.txt)" \
  dev.keyward.repo.git.PushScanBenchmark "$@"
