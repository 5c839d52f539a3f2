package io.batpak.core.error;

/**
 * A data-subject id given to {@code AppendOptions.subject} or {@code forgetSubject} breaks the rule for subject
 * ids: 1 to {@value #MAX_SUBJECT_BYTES} bytes of UTF-8 without control characters. Nothing was stored or changed.
 */
public final class InvalidSubjectException extends InvalidInputException {
    private static final long serialVersionUID = 1L;

    /** Longest subject id in UTF-8 bytes. */
    public static final int MAX_SUBJECT_BYTES = 256;

    public InvalidSubjectException(String message) {
        super("subject", "invalid subject: " + message);
    }

    /**
     * Returns {@code subject} when it is a valid subject id.
     *
     * @throws InvalidSubjectException naming the rule it breaks
     */
    public static String requireValid(String subject) {
        if (subject == null) {
            throw new InvalidSubjectException("must not be null");
        }
        int bytes = subject.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (bytes < 1 || bytes > MAX_SUBJECT_BYTES) {
            throw new InvalidSubjectException("must be 1.." + MAX_SUBJECT_BYTES + " bytes of UTF-8, was " + bytes);
        }
        for (int i = 0; i < subject.length(); i++) {
            char c = subject.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < subject.length()
                    && Character.isLowSurrogate(subject.charAt(i + 1))) {
                i++;
            } else if (Character.isISOControl(c) || Character.isSurrogate(c)) {
                throw new InvalidSubjectException("character " + i + " is a control character or a lone surrogate");
            }
        }
        return subject;
    }
}
