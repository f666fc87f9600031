package dev.keyward.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** A person at a browser, played over HTTP against the real Keycloak login pages. */
final class BrowserSignIn {

    private static final Pattern CONSENT_FORM = Pattern.compile("<form[^>]*action=\"([^\"]*consent[^\"]*)\"");
    private static final Pattern HIDDEN_INPUT = Pattern.compile("<input[^>]*type=\"hidden\"[^>]*name=\"([^\"]+)\"[^>]*value=\"([^\"]*)\"");
    private static final Pattern FORM_ACTION = Pattern.compile("<form[^>]*id=\"kc-form-login\"[^>]*action=\"([^\"]+)\"");

    private BrowserSignIn() {
    }

    /**
     * Runs {@code keyward login} (code flow + PKCE with the loopback redirect) and signs in at the
     * authorize URL it prints, as {@code user} with the password equal to the user name.
     */
    static CliProcess.Result login(CliProcess cli, String realmUrl, String user) throws IOException, InterruptedException {
        Process login = cli.start("login", "--timeout", "2m");
        try {
            login.getOutputStream().close();
            var stdout = CliProcess.drain(login.getInputStream());
            BufferedReader stderr = new BufferedReader(new InputStreamReader(login.getErrorStream(), StandardCharsets.UTF_8));
            StringBuilder errText = new StringBuilder();
            String authorizeUrl = null;
            for (String line; authorizeUrl == null && (line = stderr.readLine()) != null; ) {
                errText.append(line).append('\n');
                if (line.strip().startsWith(realmUrl)) {
                    authorizeUrl = line.strip();
                }
            }
            assertThat(authorizeUrl).as(errText.toString()).isNotNull();
            HttpResponse<String> callback = signIn(authorizeUrl, user, user);
            assertThat(callback.statusCode()).as(callback.uri() + "\n" + callback.body()).isEqualTo(200);
            assertThat(login.waitFor(60, TimeUnit.SECONDS)).as("login finishes after the redirect").isTrue();
            String rest = CliProcess.drain(login.getErrorStream()).join();
            return new CliProcess.Result(login.exitValue(), stdout.join(), errText + rest);
        } finally {
            login.destroyForcibly();
        }
    }

    /**
     * What a browser does: open the authorize URL, submit the login form, follow redirects to the
     * loopback. Cookies are kept by hand: Keycloak marks them Secure, and browsers (unlike the JDK's
     * CookieManager) send Secure cookies to loopback addresses, which count as a secure context.
     */
    static HttpResponse<String> signIn(String authorizeUrl, String user, String password)
            throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
        Map<String, String> cookies = new LinkedHashMap<>();
        HttpResponse<String> page = followRedirects(http, cookies, browse(http, cookies, HttpRequest.newBuilder(URI.create(authorizeUrl))));
        assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
        Matcher form = FORM_ACTION.matcher(page.body());
        assertThat(form.find()).as("login form in " + page.body()).isTrue();
        String action = form.group(1).replace("&amp;", "&");
        HttpResponse<String> response = browse(http, cookies, HttpRequest.newBuilder(URI.create(action))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("username=" + user + "&password=" + password + "&credentialId=")));
        response = followRedirects(http, cookies, response);
        Matcher consent = CONSENT_FORM.matcher(response.body());
        if (response.statusCode() == 200 && consent.find()) {
            // Keycloak always asks the person to confirm a device sign-in.
            StringBuilder fields = new StringBuilder("accept=Yes");
            Matcher hidden = HIDDEN_INPUT.matcher(response.body());
            while (hidden.find()) {
                fields.append('&').append(hidden.group(1)).append('=')
                        .append(URLEncoder.encode(hidden.group(2).replace("&amp;", "&"), StandardCharsets.UTF_8));
            }
            response = followRedirects(http, cookies, browse(http, cookies,
                    HttpRequest.newBuilder(response.uri().resolve(consent.group(1).replace("&amp;", "&")))
                            .header("Content-Type", "application/x-www-form-urlencoded")
                            .POST(HttpRequest.BodyPublishers.ofString(fields.toString()))));
        }
        return response;
    }

    private static HttpResponse<String> followRedirects(HttpClient http, Map<String, String> cookies, HttpResponse<String> response)
            throws IOException, InterruptedException {
        for (int hops = 0; response.statusCode() / 100 == 3 && hops < 5; hops++) {
            URI next = response.uri().resolve(response.headers().firstValue("Location").orElseThrow());
            response = browse(http, cookies, HttpRequest.newBuilder(next));
        }
        return response;
    }

    private static HttpResponse<String> browse(HttpClient http, Map<String, String> cookies, HttpRequest.Builder request)
            throws IOException, InterruptedException {
        if (!cookies.isEmpty()) {
            request.header("Cookie", cookies.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                    .collect(Collectors.joining("; ")));
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        for (String set : response.headers().allValues("Set-Cookie")) {
            String pair = set.split(";", 2)[0];
            int eq = pair.indexOf('=');
            if (eq > 0) {
                cookies.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
            }
        }
        return response;
    }
}
