#!/usr/bin/env bash
# Ingestion benchmark of the audit service: a backlog of events on a real (embedded) Kafka broker is
# drained into a real (embedded) PostgreSQL by the packaged service; prints sustained events/s.
# Usage: audit-service/bench/run.sh [events=500000] [orgs=200] [partitions=4] [duplicates%=2]
set -euo pipefail
cd "$(dirname "$0")/../.."

./mvnw -q -pl audit-service package -DskipTests
./mvnw -q -pl audit-service org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt

java -Xmx1g -Djava.util.logging.manager=org.jboss.logmanager.LogManager -cp "audit-service/target/test-classes:$(cat audit-service/target/bench-classpath.txt)" \
  dev.keyward.audit.bench.IngestionBenchmark audit-service/target/quarkus-app/quarkus-run.jar "$@"
