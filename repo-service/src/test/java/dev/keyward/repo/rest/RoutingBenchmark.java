package dev.keyward.repo.rest;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.regex.Matcher;
import org.jboss.resteasy.reactive.server.mapping.RequestMapper;
import org.jboss.resteasy.reactive.server.mapping.URITemplate;

/**
 * RESTEasy Reactive's routing of {@link RepositoryResource}'s GET templates, built as the service
 * builds it (the templates read from the class's annotations): a plain repository read gets past
 * every content template first. Each path is also routed with the id pattern as it was before it
 * was pinned to its position ({@code \G}, possessive quantifiers), for a before/after in one run.
 * Median of the rounds, one JVM: {@code repo-service/bench/routing.sh [rounds=7]}.
 */
public final class RoutingBenchmark {

    /** The id pattern of content templates before it was pinned. */
    private static final String UNPINNED_ID = "[^/]+(?:/(?!(?:commits|tree|blob|compare|refs|merges)(?:/|$))[^/]+)*";

    private RoutingBenchmark() {
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        ArrayList<RequestMapper.RequestPath<String>> pinned = new ArrayList<>();
        ArrayList<RequestMapper.RequestPath<String>> unpinned = new ArrayList<>();
        for (Method method : RepositoryResource.class.getDeclaredMethods()) {
            Path path = method.getAnnotation(Path.class);
            if (path == null || method.getAnnotation(GET.class) == null) {
                continue;
            }
            String template = "/" + path.value();
            pinned.add(new RequestMapper.RequestPath<>(false, new URITemplate(template, false), method.getName()));
            String before = template.replaceFirst("^/\\{id: \\\\G[^}]*\\}(?=/)", Matcher.quoteReplacement("/{id: " + UNPINNED_ID + "}"));
            unpinned.add(new RequestMapper.RequestPath<>(false, new URITemplate(before, false), method.getName()));
        }
        RequestMapper<String> now = new RequestMapper<>(pinned);
        RequestMapper<String> was = new RequestMapper<>(unpinned);
        StringBuilder crafted = new StringBuilder("/");
        while (crafted.length() < 4000) {
            crafted.append("a/");
        }
        String[][] cases = {
            {"plain read /team/hello", "/team/hello", "200000"},
            {"content /team/hello/tree/main", "/team/hello/tree/main", "200000"},
            {"a 4,000-character id (a crafted request)", crafted.append('b').toString(), "200"},
        };
        System.out.printf("%-45s %-8s %14s %14s%n", "path", "method", "pinned", "before");
        for (String[] c : cases) {
            String method = now.map(c[1]).value;
            if (!method.equals(was.map(c[1]).value)) {
                throw new IllegalStateException("the two patterns route " + c[0] + " to different methods");
            }
            int calls = Integer.parseInt(c[2]);
            System.out.printf("%-45s %-8s %11.2f µs %11.2f µs%n", c[0], method, median(now, c[1], calls, rounds),
                    median(was, c[1], calls, rounds));
        }
    }

    /** Microseconds per routing, median of {@code rounds} after as many rounds of warm-up. */
    private static double median(RequestMapper<String> mapper, String path, int calls, int rounds) {
        double[] perCall = new double[rounds];
        long sink = 0;
        for (int r = -rounds; r < rounds; r++) {
            long start = System.nanoTime();
            for (int i = 0; i < calls; i++) {
                sink += mapper.map(path).value.length();
            }
            if (r >= 0) {
                perCall[r] = (System.nanoTime() - start) / 1000.0 / calls;
            }
        }
        if (sink == 42) {
            System.out.print("");
        }
        Arrays.sort(perCall);
        return perCall[rounds / 2];
    }
}
