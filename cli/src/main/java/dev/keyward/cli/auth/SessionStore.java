package dev.keyward.cli.auth;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyward.cli.CliException;
import dev.keyward.cli.ExitCode;
import dev.keyward.cli.config.PrivateFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** The stored session of {@code keyward login}: one owner-only JSON file in the config folder. */
public final class SessionStore {

    private final Path file;
    private final ObjectMapper json;

    public SessionStore(Path file, ObjectMapper json) {
        this.file = file;
        this.json = json;
    }

    public Path file() {
        return file;
    }

    public Optional<Session> load() {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(json.readValue(file.toFile(), Session.class));
        } catch (IOException e) {
            throw new CliException(ExitCode.NOT_AUTHENTICATED, "the stored session " + file + " cannot be read",
                    "run keyward logout, then keyward login", e);
        }
    }

    public void save(Session session) {
        try {
            PrivateFiles.write(file, json.writerWithDefaultPrettyPrinter().writeValueAsString(session) + "\n");
        } catch (IOException e) {
            throw new CliException(ExitCode.FAILED, "cannot store the session in " + file + ": " + e.getMessage(),
                    "check that the folder is writable", e);
        }
    }

    /** Removes the session; true when there was one. */
    public boolean delete() {
        try {
            return Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new CliException(ExitCode.FAILED, "cannot remove " + file + ": " + e.getMessage(), null, e);
        }
    }
}
