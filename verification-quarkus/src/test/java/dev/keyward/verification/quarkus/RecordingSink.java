package dev.keyward.verification.quarkus;

import dev.keyward.events.EventCodec;
import dev.keyward.events.KeywardEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** An {@link EventSink} that keeps what it was handed, and the events decoded from it as a consumer would. */
final class RecordingSink implements EventSink {

    final List<EncodedEvent> records = Collections.synchronizedList(new ArrayList<>());
    final List<KeywardEvent> published = Collections.synchronizedList(new ArrayList<>());

    @Override
    public void publish(EncodedEvent event, Failures failures) {
        records.add(event);
        published.add(EventCodec.fromJson(new String(event.json(), StandardCharsets.UTF_8)));
    }
}
