package dev.keyward.audit.service;

import java.time.Instant;

/** A row's place in time order within its org: (time, seq) is unique per org, so keysets never skip or repeat. */
public record EventPosition(Instant time, long seq) {
}
