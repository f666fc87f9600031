package dev.keyward.audit.service;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Grades failure counts against thresholds. Plain rules, no I/O. */
public final class AuthHealthEvaluator {

    public static final String OK = "ok";
    public static final String DEGRADED = "degraded";
    public static final String ALERT = "alert";
    public static final String TOKEN_PREFIX = "token_prefix";
    public static final String CLIENT_IP = "client_ip";

    /** Failures of one source within the short and the long window. */
    public record Count(String value, long shortWindow, long longWindow) {
    }

    /** Both windows with their thresholds per dimension. */
    public record Windows(Duration shortLength, AuthHealthReport.Limits shortPrefix, AuthHealthReport.Limits shortIp,
                          Duration longLength, AuthHealthReport.Limits longPrefix, AuthHealthReport.Limits longIp) {

        List<AuthHealthReport.WindowInfo> describe() {
            return List.of(new AuthHealthReport.WindowInfo("short", shortLength.toSeconds(), shortPrefix, shortIp),
                    new AuthHealthReport.WindowInfo("long", longLength.toSeconds(), longPrefix, longIp));
        }
    }

    private AuthHealthEvaluator() {
    }

    public static AuthHealthReport evaluate(String org, Instant now, Windows windows, List<Count> byPrefix,
                                            List<Count> byIp) {
        List<AuthHealthReport.Source> prefixes = grade(TOKEN_PREFIX, byPrefix, windows.shortPrefix(), windows.longPrefix());
        List<AuthHealthReport.Source> ips = grade(CLIENT_IP, byIp, windows.shortIp(), windows.longIp());
        List<AuthHealthReport.Source> offenders = new ArrayList<>();
        prefixes.stream().filter(s -> !OK.equals(s.level())).forEach(offenders::add);
        ips.stream().filter(s -> !OK.equals(s.level())).forEach(offenders::add);
        offenders.sort(Comparator.comparingInt((AuthHealthReport.Source s) -> severity(s.level())).reversed()
                .thenComparing(Comparator.comparingLong(AuthHealthReport.Source::failuresShort).reversed()));
        String status = offenders.isEmpty() ? OK : offenders.get(0).level();
        return new AuthHealthReport(org, status, now, windows.describe(), prefixes, ips, offenders);
    }

    static String level(long shortCount, long longCount, AuthHealthReport.Limits shortLimits,
                        AuthHealthReport.Limits longLimits) {
        if (shortCount >= shortLimits.alert() || longCount >= longLimits.alert()) {
            return ALERT;
        }
        if (shortCount >= shortLimits.degraded() || longCount >= longLimits.degraded()) {
            return DEGRADED;
        }
        return OK;
    }

    private static List<AuthHealthReport.Source> grade(String kind, List<Count> counts, AuthHealthReport.Limits shortLimits,
                                                       AuthHealthReport.Limits longLimits) {
        return counts.stream()
                .map(c -> new AuthHealthReport.Source(kind, c.value(), c.shortWindow(), c.longWindow(),
                        level(c.shortWindow(), c.longWindow(), shortLimits, longLimits)))
                .toList();
    }

    private static int severity(String level) {
        return switch (level) {
            case ALERT -> 2;
            case DEGRADED -> 1;
            default -> 0;
        };
    }
}
