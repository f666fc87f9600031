package dev.keyward.repo.content;

import java.util.Locale;
import java.util.Map;

/**
 * The {@code Content-Type} of a blob, from its file name: common text, data, image and archive
 * types; text types with {@code charset=utf-8}; anything else {@code application/octet-stream}.
 * Browsers are kept from running what they fetch by the headers the blob call adds
 * ({@code X-Content-Type-Options: nosniff}, a sandboxing {@code Content-Security-Policy}).
 */
public final class ContentTypes {

    public static final String BINARY = "application/octet-stream";
    private static final String TEXT = "text/plain; charset=utf-8";

    private static final Map<String, String> BY_EXTENSION = Map.ofEntries(
            Map.entry("txt", TEXT), Map.entry("log", TEXT), Map.entry("ini", TEXT), Map.entry("cfg", TEXT),
            Map.entry("properties", TEXT), Map.entry("env", TEXT), Map.entry("sh", TEXT), Map.entry("py", TEXT),
            Map.entry("java", TEXT), Map.entry("kt", TEXT), Map.entry("go", TEXT), Map.entry("rs", TEXT),
            Map.entry("c", TEXT), Map.entry("h", TEXT), Map.entry("cpp", TEXT), Map.entry("ts", TEXT),
            Map.entry("rb", TEXT), Map.entry("sql", TEXT), Map.entry("toml", TEXT), Map.entry("gradle", TEXT),
            Map.entry("md", "text/markdown; charset=utf-8"), Map.entry("markdown", "text/markdown; charset=utf-8"),
            Map.entry("csv", "text/csv; charset=utf-8"), Map.entry("html", "text/html; charset=utf-8"),
            Map.entry("htm", "text/html; charset=utf-8"), Map.entry("css", "text/css; charset=utf-8"),
            Map.entry("js", "text/javascript; charset=utf-8"), Map.entry("mjs", "text/javascript; charset=utf-8"),
            Map.entry("json", "application/json; charset=utf-8"), Map.entry("xml", "application/xml; charset=utf-8"),
            Map.entry("yaml", "application/yaml; charset=utf-8"), Map.entry("yml", "application/yaml; charset=utf-8"),
            Map.entry("svg", "image/svg+xml; charset=utf-8"), Map.entry("png", "image/png"), Map.entry("jpg", "image/jpeg"),
            Map.entry("jpeg", "image/jpeg"), Map.entry("gif", "image/gif"), Map.entry("webp", "image/webp"),
            Map.entry("ico", "image/vnd.microsoft.icon"), Map.entry("pdf", "application/pdf"),
            Map.entry("zip", "application/zip"), Map.entry("gz", "application/gzip"), Map.entry("tgz", "application/gzip"),
            Map.entry("tar", "application/x-tar"), Map.entry("jar", "application/java-archive"),
            Map.entry("wasm", "application/wasm"));

    private ContentTypes() {
    }

    /** The type for the last segment of {@code path}. */
    public static String of(String path) {
        String name = path.substring(path.lastIndexOf('/') + 1);
        int dot = name.lastIndexOf('.');
        if (dot <= 0 || dot == name.length() - 1) {
            return BINARY;
        }
        return BY_EXTENSION.getOrDefault(name.substring(dot + 1).toLowerCase(Locale.ROOT), BINARY);
    }
}
