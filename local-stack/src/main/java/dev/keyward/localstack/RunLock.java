package dev.keyward.localstack;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.OptionalLong;

/**
 * One launcher per data folder: {@code <data>/keyward.pid} holds the running launcher's pid and an
 * OS file lock while it lives. The lock dies with the process, so a file left by a killed launcher
 * (a dead pid) is simply taken over.
 */
final class RunLock implements AutoCloseable {

    static final String FILE = "keyward.pid";

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private RunLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /** Thrown when a live launcher holds the data folder. */
    static final class AlreadyRunning extends IllegalStateException {
        AlreadyRunning(long pid, Path home) {
            super("Keyward is already running (pid " + (pid > 0 ? Long.toString(pid) : "unknown") + ", data dir " + home
                    + "); stop it first, or give this one another data folder (--data=DIR)");
        }
    }

    /** Takes the data folder for this process (creating the folder), or fails with {@link AlreadyRunning}. */
    static RunLock acquire(Path home) throws IOException {
        Files.createDirectories(home);
        Path file = home.resolve(FILE);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock = channel.tryLock();
        if (lock == null) {
            long pid = readPid(channel);
            channel.close();
            throw new AlreadyRunning(pid, home);
        }
        channel.truncate(0);
        channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
        channel.force(false);
        return new RunLock(file, channel, lock);
    }

    /** The pid of a live launcher holding {@code home}; empty when none does. Creates nothing. */
    static OptionalLong holder(Path home) throws IOException {
        FileChannel channel;
        try {
            channel = FileChannel.open(home.resolve(FILE), StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (NoSuchFileException e) {
            return OptionalLong.empty();
        }
        try (channel) {
            FileLock lock = channel.tryLock();
            if (lock != null) {
                lock.release();
                return OptionalLong.empty();
            }
            return OptionalLong.of(readPid(channel));
        }
    }

    private static long readPid(FileChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(32);
        channel.read(buffer, 0);
        try {
            return Long.parseLong(new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII).strip());
        } catch (NumberFormatException e) {
            return -1; // written a moment ago, not yet filled in
        }
    }

    @Override
    public void close() throws IOException {
        Files.deleteIfExists(file);
        lock.release();
        channel.close();
    }
}
