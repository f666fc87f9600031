package dev.keyward.token.outbox;

import io.smallrye.reactive.messaging.ClientCustomizer;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import org.eclipse.microprofile.config.Config;

/**
 * Gives the Kafka producer of the {@link OutboxRelay#CHANNEL} channel back its own retries. The
 * channel sets the connector's {@code retries=0}, so the connector never sends a failed record again
 * on its own (a resent record could land after a later one of the same org; the relay resends from
 * the outbox, in order, instead). The connector also hands that value to the producer, where
 * {@code retries=0} would switch idempotence off; inside its delivery timeout the idempotent producer
 * retries without reordering or duplicating.
 */
@ApplicationScoped
public class OutboxProducerRetries implements ClientCustomizer<Map<String, Object>> {

    @Override
    public Map<String, Object> customize(String channel, Config channelConfig, Map<String, Object> config) {
        if (OutboxRelay.CHANNEL.equals(channel)) {
            config.put("retries", Integer.MAX_VALUE);
        }
        return config;
    }
}
