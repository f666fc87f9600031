package dev.keyward.token.repository;

import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Map;

/** One of Keyward's own signing keys (see {@code signing.SigningKeys}); the private key only sealed. */
@Entity
@Table(name = "signing_keys")
public class SigningKeyEntity {

    @Id
    public String kid;

    /** Always {@code ES256} today. */
    public String algorithm;

    /** The public JWK as published at {@code /.well-known/jwks.json}. */
    @Column(name = "public_jwk")
    @Convert(converter = Columns.StringMapJson.class)
    public Map<String, String> publicJwk;

    /** The PKCS#8 private key sealed by {@code signing.KeyCipher} (nonce + AES-GCM ciphertext, kid as AAD). */
    @Column(name = "private_key")
    public byte[] privateKey;

    @Column(name = "created_at")
    public Instant createdAt;

    /** When a newer key took over signing; null for the current key. */
    @Column(name = "retired_at")
    public Instant retiredAt;

    /** Published in the JWKS until then; null: published for as long as it signs. */
    @Column(name = "publish_until")
    public Instant publishUntil;
}
