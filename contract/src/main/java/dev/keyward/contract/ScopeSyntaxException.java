package dev.keyward.contract;

/** A scope map that does not follow the grammar; the message says what is wrong and is safe to return. */
public class ScopeSyntaxException extends IllegalArgumentException {
    public ScopeSyntaxException(String message) {
        super(message);
    }
}
