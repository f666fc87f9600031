package dev.keyward.token.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keyward.token.notify.WebhookTarget.Resolver;
import dev.keyward.token.notify.WebhookTarget.Settings;
import dev.keyward.token.notify.WebhookTarget.UnsafeUrl;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The webhook URL rules. No test here opens a connection or asks DNS: names go to a fake resolver
 * (a map of IP literals, which InetAddress parses without a lookup), and IP-literal URLs get a
 * resolver that fails the test if it is called at all. Public addresses (93.184.216.34,
 * 2001:db8::/32) appear only as resolver answers or literals that are judged, never reached.
 */
class WebhookTargetTest {

    private static final Settings STRICT = new Settings(false, List.of());
    private static final Settings HTTP = new Settings(true, List.of());
    private static final String PUBLIC = "93.184.216.34";

    /** For IP literals: they must be decided without DNS. */
    private static final Resolver NO_DNS = host -> {
        throw new AssertionError("no lookup expected, the resolver was asked for " + host);
    };

    private static Resolver dns(Map<String, List<String>> answers) {
        return host -> {
            List<String> literals = answers.get(host);
            if (literals == null) {
                throw new UnknownHostException(host);
            }
            InetAddress[] addresses = new InetAddress[literals.size()];
            for (int i = 0; i < addresses.length; i++) {
                addresses[i] = InetAddress.getByName(literals.get(i));
            }
            return addresses;
        };
    }

    private static String refusal(String url) {
        return refusal(url, STRICT, NO_DNS);
    }

    private static String refusal(String url, Settings settings, Resolver resolver) {
        try {
            URI accepted = WebhookTarget.check(url, settings, resolver);
            throw new AssertionError("accepted " + url + " as " + accepted);
        } catch (UnsafeUrl e) {
            assertThat(e.getMessage()).startsWith("webhook_url ");
            return e.getMessage();
        }
    }

    private static URI accepted(String url) {
        return WebhookTarget.check(url, STRICT, NO_DNS);
    }

    @Test
    void aPublicHttpsNameIsAcceptedAndNormalised() {
        Resolver dns = dns(Map.of("hooks.example.com", List.of(PUBLIC, "2001:db8::10")));
        assertThat(WebhookTarget.check("HTTPS://Hooks.Example.COM:8443/in/coming?team=a%20b#part", STRICT, dns))
                .hasToString("https://hooks.example.com:8443/in/coming?team=a%20b");
        assertThat(WebhookTarget.check("  https://hooks.example.com/hook ", STRICT, dns))
                .hasToString("https://hooks.example.com/hook");
        assertThat(accepted("https://" + PUBLIC + "/hook")).hasToString("https://93.184.216.34/hook");
        assertThat(accepted("https://[2001:DB8::10]:8443/hook")).hasToString("https://[2001:db8::10]:8443/hook");
    }

    @Test
    void plainHttpIsRefusedUnlessTheOperatorAllowsIt() {
        Resolver dns = dns(Map.of("hooks.example.com", List.of(PUBLIC)));
        assertThat(refusal("http://hooks.example.com/hook", STRICT, dns)).isEqualTo("webhook_url must use https");
        assertThat(WebhookTarget.check("http://hooks.example.com/hook", HTTP, dns))
                .hasToString("http://hooks.example.com/hook");
        assertThat(refusal("http://" + PUBLIC + "/")).isEqualTo("webhook_url must use https");
    }

    @Test
    void otherSchemesAreRefused() {
        for (String url : List.of("ftp://hooks.example.com/", "file:///etc/passwd", "gopher://hooks.example.com:70/",
                "ws://hooks.example.com/", "jar:https://hooks.example.com/a.jar!/", "javascript:alert(1)")) {
            assertThat(refusal(url, HTTP, NO_DNS)).as(url).isEqualTo("webhook_url must use https or http");
            assertThat(refusal(url)).as(url).isEqualTo("webhook_url must use https");
        }
    }

    @Test
    void userInfoIsRefused() {
        for (String url : List.of("https://user:s3cret@hooks.example.com/", "https://s3cret@hooks.example.com/",
                "https://user:s3cret@127.0.0.1/", "https://a@s3cret@hooks.example.com/", "https://:s3cret@[2001:db8::1]/")) {
            assertThat(refusal(url)).as(url)
                    .isEqualTo("webhook_url must not contain user info (credentials before the host)")
                    .doesNotContain("s3cret");
        }
    }

    @Test
    void theUrlMustBeAbsoluteWithAHostAndAtMost2000Characters() {
        assertThat(refusal(null)).isEqualTo("webhook_url is required");
        assertThat(refusal("  ")).isEqualTo("webhook_url is required");
        assertThat(refusal("/hook")).isEqualTo("webhook_url must be an absolute URL");
        assertThat(refusal("hooks.example.com/hook")).isEqualTo("webhook_url must be an absolute URL");
        assertThat(refusal("https:hooks.example.com")).isEqualTo("webhook_url must be an absolute URL");
        assertThat(refusal("https:///hook")).isEqualTo("webhook_url must name a host");
        assertThat(refusal("https://:443/hook")).isEqualTo("webhook_url must name a host");
        assertThat(refusal("https://my_host/hook")).isEqualTo("webhook_url has an invalid host name");
        assertThat(refusal("https://exämple.com/")).isEqualTo("webhook_url has an invalid host name");
        assertThat(refusal("https://" + PUBLIC + ":0/")).isEqualTo("webhook_url has an invalid port");
        assertThat(refusal("https://" + PUBLIC + ":65536/")).isEqualTo("webhook_url has an invalid port");
        assertThat(refusal("https://[2001:db8::1]x/")).isEqualTo("webhook_url is not a valid URL");
        assertThat(refusal("https://hooks.example.com/a b?token=s3cret")).isEqualTo("webhook_url is not a valid URL");

        String base = "https://" + PUBLIC + "/";
        String longest = base + "a".repeat(WebhookTarget.MAX_LENGTH - base.length());
        assertThat(accepted(longest)).hasToString(longest);
        assertThat(refusal(longest + "a")).isEqualTo("webhook_url is longer than 2000 characters");
    }

    @Test
    void loopbackIsRefused() {
        assertThat(refusal("https://127.0.0.1/hook")).isEqualTo("webhook_url points to a loopback address (127.0.0.1)");
        assertThat(refusal("https://127.255.255.254:8443/")).contains("loopback");
        assertThat(refusal("https://[::1]/hook")).isEqualTo("webhook_url points to a loopback address (0:0:0:0:0:0:0:1)");
        assertThat(refusal("https://[0:0:0:0:0:0:0:1]/")).contains("loopback");
    }

    @Test
    void unspecifiedAddressesAreRefused() {
        assertThat(refusal("https://0.0.0.0/")).isEqualTo("webhook_url points to an unspecified address (0.0.0.0)");
        assertThat(refusal("https://0.1.2.3/")).contains("unspecified");
        assertThat(refusal("https://[::]/")).contains("unspecified");
    }

    @Test
    void privateRangesAreRefused() {
        assertThat(refusal("https://10.0.0.5/")).isEqualTo("webhook_url points to a private address (10.0.0.5)");
        for (String host : List.of("10.255.255.255", "172.16.0.1", "172.20.1.1", "172.31.255.255", "192.168.0.1",
                "192.168.255.255")) {
            assertThat(refusal("https://" + host + "/")).as(host).contains("a private address (" + host + ")");
        }
        for (String host : List.of("9.255.255.255", "11.0.0.1", "172.15.255.255", "172.32.0.1", "192.167.255.255",
                "192.169.0.1")) {
            assertThat(accepted("https://" + host + "/")).as(host).hasHost(host);
        }
    }

    @Test
    void theSharedCgnatRangeIsRefused() {
        assertThat(refusal("https://100.64.0.1/")).isEqualTo("webhook_url points to a shared (CGNAT) address (100.64.0.1)");
        assertThat(refusal("https://100.127.255.255/")).contains("CGNAT");
        assertThat(accepted("https://100.63.255.255/")).hasHost("100.63.255.255");
        assertThat(accepted("https://100.128.0.1/")).hasHost("100.128.0.1");
    }

    @Test
    void linkLocalAndTheCloudMetadataAddressAreRefused() {
        assertThat(refusal("http://169.254.169.254/latest/meta-data/", HTTP, NO_DNS))
                .isEqualTo("webhook_url points to the cloud metadata address (169.254.169.254)");
        assertThat(refusal("https://169.254.1.1/")).isEqualTo("webhook_url points to a link-local address (169.254.1.1)");
        assertThat(refusal("https://[fe80::1]/")).contains("a link-local address (fe80:0:0:0:0:0:0:1)");
        assertThat(refusal("https://[febf:ffff::1]/")).contains("link-local");
        assertThat(refusal("https://[fe80::1%25eth0]/")).isEqualTo("webhook_url must not name an IPv6 zone");
    }

    @Test
    void metadataNamesAreRefusedWithoutALookup() {
        for (String host : List.of("metadata.google.internal", "METADATA.Google.Internal.", "metadata", "metadata.")) {
            assertThat(refusal("http://" + host + "/computeMetadata/v1/", HTTP, NO_DNS)).as(host)
                    .endsWith("is a cloud metadata service");
        }
    }

    @Test
    void uniqueLocalAndSiteLocalIpv6AreRefused() {
        assertThat(refusal("https://[fc00::1]/")).contains("a unique-local address (fc00:0:0:0:0:0:0:1)");
        assertThat(refusal("https://[fd12:3456:789a::1]/")).contains("unique-local");
        assertThat(refusal("https://[fd00:ec2::254]/")).contains("unique-local");
        assertThat(refusal("https://[fec0::1]/")).contains("site-local");
    }

    @Test
    void multicastBroadcastAndReservedAreRefused() {
        assertThat(refusal("https://224.0.0.1/")).contains("a multicast address (224.0.0.1)");
        assertThat(refusal("https://239.255.255.250/")).contains("multicast");
        assertThat(refusal("https://[ff02::1]/")).contains("multicast");
        assertThat(refusal("https://255.255.255.255/")).contains("the broadcast address (255.255.255.255)");
        assertThat(refusal("https://240.0.0.1/")).contains("a reserved address (240.0.0.1)");
        assertThat(refusal("https://250.1.2.3/")).contains("reserved");
        assertThat(accepted("https://223.255.255.254/")).hasHost("223.255.255.254");
    }

    @Test
    void ipv4MappedIpv6IsJudgedByItsIpv4() {
        assertThat(refusal("https://[::ffff:127.0.0.1]/")).contains("a loopback address (127.0.0.1)");
        assertThat(refusal("https://[::ffff:7f00:1]/")).isEqualTo("webhook_url points to a loopback address (127.0.0.1)");
        assertThat(refusal("https://[::FFFF:10.0.0.1]/")).contains("a private address (10.0.0.1)");
        assertThat(refusal("https://[::ffff:a9fe:a9fe]/")).contains("cloud metadata");
        assertThat(accepted("https://[::ffff:93.184.216.34]/")).hasHost("[::ffff:93.184.216.34]");
    }

    @Test
    void ipv4CompatibleNat64And6to4AreJudgedByTheIpv4TheyEmbed() {
        assertThat(refusal("https://[::127.0.0.1]/")).contains("a loopback address (127.0.0.1 inside 0:0:0:0:0:0:7f00:1)");
        assertThat(refusal("https://[::10.0.0.1]/")).contains("private");
        assertThat(refusal("https://[::2]/")).contains("unspecified");
        assertThat(refusal("https://[64:ff9b::7f00:1]/")).contains("a loopback address (127.0.0.1 inside 64:ff9b:");
        assertThat(refusal("https://[64:ff9b::192.168.1.1]/")).contains("private");
        assertThat(refusal("https://[2002:7f00:1::]/")).contains("loopback");
        assertThat(refusal("https://[2002:a9fe:a9fe::1]/")).contains("cloud metadata");
        assertThat(refusal("https://[2002:0a00:0001:1::1]/")).contains("a private address (10.0.0.1 inside 2002:");
        assertThat(accepted("https://[64:ff9b::5db8:d822]/")).hasHost("[64:ff9b::5db8:d822]");
        assertThat(accepted("https://[2002:5db8:d822::1]/")).hasHost("[2002:5db8:d822::1]");
    }

    @Test
    void numericIpv4FormsAreDecodedAndNeverResolved() {
        Map<String, String> loopback = Map.of(
                "2130706433", "127.0.0.1",
                "127.1", "127.0.0.1",
                "127.0.1", "127.0.0.1",
                "0177.0.0.1", "127.0.0.1",
                "0x7f.0.0.1", "127.0.0.1",
                "0x7f000001", "127.0.0.1",
                "0X7F.1", "127.0.0.1",
                "017700000001", "127.0.0.1",
                "127.0.0.1.", "127.0.0.1",
                "0x7f.0x0.0.01", "127.0.0.1");
        loopback.forEach((host, address) -> assertThat(refusal("https://" + host + "/hook")).as(host)
                .isEqualTo("webhook_url points to a loopback address (" + address + ")"));
        assertThat(refusal("https://10.1.2/")).isEqualTo("webhook_url points to a private address (10.1.0.2)");
        assertThat(refusal("https://3232235521/")).contains("a private address (192.168.0.1)");
        assertThat(refusal("https://0xa9.0xfe.0xa9.0xfe/")).contains("cloud metadata");
        assertThat(refusal("https://0251.0376.0251.0376/")).contains("cloud metadata");
        assertThat(refusal("https://0/")).contains("unspecified address (0.0.0.0)");
        assertThat(refusal("https://0x/")).contains("unspecified address (0.0.0.0)");

        // A public address in a legacy form is sent to in its plain form.
        assertThat(accepted("https://1572395042:8443/hook")).hasToString("https://93.184.216.34:8443/hook");
        assertThat(accepted("https://0x5d.0xb8.0xd8.0x22/")).hasToString("https://93.184.216.34/");

        for (String host : List.of("1.2.3.4.5", "256.1.1.1", "1.2.3.256", "1.2.65536", "4294967296", "0x100000000",
                "08.0.0.1", "0x7g.0.0.1", "..1", "1..1", "hooks.123", "%31.0.0.1", "1.2.3.4.5.")) {
            assertThat(refusal("https://" + host + "/")).as(host).isEqualTo("webhook_url host is not a valid IPv4 address");
        }
    }

    @Test
    void aNameResolvingToLoopbackIsRefused() {
        Resolver dns = dns(Map.of("hooks.example.com", List.of("127.0.0.1"), "six.example.com", List.of("::1")));
        assertThat(refusal("https://hooks.example.com/hook?token=s3cret", STRICT, dns))
                .isEqualTo("webhook_url host hooks.example.com resolves to a loopback address (127.0.0.1)");
        assertThat(refusal("https://six.example.com/", STRICT, dns)).contains("resolves to a loopback address");
    }

    @Test
    void everyAddressOfANameMustBeAllowed() {
        Resolver dns = dns(Map.of(
                "mixed.example.com", List.of(PUBLIC, "10.0.0.5"),
                "mixed-first.example.com", List.of("169.254.169.254", PUBLIC),
                "dual.example.com", List.of(PUBLIC, "fd00::1"),
                "public.example.com", List.of(PUBLIC, "2001:db8::1")));
        assertThat(refusal("https://mixed.example.com/", STRICT, dns))
                .isEqualTo("webhook_url host mixed.example.com resolves to a private address (10.0.0.5)");
        assertThat(refusal("https://mixed-first.example.com/", STRICT, dns)).contains("cloud metadata");
        assertThat(refusal("https://dual.example.com/", STRICT, dns)).contains("unique-local");
        assertThat(WebhookTarget.check("https://public.example.com/", STRICT, dns)).hasHost("public.example.com");
    }

    @Test
    void resolverAnswersInIpv6FormAreJudgedByTheirEmbeddedIpv4() throws Exception {
        byte[] mapped = InetAddress.getByName("::ffff:10.0.0.1").getAddress(); // 4 bytes: Java unmaps it
        byte[] v6 = new byte[16];
        v6[10] = (byte) 0xff;
        v6[11] = (byte) 0xff;
        System.arraycopy(mapped, 0, v6, 12, 4);
        InetAddress stillIpv6 = Inet6Address.getByAddress(null, v6, -1);
        Resolver dns = host -> new InetAddress[] {stillIpv6};
        assertThat(refusal("https://hooks.example.com/", STRICT, dns)).contains("a private address (10.0.0.1 inside ");
    }

    @Test
    void aNameThatDoesNotResolveIsRefused() {
        Resolver dns = dns(Map.of("empty.example.com", List.of()));
        assertThat(refusal("https://nowhere.example.com/hook", STRICT, dns))
                .isEqualTo("webhook_url host nowhere.example.com does not resolve");
        assertThat(refusal("https://empty.example.com/", STRICT, dns)).endsWith("does not resolve");
        assertThat(refusal("https://null.example.com/", STRICT, host -> null)).endsWith("does not resolve");
    }

    @Test
    void allowedCidrsExemptAnOperatorsRangesFromTheDenyRules() {
        Settings local = new Settings(true, List.of("127.0.0.0/8"));
        Resolver dns = dns(Map.of("receiver.internal", List.of("127.0.0.1"), "other.internal", List.of("10.0.0.7")));
        assertThat(WebhookTarget.check("http://127.0.0.1:8080/hook", local, NO_DNS)).hasToString("http://127.0.0.1:8080/hook");
        assertThat(WebhookTarget.check("https://127.1/hook", local, NO_DNS)).hasToString("https://127.0.0.1/hook");
        assertThat(WebhookTarget.check("https://[::ffff:127.0.0.1]/", local, NO_DNS)).hasHost("[::ffff:127.0.0.1]");
        assertThat(WebhookTarget.check("https://[64:ff9b::7f00:1]/", local, NO_DNS)).hasHost("[64:ff9b::7f00:1]");
        assertThat(WebhookTarget.check("https://receiver.internal/", local, dns)).hasHost("receiver.internal");
        assertThat(refusal("https://other.internal/", local, dns)).contains("private address (10.0.0.7)");
        assertThat(refusal("https://[::1]/", local, NO_DNS)).contains("loopback");

        Settings oneSubnet = new Settings(false, List.of("10.1.2.0/24", "fd00:1::/64"));
        assertThat(accepted("https://10.1.2.3/", oneSubnet)).hasHost("10.1.2.3");
        assertThat(refusal("https://10.1.3.1/", oneSubnet, NO_DNS)).contains("private");
        assertThat(accepted("https://[fd00:1::5]/", oneSubnet)).hasHost("[fd00:1::5]");
        assertThat(refusal("https://[fd00:2::5]/", oneSubnet, NO_DNS)).contains("unique-local");

        assertThatThrownBy(() -> new Settings(false, List.of("internal.example.com/24")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(new Settings(false, null).allowedCidrs()).isEmpty();
    }

    @Test
    void refusalsNeverShowThePathQueryOrCredentials() {
        Resolver dns = dns(Map.of("hooks.example.com", List.of("10.0.0.5")));
        for (String url : List.of("https://10.0.0.5/s3cret-path?token=s3cret", "https://hooks.example.com/s3cret?token=s3cret",
                "http://hooks.example.com/s3cret?token=s3cret", "https://hooks.example.com/%zz?token=s3cret",
                "https://user:s3cret@hooks.example.com/")) {
            assertThat(refusal(url, STRICT, dns)).as(url).doesNotContain("s3cret").doesNotContain("token");
        }
    }

    private static URI accepted(String url, Settings settings) {
        return WebhookTarget.check(url, settings, NO_DNS);
    }
}
