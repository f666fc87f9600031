package dev.keyward.audit.service;

import java.time.Instant;
import java.util.List;

/**
 * The answer of {@code GET /v1/auth/health}: failed authentications of one org over a short and a
 * long sliding window, per token prefix and per client IP.
 *
 * @param status       {@code ok}, {@code degraded} or {@code alert}: the worst level of any source
 * @param windows      the two windows
 * @param byTokenPrefix the prefixes with the most failures in the long window
 * @param byClientIp   the client IPs with the most failures in the long window
 * @param offenders    every listed source whose level is not {@code ok}, worst first
 */
public record AuthHealthReport(
        String org,
        String status,
        Instant evaluatedAt,
        List<WindowInfo> windows,
        List<Source> byTokenPrefix,
        List<Source> byClientIp,
        List<Source> offenders) {

    /** A window and its thresholds. */
    public record WindowInfo(String name, long seconds, Limits tokenPrefix, Limits clientIp) {
    }

    public record Limits(long degraded, long alert) {
    }

    /**
     * One source of failures.
     *
     * @param kind  {@code token_prefix} or {@code client_ip}
     * @param value the prefix or the IP
     */
    public record Source(String kind, String value, long failuresShort, long failuresLong, String level) {
    }
}
