package dev.keyward.token.repository;

import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.util.Objects;

/** One creator's count of live tokens in one org (see {@link LiveTokenCounts}). */
@Entity
@Table(name = "creator_live_tokens")
public class CreatorLiveTokensEntity {

    @EmbeddedId
    public Key key;

    @Column(name = "live")
    public int live;

    /** The org and the creator (the unit of the per-user limit). */
    @Embeddable
    public static class Key implements Serializable {

        @Column(name = "org_id")
        public String orgId;

        @Column(name = "created_by_user_id")
        public String createdByUserId;

        public Key() {
        }

        public Key(String orgId, String createdByUserId) {
            this.orgId = orgId;
            this.createdByUserId = createdByUserId;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Objects.equals(orgId, k.orgId) && Objects.equals(createdByUserId, k.createdByUserId);
        }

        @Override
        public int hashCode() {
            return Objects.hash(orgId, createdByUserId);
        }
    }
}
