package dev.keyward.repo.git;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;

/**
 * The body streams of a git request behind a {@link Gate} passed before every read or write: once
 * the gate refuses (the request's credential was refused while it streamed), the stream fails with
 * an {@link IOException} and JGit ends the request.
 */
final class RecheckedStreams {

    /** Passes, or throws why the stream must end. */
    @FunctionalInterface
    interface Gate {
        void pass() throws IOException;
    }

    private RecheckedStreams() {
    }

    /** The request, whose body is read through {@code check}. */
    static HttpServletRequest request(HttpServletRequest req, Gate check) {
        return new HttpServletRequestWrapper(req) {
            private ServletInputStream in;

            @Override
            public ServletInputStream getInputStream() throws IOException {
                if (in == null) {
                    in = new Input(super.getInputStream(), check);
                }
                return in;
            }
        };
    }

    /** The response, whose body is written through {@code check}. */
    static HttpServletResponse response(HttpServletResponse res, Gate check) {
        return new HttpServletResponseWrapper(res) {
            private ServletOutputStream out;

            @Override
            public ServletOutputStream getOutputStream() throws IOException {
                if (out == null) {
                    out = new Output(super.getOutputStream(), check);
                }
                return out;
            }
        };
    }

    private static final class Input extends ServletInputStream {
        private final ServletInputStream in;
        private final Gate check;

        Input(ServletInputStream in, Gate check) {
            this.in = in;
            this.check = check;
        }

        @Override
        public int read() throws IOException {
            check.pass();
            return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            check.pass();
            return in.read(b, off, len);
        }

        @Override
        public int available() throws IOException {
            return in.available();
        }

        /**
         * Closing a servlet input reads the rest of the body (so the connection can serve another
         * request): after a cut-off that is the rest of the upload, so the input is left as is and
         * the refusal sent instead tells the client to stop.
         */
        @Override
        public void close() throws IOException {
            try {
                check.pass();
            } catch (IOException cutOff) {
                return;
            }
            in.close();
        }

        @Override
        public boolean isFinished() {
            return in.isFinished();
        }

        @Override
        public boolean isReady() {
            return in.isReady();
        }

        @Override
        public void setReadListener(ReadListener listener) {
            in.setReadListener(listener);
        }
    }

    private static final class Output extends ServletOutputStream {
        private final ServletOutputStream out;
        private final Gate check;

        Output(ServletOutputStream out, Gate check) {
            this.out = out;
            this.check = check;
        }

        @Override
        public void write(int b) throws IOException {
            check.pass();
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            check.pass();
            out.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            out.close();
        }

        @Override
        public boolean isReady() {
            return out.isReady();
        }

        @Override
        public void setWriteListener(WriteListener listener) {
            out.setWriteListener(listener);
        }
    }
}
