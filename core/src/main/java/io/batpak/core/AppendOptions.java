package io.batpak.core;

import io.batpak.core.error.InvalidAppendException;
import io.batpak.core.error.InvalidInputException;
import io.batpak.core.error.InvalidSubjectException;
import io.batpak.core.error.InvalidTagException;
import java.util.List;
import java.util.UUID;

/**
 * Per-append options: expected sequence, idempotency key, correlation and causation ids, user flags, tags, an
 * append condition over a query and the data subject whose key encrypts the payload. Build with {@link #builder()}; {@link #DEFAULT} has no expected sequence, no key,
 * correlation = the event's own id, no causation, flags 0, no tags and no condition. Immutable and thread-safe.
 */
public final class AppendOptions {
    /** No condition, no idempotency key, self-correlated, no causation, flags 0. */
    public static final AppendOptions DEFAULT = new Builder().build();

    private final ExpectedSequence expected;
    private final IdempotencyKey idempotencyKey;
    private final EventId correlationId;
    private final EventId causationId;
    private final int flags;
    private final List<String> tags;
    private final AppendCondition condition;
    private final String subject;

    private AppendOptions(Builder b) {
        this.subject = b.subject;
        this.expected = b.expected;
        this.idempotencyKey = b.idempotencyKey;
        this.correlationId = b.correlationId;
        this.causationId = b.causationId;
        this.flags = b.flags;
        this.tags = b.tags;
        this.condition = b.condition;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Default options with these tags: {@code AppendOptions.tags("customer:ada", "sku:42")}. See
     * {@link Builder#tags(String...)}.
     *
     * @throws InvalidTagException naming the first invalid tag
     */
    public static AppendOptions tags(String... tags) {
        return builder().tags(tags).build();
    }

    /**
     * Default options with this append condition: {@code AppendOptions.condition(AppendCondition.noneMatching(region,
     * position))}. See {@link Builder#condition(AppendCondition)}.
     *
     * @throws io.batpak.core.error.InvalidInputException when {@code condition} is null
     */
    public static AppendOptions condition(AppendCondition condition) {
        InvalidInputException.requireArgument(condition, "condition");
        return builder().condition(condition).build();
    }

    /**
     * Default options naming a data subject: the payload is stored encrypted with the subject's key, and
     * {@code forgetSubject(subject)} makes it unreadable everywhere. See {@link Builder#subject(String)}.
     *
     * @throws InvalidSubjectException when {@code subject} is not a valid subject id
     */
    public static AppendOptions subject(String subject) {
        return builder().subject(InvalidSubjectException.requireValid(subject)).build();
    }

    /** A builder pre-filled with these options. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.expected = expected;
        b.idempotencyKey = idempotencyKey;
        b.correlationId = correlationId;
        b.causationId = causationId;
        b.flags = flags;
        b.tags = tags;
        b.condition = condition;
        b.subject = subject;
        return b;
    }

    public ExpectedSequence expected() {
        return expected;
    }

    /** The idempotency key, or null. */
    public IdempotencyKey idempotencyKey() {
        return idempotencyKey;
    }

    /** The correlation id, or null to use the event's own id. */
    public EventId correlationId() {
        return correlationId;
    }

    /** The causation id, or null for a root event. */
    public EventId causationId() {
        return causationId;
    }

    /** User flags (0..255), stored with the event; the store does not interpret them. */
    public int flags() {
        return flags;
    }

    /** The event's tags in the order given; empty when it has none. */
    public List<String> tags() {
        return tags;
    }

    /** The append condition, or null when the append is unconditional (apart from {@link #expected()}). */
    public AppendCondition condition() {
        return condition;
    }

    /** The data subject whose key encrypts the payload, or null when the payload is stored as given. */
    public String subject() {
        return subject;
    }

    /** These options with {@code tags} instead of the current ones (see {@link Builder#tags(String...)}). */
    public AppendOptions withTags(String... tags) {
        return toBuilder().tags(tags).build();
    }

    /** These options with {@code condition} (null: none) instead of the current one. */
    public AppendOptions withCondition(AppendCondition condition) {
        return toBuilder().condition(condition).build();
    }

    @Override
    public String toString() {
        return "AppendOptions[expect=" + expected + ", key=" + idempotencyKey + ", correlation=" + correlationId
                + ", causation=" + causationId + ", flags=" + flags + (tags.isEmpty() ? "" : ", tags=" + tags)
                + (condition == null ? "" : ", condition=" + condition) + (subject == null ? "" : ", subject") + "]";
    }

    /** Builder for {@link AppendOptions}. Not thread-safe. */
    public static final class Builder {
        private ExpectedSequence expected = ExpectedSequence.ANY;
        private IdempotencyKey idempotencyKey;
        private EventId correlationId;
        private EventId causationId;
        private int flags;
        private List<String> tags = List.of();
        private AppendCondition condition;
        private String subject;

        private Builder() {
        }

        public Builder expect(ExpectedSequence expected) {
            this.expected = InvalidInputException.requireArgument(expected, "expected");
            return this;
        }

        /** Makes the append idempotent under {@code key} (null: not idempotent, the default). */
        public Builder idempotencyKey(IdempotencyKey key) {
            this.idempotencyKey = key;
            return this;
        }

        /** Makes the append idempotent under {@code key} (null: not idempotent, the default). */
        public Builder idempotencyKey(UUID key) {
            this.idempotencyKey = key == null ? null : IdempotencyKey.of(key);
            return this;
        }

        public Builder idempotencyKey(long msb, long lsb) {
            this.idempotencyKey = IdempotencyKey.of(msb, lsb);
            return this;
        }

        /** The correlation id (null, the default: the event's own id). */
        public Builder correlationId(EventId correlationId) {
            if (correlationId != null && correlationId.isNil()) {
                throw new InvalidAppendException("correlation id must not be the nil UUID");
            }
            this.correlationId = correlationId;
            return this;
        }

        /** The id of the event that caused this one (null, the default: none). */
        public Builder causationId(EventId causationId) {
            if (causationId != null && causationId.isNil()) {
                throw new InvalidAppendException("causation id must not be the nil UUID");
            }
            this.causationId = causationId;
            return this;
        }

        /**
         * @throws InvalidAppendException when flags are outside 0..255
         */
        public Builder flags(int flags) {
            if (flags < 0 || flags > 0xFF) {
                throw new InvalidAppendException("flags must be in 0..255, was " + flags);
            }
            this.flags = flags;
            return this;
        }

        /**
         * The event's tags (0 to {@value Tags#MAX_TAGS}, distinct, each valid per {@link Tags}), stored in the frame,
         * covered by the event's hash and indexed for {@link Region#withTag}. Replaces tags set before.
         *
         * @throws InvalidTagException naming the first invalid tag
         */
        public Builder tags(String... tags) {
            this.tags = Tags.of(tags);
            return this;
        }

        /** Like {@link #tags(String...)} for a list. */
        public Builder tags(List<String> tags) {
            this.tags = Tags.of(tags);
            return this;
        }

        /**
         * Makes the append (or the atomic batch carrying it) commit only if {@code condition} holds when it is
         * sequenced; null (the default) removes a condition set before. See {@link AppendCondition}.
         */
        public Builder condition(AppendCondition condition) {
            this.condition = condition;
            return this;
        }

        /**
         * Names the data subject the payload is about (null, the default: none). The payload is then stored
         * encrypted with AES-256-GCM under the subject's own key, kept in the store's subject key directory
         * ({@code batpak.subject-keys.dir}), never in a segment, a backup or an export; reads decrypt it. The
         * header, tags and names stay in the clear (do not put personal data there), and the chain covers the
         * ciphertext's digest. {@code forgetSubject(subject)} destroys the key: every such payload, in the store and
         * in every copy of its segments, then reads as erased ({@link StoredEvent#payloadRedacted()}) while the
         * chain still verifies. The first append of a subject creates its key durably, on the thread that calls
         * the append (one small forced file write), so that appends keep the order in which they were made.
         *
         * @throws InvalidSubjectException when {@code subject} is not 1 to 256 bytes of UTF-8 without control
         *         characters
         */
        public Builder subject(String subject) {
            this.subject = subject == null ? null : InvalidSubjectException.requireValid(subject);
            return this;
        }

        public AppendOptions build() {
            return new AppendOptions(this);
        }
    }
}
