package dev.keyward.token.oidc;

import dev.keyward.testsupport.KeycloakTestResource;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.notNullValue;

import dev.keyward.testsupport.KafkaTestResource;
import dev.keyward.testsupport.PostgresTestResource;
import dev.keyward.token.TestOrgs;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The /ui pages in headless Chromium through the real Keycloak login form (authorization code +
 * PKCE): sign in, create a token (the secret is shown once), revoke it, refuse a forged form post,
 * sign out. Needs Debian's {@code chromium} and {@code chromium-driver}; fails when they are missing.
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "keyward_token"))
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(value = KeycloakTestResource.class, restrictToAnnotatedClass = true,
        initArgs = @io.quarkus.test.common.ResourceArg(name = "web", value = "true"))
class UiBrowserTests {

    private static final File CHROMIUM = new File("/usr/bin/chromium");
    private static final File CHROMEDRIVER = new File("/usr/bin/chromedriver");

    @TestHTTPResource("/")
    URL root;

    private WebDriver browser;
    private WebDriverWait wait;
    private Path profile;
    private String base;

    @BeforeEach
    void startBrowser() throws IOException {
        assertThat(CHROMIUM.canExecute() && CHROMEDRIVER.canExecute())
                .as("headless Chromium is required: apt-get install -y chromium chromium-driver")
                .isTrue();
        profile = Files.createTempDirectory("keyward-chromium");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,1000", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER)
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        wait = new WebDriverWait(browser, Duration.ofSeconds(30));
        // Keycloak runs on 127.0.0.1; the app must use the same host name for redirects and cookies.
        base = "http://127.0.0.1:" + root.getPort();
    }

    @AfterEach
    void stopBrowser() throws IOException {
        if (browser != null) {
            browser.quit();
        }
        if (profile != null) {
            try (var files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
    }

    @Test
    void anAdminSignsInCreatesARevokesAndSignsOut() throws IOException {
        signIn("alice");
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Tokens of demo");
        assertThat(browser.findElement(By.tagName("header")).getText()).contains("Alice Admin").contains("org-admin");

        browser.findElement(By.id("name")).sendKeys("laptop via web");
        browser.findElement(By.id("perm-git-write")).click();
        browser.findElement(By.id("create-submit")).click();
        WebElement secret = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("secret")));
        String key = secret.getAttribute("value");
        assertThat(key).startsWith("kw_prod_o_");
        Path shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(shot, Path.of("target/ui-tokens.png"), StandardCopyOption.REPLACE_EXISTING);

        // The new key is live and belongs to the person who signed in
        Map<String, Object> claims = introspect(key);
        assertThat(claims).containsEntry("active", true).containsEntry("org", "demo");
        String id = (String) claims.get("id");
        given().auth().oauth2(Realm.passwordToken("alice")).get("/v1/tokens/" + id).then().statusCode(200)
                .body("created_by.name", equalTo("Alice Admin"))
                .body("scopes.'repos:*'", hasItems("git:read", "git:write"));
        // Reloading the page never shows the secret again
        browser.get(base + "/ui");
        assertThat(browser.getPageSource()).doesNotContain(key);

        browser.findElement(By.id("revoke-" + id)).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("notice")));
        assertThat(browser.findElement(By.id("row-" + id)).getText()).contains("revoked");
        assertThat(introspect(key)).containsEntry("active", false).containsEntry("reason", "revoked");
        given().auth().oauth2(Realm.passwordToken("alice")).get("/v1/tokens/" + id).then().statusCode(200)
                .body("revoked_at", notNullValue());
        assertThat(browser.findElement(By.id("activity")).getText()).contains("token:revoked").contains(id);

        browser.findElement(By.id("sign-out")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("signed-out")));
        browser.get(base + "/ui");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username")));
        assertThat(browser.getCurrentUrl()).startsWith(KeycloakTestResource.keycloak().realmUrl());
    }

    @Test
    void anAdminSeesAndEditsTheOrgsPolicyAndNotifications() {
        String alice = Realm.passwordToken("alice");
        String secret = "whsec-from-the-web-page";
        try {
            signIn("alice");
            assertThat(browser.findElement(By.id("notice_days")).getAttribute("value")).isEqualTo("14");
            WebElement notice = browser.findElement(By.id("notice_days"));
            notice.clear();
            notice.sendKeys("21");
            browser.findElement(By.id("policy-submit")).click();
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("notice")));
            assertThat(browser.findElement(By.id("notice_days")).getAttribute("value")).isEqualTo("21");
            given().auth().oauth2(alice).get("/v1/orgs/demo/policy").then().statusCode(200).body("notice_days", equalTo(21));

            browser.findElement(By.id("contact_email")).sendKeys("demo-ops@keyward.test");
            browser.findElement(By.id("webhook_url")).sendKeys("http://127.0.0.1:9/hook");
            browser.findElement(By.id("webhook_secret")).sendKeys(secret);
            browser.findElement(By.id("notifications-submit")).click();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("notice"), "notification settings"));
            assertThat(browser.getPageSource()).doesNotContain(secret).contains("leave empty to keep");
            given().auth().oauth2(alice).get("/v1/orgs/demo/notifications").then().statusCode(200)
                    .body("contact_email", equalTo("demo-ops@keyward.test"))
                    .body("webhook_url", equalTo("http://127.0.0.1:9/hook"))
                    .body("webhook_secret_set", equalTo(true));
        } finally {
            // The demo org is shared with the other test classes: back to its defaults.
            given().auth().oauth2(alice).contentType(ContentType.JSON).body(Map.of("notice_days", 14))
                    .patch("/v1/orgs/demo/policy").then().statusCode(200);
            Map<String, Object> none = new java.util.HashMap<>();
            none.put("webhook_secret", null);
            given().auth().oauth2(alice).contentType(ContentType.JSON).body(none)
                    .put("/v1/orgs/demo/notifications").then().statusCode(200);
        }
    }

    @Test
    void aFormPostWithoutThePagesCsrfTokenIsRefused() {
        signIn("bob");
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("My tokens");
        // A member is not offered what a member cannot grant, nor the org's settings
        assertThat(browser.findElements(By.id("perm-token-write"))).isEmpty();
        assertThat(browser.findElements(By.id("policy"))).isEmpty();
        assertThat(browser.findElements(By.id("notifications"))).isEmpty();
        browser.findElement(By.id("name")).sendKeys("forged");
        ((JavascriptExecutor) browser).executeScript(
                "document.querySelector('#create input[name=csrf]').value = 'forged'");
        browser.findElement(By.id("create-submit")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("body"), "forbidden"));
        assertThat(browser.getPageSource()).contains("the form is stale").doesNotContain("kw_prod_");
        given().auth().oauth2(Realm.passwordToken("bob")).get("/v1/tokens?state=all&page_size=200").then()
                .statusCode(200).body("tokens.findAll { it.name == 'forged' }.size()", equalTo(0));
    }

    private void signIn(String user) {
        browser.get(base + "/ui");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username"))).sendKeys(user);
        browser.findElement(By.id("password")).sendKeys(user);
        browser.findElement(By.id("kc-login")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("create")));
        assertThat(browser.getCurrentUrl()).startsWith(base + "/ui");
    }

    private static Map<String, Object> introspect(String key) {
        return given().header("X-Keyward-Internal", TestOrgs.INTERNAL_SECRET).contentType(ContentType.JSON)
                .body(Map.of("token", key)).post("/internal/introspect").then().statusCode(200)
                .extract().as(Map.class);
    }
}
