package dev.keyward.repo;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.locks.LockSupport;

/**
 * A loopback TCP forwarder whose downstream (server to client) carries at most a given rate: a
 * clone through it lasts as long as it would over a real network instead of the fraction of a second
 * loopback takes, so a test can act while the pack is still on its way. Client to server is not
 * slowed. Test-only; small socket buffers keep what is in transit (and so what a cut-off server can
 * still deliver) to a few tens of KiB.
 */
public final class SlowLink implements AutoCloseable {

    private static final int CHUNK = 16 * 1024;

    private final ServerSocket listener;
    private final int upstreamPort;
    private final long bytesPerSecond;
    private volatile boolean open = true;

    public SlowLink(int upstreamPort, long bytesPerSecond) {
        this.upstreamPort = upstreamPort;
        this.bytesPerSecond = bytesPerSecond;
        try {
            listener = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread accept = new Thread(this::accept, "slow-link-accept");
        accept.setDaemon(true);
        accept.start();
    }

    public int port() {
        return listener.getLocalPort();
    }

    private void accept() {
        while (open) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket();
                server.setReceiveBufferSize(CHUNK * 2);
                server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), upstreamPort));
                client.setSendBufferSize(CHUNK * 2);
                pipe(client, server, Long.MAX_VALUE, "slow-link-up");
                pipe(server, client, bytesPerSecond, "slow-link-down");
            } catch (IOException e) {
                // closed, or one connection failed: the client sees it
            }
        }
    }

    private static void pipe(Socket from, Socket to, long rate, String name) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[CHUNK];
            long start = System.nanoTime();
            long sent = 0;
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    out.write(buf, 0, n);
                    sent += n;
                    if (rate != Long.MAX_VALUE) {
                        // Pacing, not waiting for a condition: hold each chunk until the rate allows it.
                        long due = start + sent * 1_000_000_000L / rate;
                        LockSupport.parkNanos(due - System.nanoTime());
                    }
                }
            } catch (IOException e) {
                // the other side closed
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, name);
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() {
        open = false;
        try {
            listener.close();
        } catch (IOException e) {
            // already closed
        }
    }
}
