package dev.keyward.audit.bench;

import dev.keyward.events.EventCodec;
import dev.keyward.events.EventData;
import dev.keyward.events.EventType;
import dev.keyward.events.KeywardEvent;
import dev.keyward.localstack.EmbeddedKafka;
import dev.keyward.localstack.EmbeddedPostgresServer;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Sustained ingestion of the audit service: publishes a backlog of events to a real broker, starts the
 * packaged service against a real PostgreSQL, and measures how fast the backlog lands in the
 * database (hash-chained, deduplicated). Not part of the test suite; run {@code bench/run.sh}.
 *
 * <p>Arguments: {@code <quarkus-run.jar> [events=500000] [orgs=200] [partitions=4] [duplicates%=2]}.
 */
public final class IngestionBenchmark {

    private IngestionBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path serviceJar = Path.of(args[0]);
        int events = args.length > 1 ? Integer.parseInt(args[1]) : 500_000;
        int orgs = args.length > 2 ? Integer.parseInt(args[2]) : 200;
        int partitions = args.length > 3 ? Integer.parseInt(args[3]) : 4;
        int duplicatePercent = args.length > 4 ? Integer.parseInt(args[4]) : 2;
        if (!Files.exists(serviceJar)) {
            throw new IllegalArgumentException("build the service first: " + serviceJar);
        }

        try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.startTemporary();
             EmbeddedKafka kafka = EmbeddedKafka.startTemporary()) {
            postgres.createDatabase("keyward_audit");
            createTopic(kafka.bootstrapServers(), partitions);

            int published = publish(kafka.bootstrapServers(), events, orgs, duplicatePercent);

            Process service = startService(serviceJar, postgres, kafka);
            try {
                measure(postgres, events, published, service);
            } finally {
                service.destroy();
                if (!service.waitFor(20, TimeUnit.SECONDS)) {
                    service.destroyForcibly();
                }
            }
        }
    }

    private static void createTopic(String bootstrap, int partitions) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(KeywardEvent.TOPIC, partitions, (short) 1))).all().get();
        }
    }

    /** Publishes {@code events} distinct events plus some redeliveries; returns the records sent. */
    private static int publish(String bootstrap, int events, int orgs, int duplicatePercent) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
        p.put(ProducerConfig.ACKS_CONFIG, "1");
        EventType[] types = EventType.values();
        Instant base = Instant.now().minus(Duration.ofDays(1));
        int sent = 0;
        long start = System.nanoTime();
        AtomicReference<Exception> failure = new AtomicReference<>();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            String previous = null;
            String previousOrg = null;
            for (int i = 0; i < events; i++) {
                String org = "org-" + (i % orgs);
                KeywardEvent event = KeywardEvent.of("/keyward/bench", types[i % types.length],
                        base.plusMillis(i), "tok_" + (i % 5000),
                        EventData.forOrg(org).actor("user-" + (i % 777)).keyPrefix("kw_prod_o_Bn").repo("team/repo-" + (i % 50))
                                .operation("git:read").clientIp("10.0." + (i % 250) + ".1").outcome("success").build());
                String json = EventCodec.toJson(event);
                producer.send(new ProducerRecord<>(KeywardEvent.TOPIC, org, json), (m, e) -> {
                    if (e != null) {
                        failure.set(e);
                    }
                });
                sent++;
                if (previous != null && duplicatePercent > 0 && i % (100 / duplicatePercent) == 0) {
                    producer.send(new ProducerRecord<>(KeywardEvent.TOPIC, previousOrg, previous));
                    sent++;
                }
                previous = json;
                previousOrg = org;
            }
            producer.flush();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("publishing failed", failure.get());
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "published %,d records (%,d distinct events, %d orgs) in %.1f s (%,.0f records/s)%n",
                sent, events, orgs, seconds, sent / seconds);
        return sent;
    }

    private static Process startService(Path jar, EmbeddedPostgresServer postgres, EmbeddedKafka kafka) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new java.util.ArrayList<>(List.of(java, "-Xmx512m", "-Dquarkus.http.port=0",
                "-Dquarkus.log.console.json.enabled=false"));
        // Extra JVM options or config for the service, e.g. -Dbench.service-options="-Dmp.messaging.incoming.events.partitions=2"
        String extra = System.getProperty("bench.service-options", "").trim();
        if (!extra.isEmpty()) {
            command.addAll(List.of(extra.split("\\s+")));
        }
        command.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("KEYWARD_DB_REACTIVE_URL", postgres.reactiveUrl("keyward_audit"));
        pb.environment().put("KEYWARD_DB_JDBC_URL", postgres.jdbcUrl("keyward_audit"));
        pb.environment().put("KEYWARD_DB_USER", EmbeddedPostgresServer.USER);
        pb.environment().put("KEYWARD_DB_PASSWORD", EmbeddedPostgresServer.USER);
        pb.environment().put("KEYWARD_KAFKA", kafka.bootstrapServers());
        File log = Files.createTempFile("audit-bench", ".log").toFile();
        pb.redirectErrorStream(true).redirectOutput(log);
        System.out.println("service log: " + log);
        return pb.start();
    }

    private static void measure(EmbeddedPostgresServer postgres, int events, int published, Process service) throws Exception {
        long serviceStart = System.nanoTime();
        long firstRow = 0;
        long lastReport = 0;
        long stored = 0;
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(15);
        try (Connection c = connect(postgres)) {
            while (stored < events) {
                if (!service.isAlive()) {
                    throw new IllegalStateException("the service exited with " + service.exitValue());
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("only " + stored + " of " + events + " stored after 15 minutes");
                }
                stored = storedSoFar(c);
                long now = System.nanoTime();
                if (stored > 0 && firstRow == 0) {
                    firstRow = now;
                }
                if (firstRow > 0 && now - lastReport > TimeUnit.SECONDS.toNanos(5)) {
                    System.out.printf(Locale.ROOT, "  %,d stored, %.1f s since the first%n", stored, (now - firstRow) / 1e9);
                    lastReport = now;
                }
                Thread.sleep(100); // polling interval of a measurement loop, not a wait for a condition under test
            }
            long done = System.nanoTime();
            double ingest = (done - firstRow) / 1e9;
            System.out.printf(Locale.ROOT, "stored %,d events (from %,d records) in %.1f s after the first row: %,.0f events/s%n",
                    stored, published, ingest, stored / ingest);
            System.out.printf(Locale.ROOT, "including service start-up: %.1f s%n", (done - serviceStart) / 1e9);
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("select count(*), count(distinct event_id) from audit_event")) {
                rs.next();
                System.out.printf(Locale.ROOT, "rows %,d, distinct event ids %,d%n", rs.getLong(1), rs.getLong(2));
            }
        }
    }

    private static long storedSoFar(Connection c) throws Exception {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select coalesce(sum(last_seq), 0) from chain_head")) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException e) {
            return 0; // schema not migrated yet
        }
    }

    private static Connection connect(EmbeddedPostgresServer postgres) throws Exception {
        Connection c = DriverManager.getConnection(postgres.jdbcUrl("keyward_audit"), EmbeddedPostgresServer.USER,
                EmbeddedPostgresServer.USER);
        c.setSchema("audit_service");
        c.setAutoCommit(true);
        return c;
    }
}
