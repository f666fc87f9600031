package dev.keyward.verification.quarkus;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.keyward.events.EventType;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Encoded events that the sink could not take, kept on disk in order until it can: segment files
 * of length-prefixed records, appended to the newest and read back from the oldest. One process
 * owns a directory (a lock file says so); a process that finds segments left by an earlier one
 * (a restart during a broker outage) sends them first. A record cut short by a crash ends its
 * segment. Thread-safe.
 */
public final class EventSpool implements AutoCloseable {

    static final long SEGMENT_BYTES = 8L * 1024 * 1024;
    private static final String SUFFIX = ".spool";

    private final Path dir;
    private final long maxBytes;
    private final FileChannel lockChannel;
    private final FileLock lock;
    /** Closed segments by sequence number, oldest first. */
    private final TreeMap<Long, Segment> closed = new TreeMap<>();
    private long nextSequence;
    private Segment current;
    private DataOutputStream out;
    private long bytes;
    private long events;

    /** A segment file and what it holds. */
    public record Segment(long sequence, Path file, long bytes, long events) {
    }

    private EventSpool(Path dir, long maxBytes, FileChannel lockChannel, FileLock lock) throws IOException {
        this.dir = dir;
        this.maxBytes = maxBytes;
        this.lockChannel = lockChannel;
        this.lock = lock;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(SUFFIX)).toList()) {
                long sequence = Long.parseLong(file.getFileName().toString().replace(SUFFIX, ""));
                long count = countRecords(file);
                long size = Files.size(file);
                closed.put(sequence, new Segment(sequence, file, size, count));
                bytes += size;
                events += count;
                nextSequence = Math.max(nextSequence, sequence + 1);
            }
        }
    }

    /**
     * Opens the spool in {@code base}, or in {@code base-2}, {@code base-3}, … when another process
     * owns it (several services or replicas on one machine).
     *
     * @param maxBytes what the spool may hold on disk; beyond it {@link #append} refuses
     */
    public static EventSpool open(Path base, long maxBytes) throws IOException {
        for (int n = 1; n <= 64; n++) {
            Path dir = n == 1 ? base : base.resolveSibling(base.getFileName() + "-" + n);
            Files.createDirectories(dir);
            FileChannel channel = FileChannel.open(dir.resolve("owner.lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // this process owns it already (a second spool in one JVM)
            }
            if (lock != null) {
                return new EventSpool(dir, maxBytes, channel, lock);
            }
            channel.close();
        }
        throw new IOException("no free event spool directory next to " + base);
    }

    public Path directory() {
        return dir;
    }

    /**
     * Appends one event after all the others.
     *
     * @return false when the spool is full ({@code maxBytes}); the event is not kept
     */
    public synchronized boolean append(EncodedEvent event) throws IOException {
        byte[] key = event.key().getBytes(UTF_8);
        byte[] type = event.type().wireName().getBytes(UTF_8);
        long size = 3L * Integer.BYTES + key.length + type.length + event.json().length;
        if (bytes + size > maxBytes) {
            return false;
        }
        if (current == null || current.bytes() + size > SEGMENT_BYTES && current.events() > 0) {
            roll();
        }
        out.writeInt(type.length);
        out.write(type);
        out.writeInt(key.length);
        out.write(key);
        out.writeInt(event.json().length);
        out.write(event.json());
        out.flush();
        current = new Segment(current.sequence(), current.file(), current.bytes() + size, current.events() + 1);
        bytes += size;
        events++;
        return true;
    }

    /** Events on disk. */
    public synchronized long events() {
        return events;
    }

    public synchronized boolean isEmpty() {
        return events == 0;
    }

    /**
     * The oldest segment, no longer appended to (the one being written is closed for this when it is
     * the only one left); empty when the spool holds nothing.
     */
    public synchronized Optional<Segment> oldest() throws IOException {
        if (closed.isEmpty() && current != null && current.events() > 0) {
            closeCurrent();
        }
        return closed.isEmpty() ? Optional.empty() : Optional.of(closed.firstEntry().getValue());
    }

    /** The records of a closed segment, in order; a record cut short at the end is left out. */
    public List<EncodedEvent> read(Segment segment) throws IOException {
        List<EncodedEvent> read = new ArrayList<>();
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(new FileInputStream(segment.file().toFile())))) {
            while (true) {
                EncodedEvent event = readRecord(in);
                if (event == null) {
                    return read;
                }
                read.add(event);
            }
        }
    }

    /** Forgets a segment whose records the sink has taken. */
    public synchronized void delete(Segment segment) throws IOException {
        if (closed.remove(segment.sequence()) != null) {
            Files.deleteIfExists(segment.file());
            bytes -= segment.bytes();
            events -= segment.events();
        }
    }

    @Override
    public synchronized void close() throws IOException {
        if (out != null) {
            out.close();
            out = null;
        }
        lock.release();
        lockChannel.close();
    }

    private void roll() throws IOException {
        if (current != null) {
            closeCurrent();
        }
        long sequence = nextSequence++;
        Path file = dir.resolve("%019d%s".formatted(sequence, SUFFIX));
        // Plain file streams, not channels: an interrupted thread must not close the spool for the others.
        if (!file.toFile().createNewFile()) {
            throw new IOException("spool segment exists already: " + file);
        }
        out = new DataOutputStream(new BufferedOutputStream(new FileOutputStream(file.toFile()), 64 * 1024));
        current = new Segment(sequence, file, 0, 0);
    }

    private void closeCurrent() throws IOException {
        out.close();
        out = null;
        closed.put(current.sequence(), current);
        current = null;
    }

    private static long countRecords(Path file) throws IOException {
        long count = 0;
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(new FileInputStream(file.toFile())))) {
            while (readRecord(in) != null) {
                count++;
            }
        }
        return count;
    }

    /** The next record, or null at the end (or at a record cut short, or one of an unknown type). */
    private static EncodedEvent readRecord(DataInputStream in) throws IOException {
        try {
            byte[] type = readField(in);
            byte[] key = readField(in);
            byte[] json = readField(in);
            if (type == null || key == null || json == null) {
                return null;
            }
            Optional<EventType> known = EventType.fromWire(new String(type, UTF_8));
            return known.map(t -> new EncodedEvent(new String(key, UTF_8), t, json))
                    .orElse(null);
        } catch (EOFException e) {
            return null;
        }
    }

    private static byte[] readField(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > SEGMENT_BYTES) {
            return null;
        }
        byte[] field = in.readNBytes(length);
        return field.length == length ? field : null;
    }
}
