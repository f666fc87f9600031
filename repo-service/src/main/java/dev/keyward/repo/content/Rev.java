package dev.keyward.repo.content;

import org.eclipse.jgit.lib.ObjectId;

/**
 * A revision a content call names, already checked by {@link ContentInput}: a full 40-hex commit id,
 * {@code HEAD} (the default branch), a full {@code refs/heads/…} or {@code refs/tags/…} name, or a
 * short branch or tag name.
 *
 * @param text the revision as the caller wrote it (for messages)
 * @param sha  the commit id when the caller named one, else null
 * @param name {@code HEAD}, a full ref name, or a short name to look up; null for a sha
 */
public record Rev(String text, ObjectId sha, String name) {

    public static final Rev HEAD = new Rev("HEAD", null, "HEAD");

    public boolean isSha() {
        return sha != null;
    }
}
