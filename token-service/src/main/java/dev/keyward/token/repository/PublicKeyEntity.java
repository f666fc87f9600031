package dev.keyward.token.repository;

import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Map;

/** A customer's registered public JWK. */
@Entity
@Table(name = "customer_public_keys")
public class PublicKeyEntity {

    @Id
    public String id;

    @Column(name = "org_id")
    public String orgId;

    public String kid;

    public String alg;

    /** The public JWK. */
    @Convert(converter = Columns.StringMapJson.class)
    public Map<String, String> jwk;

    @Column(name = "created_at")
    public Instant createdAt;
}
