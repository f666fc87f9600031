package dev.keyward.system;

import dev.keyward.contract.ApiKeyFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds secrets in files: every Keyward API key with a valid checksum (issued in this run or not:
 * a real key in a log is a leak either way), and each of the given other secrets. A finding names
 * the file, the line and at most the key's display prefix, never the secret.
 */
final class SecretScan {

    /** The key shape; {@link ApiKeyFormat#parse} then decides whether it is a real key. */
    private static final Pattern KEY_LIKE = Pattern.compile("kw_(?:prod|dev)_[or]_[0-9A-Za-z]{32}_[0-9A-Za-z]{6}");

    private SecretScan() {
    }

    /**
     * @param issued  the keys handed out in the run (to say whether a found key is one of them)
     * @param others  other secrets (pepper, internal secret) looked for verbatim
     */
    static List<String> findings(Collection<Path> files, Set<String> issued, Set<String> others) throws IOException {
        List<String> findings = new ArrayList<>();
        for (Path file : files) {
            // Byte for byte: logs, but also the broker's binary segment files.
            String text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
            Matcher m = KEY_LIKE.matcher(text);
            while (m.find()) {
                ApiKeyFormat.parse(m.group()).ifPresent(key -> findings.add(file + ":" + lineOf(text, m.start())
                        + ": an API key (" + key.prefix() + "…" + (issued.contains(m.group()) ? ", issued in this run" : "") + ")"));
            }
            for (String secret : others) {
                for (int at = text.indexOf(secret); at >= 0; at = text.indexOf(secret, at + 1)) {
                    findings.add(file + ":" + lineOf(text, at) + ": a server secret");
                }
            }
        }
        return findings;
    }

    private static int lineOf(String text, int index) {
        int line = 1;
        for (int i = text.indexOf('\n'); i >= 0 && i < index; i = text.indexOf('\n', i + 1)) {
            line++;
        }
        return line;
    }
}
