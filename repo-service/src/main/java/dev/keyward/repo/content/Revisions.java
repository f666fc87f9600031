package dev.keyward.repo.content;

import dev.keyward.contract.ApiException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.eclipse.jgit.errors.IncorrectObjectTypeException;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.ReachabilityChecker;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevObject;
import org.eclipse.jgit.revwalk.RevWalk;

/**
 * Turns a {@link Rev} into a commit, the way git would, within what the API serves: branches and
 * tags only, and a commit id only when a branch or tag reaches it. Objects no ref reaches (a push
 * or API commit that push protection refused leaves them behind) are not served, as a clone would
 * not fetch them.
 */
final class Revisions {

    private Revisions() {
    }

    /** The commit {@code rev} names; 404 when there is none. */
    static RevCommit commit(Repository repository, RevWalk walk, Rev rev) throws IOException {
        return find(repository, walk, rev).orElseThrow(() -> ApiException.notFound(
                (rev.isSha() ? "commit " : "ref ") + rev.text() + " does not exist"));
    }

    /** The commit {@code rev} names, if any; for {@code HEAD} of an empty repository, none. */
    static Optional<RevCommit> find(Repository repository, RevWalk walk, Rev rev) throws IOException {
        if (rev.isSha()) {
            RevCommit commit;
            try {
                commit = walk.parseCommit(rev.sha());
            } catch (MissingObjectException | IncorrectObjectTypeException e) {
                return Optional.empty();
            }
            return reachable(repository, walk, commit) ? Optional.of(commit) : Optional.empty();
        }
        Ref ref = ref(repository, rev.name());
        if (ref == null || ref.getObjectId() == null) {
            return Optional.empty();
        }
        RevObject peeled = walk.peel(walk.parseAny(ref.getObjectId()));
        if (!(peeled instanceof RevCommit commit)) {
            throw ApiException.notFound("ref " + rev.text() + " does not name a commit");
        }
        return Optional.of(commit);
    }

    /**
     * The ref a name means: {@code HEAD} while it names a branch; a full name as is; a short name as
     * git looks it up ({@code refs/tags/<name>}, then {@code refs/heads/<name>}).
     */
    static Ref ref(Repository repository, String name) throws IOException {
        if (name.equals(Constants.HEAD)) {
            Ref head = repository.exactRef(Constants.HEAD);
            return head != null && head.getTarget().getName().startsWith(Constants.R_HEADS) ? head : null;
        }
        if (name.startsWith(Constants.R_REFS)) {
            return repository.exactRef(name);
        }
        Ref tag = repository.exactRef(Constants.R_TAGS + name);
        return tag != null ? tag : repository.exactRef(Constants.R_HEADS + name);
    }

    /** Whether a branch or tag reaches {@code commit}; with a walk of its own, so {@code walk}'s flags stay clean. */
    static boolean reachable(Repository repository, RevWalk walk, RevCommit commit) throws IOException {
        try (RevWalk own = new RevWalk(walk.getObjectReader())) {
            List<RevCommit> starters = new ArrayList<>();
            for (Ref ref : repository.getRefDatabase().getRefsByPrefix(Constants.R_HEADS, Constants.R_TAGS)) {
                ObjectId id = ref.getObjectId();
                try {
                    if (id != null && own.peel(own.parseAny(id)) instanceof RevCommit tip) {
                        starters.add(tip);
                    }
                } catch (MissingObjectException e) {
                    // a ref to an object that is gone reaches nothing
                }
            }
            if (starters.isEmpty()) {
                return false;
            }
            ReachabilityChecker checker = own.getObjectReader().createReachabilityChecker(own);
            return checker.areAllReachable(List.of(own.parseCommit(commit)), starters.stream()).isEmpty();
        }
    }
}
