package dev.keyward.cli;

/**
 * The documented exit codes of {@code keyward}; scripts may rely on them (see README.md).
 */
public final class ExitCode {

    /** The command did what was asked. */
    public static final int OK = 0;
    /** The API refused the request or failed (4xx other than 401/404, 5xx), or a check did not hold. */
    public static final int FAILED = 1;
    /** The command line is wrong (unknown option, bad scope, bad duration, ...). */
    public static final int USAGE = 2;
    /** No credentials, or the ones presented were refused (401) or the session cannot be refreshed. */
    public static final int NOT_AUTHENTICATED = 3;
    /** The token, repository or other resource named does not exist (404). */
    public static final int NOT_FOUND = 4;
    /** A service or the identity provider could not be reached (connection refused, timeout, DNS). */
    public static final int UNREACHABLE = 5;

    private ExitCode() {
    }
}
