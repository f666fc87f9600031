package dev.keyward.cli.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import org.junit.jupiter.api.Test;

/** The plain-http client never sets TLS up, and could not do TLS if it were handed an https URL. */
class HttpClientsTests {

    @Test
    void httpsGoesThroughTheUsualClientAndThePlainOneRefusesTls() {
        HttpClients clients = new HttpClients();

        HttpClient plain = clients.forUri(URI.create("http://127.0.0.1:8081/v1/tokens"));
        assertThat(clients.forUri(URI.create("http://localhost:8082/"))).isSameAs(plain);
        assertThatThrownBy(() -> plain.sslContext().createSSLEngine("127.0.0.1", 8081))
                .isInstanceOf(UnsupportedOperationException.class);

        HttpClient tls = clients.forUri(URI.create("https://keyward.example.com/v1/tokens"));
        assertThat(tls).isSameAs(clients.tls()).isNotSameAs(plain);
        assertThat(tls.sslContext().createSSLEngine("keyward.example.com", 443)).isNotNull();
    }
}
