package dev.keyward.repo.git;

import dev.keyward.verification.VerifiedPrincipal;
import org.eclipse.jgit.lib.PersonIdent;

/**
 * Who a ref update or a commit is recorded as, when Keyward makes it for a token: the token id
 * (what the audit trail names) at its org. Never the key or its prefix: history outlives tokens.
 */
public final class KeywardIdent {

    private KeywardIdent() {
    }

    /** The identity of {@code principal}, dated now. */
    public static PersonIdent of(VerifiedPrincipal principal) {
        return new PersonIdent(principal.tokenId(), principal.org() + "@keyward");
    }
}
