package dev.keyward.cli;

/**
 * A failure the user should read: what went wrong, what to do about it, and the exit code.
 * The message never holds a secret.
 */
public final class CliException extends RuntimeException {

    private final int exitCode;
    private final String hint;

    public CliException(int exitCode, String message, String hint) {
        super(message);
        this.exitCode = exitCode;
        this.hint = hint;
    }

    public CliException(int exitCode, String message, String hint, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
        this.hint = hint;
    }

    public static CliException failed(String message, String hint) {
        return new CliException(ExitCode.FAILED, message, hint);
    }

    public static CliException usage(String message) {
        return new CliException(ExitCode.USAGE, message, "see keyward --help");
    }

    public static CliException notAuthenticated(String message, String hint) {
        return new CliException(ExitCode.NOT_AUTHENTICATED, message, hint);
    }

    public int exitCode() {
        return exitCode;
    }

    /** What to do next, or null. */
    public String hint() {
        return hint;
    }
}
