package dev.keyward.audit.service;

/**
 * The answer of {@code GET /v1/audit/verify}.
 *
 * @param org         the org whose chain was checked
 * @param checked     links that held, from the anchor on
 * @param ok          whether the whole chain held
 * @param firstBroken the first link that did not, or null
 * @param anchorSeq   the last seq removed by retention (verification starts after it), 0 if none
 * @param headSeq     the newest seq of the chain
 */
public record VerifyReport(
        String org,
        long checked,
        boolean ok,
        ChainVerifier.Break firstBroken,
        long anchorSeq,
        long headSeq) {
}
