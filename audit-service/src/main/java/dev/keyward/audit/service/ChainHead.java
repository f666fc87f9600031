package dev.keyward.audit.service;

/** The newest link of an org's chain ({@code lastSeq} 0 and the genesis hash for an empty chain). */
public record ChainHead(String org, long lastSeq, byte[] lastHash) {

    public static ChainHead genesis(String org) {
        return new ChainHead(org, 0, HashChain.GENESIS);
    }

    public ChainHead advance(StoredEvent appended) {
        return new ChainHead(org, appended.seq(), appended.hash());
    }
}
