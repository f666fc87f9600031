#!/usr/bin/env bash
# Scheduled-job benchmark: a real (embedded) PostgreSQL with N tokens inserted by SQL, ~1% due;
# prints the time of one expiry run and one deprecation run, and of a rerun with nothing due.
# Usage: token-service/bench/jobs.sh [tokens=1000000] [due%=1]
set -euo pipefail
cd "$(dirname "$0")/../.."

./mvnw -q -pl token-service test-compile
./mvnw -q -pl token-service org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt

java -Xmx512m -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
  -cp "token-service/target/test-classes:token-service/target/classes:$(cat token-service/target/bench-classpath.txt)" \
  dev.keyward.token.jobs.ExpiryJobBenchmark "$@"
