package io.batpak.cluster.internal;

import io.batpak.cluster.ClusterMessage;
import io.batpak.cluster.RemoteStoreException;
import io.batpak.core.AppendCondition;
import io.batpak.core.AppendOptions;
import io.batpak.core.AppendReceipt;
import io.batpak.core.AppendRequest;
import io.batpak.core.Coordinate;
import io.batpak.core.EventId;
import io.batpak.core.EventKind;
import io.batpak.core.ExpectedSequence;
import io.batpak.core.Hash;
import io.batpak.core.IdempotencyKey;
import io.batpak.core.KeyId;
import io.batpak.core.PayloadCodec;
import io.batpak.core.ReceiptSignature;
import io.batpak.core.Region;
import io.batpak.core.StoredEvent;
import io.batpak.core.error.StoreException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The plain-data forms in which core values travel between nodes inside {@link PartitionProtocol} messages, and
 * the conversions both ways. Ids are two longs, hashes 32 bytes, an absent value is null (or -1 for a kind or
 * category filter, as in {@link Region}).
 */
public final class Wire {
    private Wire() {
    }

    /** {@link Region}: absent filters are null, or -1 for kind and category. */
    public record WireRegion(String entityPrefix, String scope, int kind, int category, long fromSequence,
                             long toSequence, List<String> tags) implements ClusterMessage {
        public static WireRegion of(Region r) {
            return new WireRegion(r.entityPrefix(), r.scopeFilter(), r.kindFilter(), r.categoryFilter(),
                    r.fromSequence(), r.toSequence(), r.tagFilter());
        }

        public Region toRegion() {
            Region r = entityPrefix == null ? Region.all() : Region.entity(entityPrefix);
            if (scope != null) {
                r = r.withScope(scope);
            }
            if (kind >= 0) {
                r = r.withKind(EventKind.fromRaw(kind));
            } else if (category >= 0) {
                r = r.withCategory(category);
            }
            if (fromSequence != 0 || toSequence != Long.MAX_VALUE) {
                r = r.withSequenceRange(fromSequence, toSequence);
            }
            for (String t : tags) {
                r = r.withTag(t);
            }
            return r;
        }
    }

    /** {@link AppendOptions}. {@code expected}: -1 any, -2 no stream, -3 stream exists, else the exact sequence. */
    public record WireOptions(long expected, long[] idempotencyKey, long[] correlationId, long[] causationId,
                              int flags, List<String> tags, List<WireRegion> conditionRegions,
                              long conditionAfter, String subject) implements ClusterMessage {
        public static WireOptions of(AppendOptions o) {
            ExpectedSequence e = o.expected();
            long expected = e.equals(ExpectedSequence.ANY) ? -1 : e.equals(ExpectedSequence.NO_STREAM) ? -2
                    : e.equals(ExpectedSequence.STREAM_EXISTS) ? -3 : e.exactValue();
            AppendCondition c = o.condition();
            return new WireOptions(expected,
                    o.idempotencyKey() == null ? null : new long[] {o.idempotencyKey().msb(), o.idempotencyKey().lsb()},
                    ids(o.correlationId()), ids(o.causationId()), o.flags(), o.tags(),
                    c == null ? null : c.regions().stream().map(WireRegion::of).toList(),
                    c == null ? -1 : c.afterGlobalSequence(), o.subject());
        }

        public AppendOptions toOptions() {
            AppendOptions.Builder b = AppendOptions.builder();
            b.expect(expected == -1 ? ExpectedSequence.ANY : expected == -2 ? ExpectedSequence.NO_STREAM
                    : expected == -3 ? ExpectedSequence.STREAM_EXISTS : ExpectedSequence.exact(expected));
            if (idempotencyKey != null) {
                b.idempotencyKey(IdempotencyKey.of(idempotencyKey[0], idempotencyKey[1]));
            }
            if (correlationId != null) {
                b.correlationId(new EventId(correlationId[0], correlationId[1]));
            }
            if (causationId != null) {
                b.causationId(new EventId(causationId[0], causationId[1]));
            }
            b.flags(flags).tags(tags);
            if (conditionRegions != null) {
                b.condition(AppendCondition.noneMatchingAny(
                        conditionRegions.stream().map(WireRegion::toRegion).toList(), conditionAfter));
            }
            if (subject != null) {
                b.subject(subject);
            }
            return b.build();
        }
    }

    /** One append: the payload already encoded with its payload version (0: untyped). */
    public record WireAppend(String entity, String scope, int kind, byte[] payload, int payloadVersion,
                             WireOptions options) implements ClusterMessage {
        public AppendRequest toRequest() {
            return AppendRequest.encoded(Coordinate.of(entity, scope), EventKind.fromRaw(kind), payload,
                    payloadVersion, options.toOptions());
        }
    }

    /** {@link AppendReceipt}; the signature's key id and bytes are null for an unsigned receipt. */
    public record WireReceipt(long[] eventId, String entity, String scope, long entitySequence, long globalSequence,
                              long timestampMicros, byte[] eventHash, byte[] keyId, byte[] signature) implements ClusterMessage {
        public static WireReceipt of(AppendReceipt r) {
            ReceiptSignature s = r.signature();
            return new WireReceipt(ids(r.eventId()), r.coordinate().entity(), r.coordinate().scope(),
                    r.entitySequence(), r.globalSequence(), r.timestampMicros(), r.eventHash().toByteArray(),
                    s == null ? null : s.keyId().toByteArray(), s == null ? null : s.signature());
        }

        public AppendReceipt toReceipt() {
            return new AppendReceipt(id(eventId), Coordinate.of(entity, scope), entitySequence, globalSequence,
                    timestampMicros, Hash.of(eventHash),
                    keyId == null ? null : ReceiptSignature.of(KeyId.of(keyId), signature));
        }
    }

    /** {@link StoredEvent}, payload included (as stored: ciphertext stays ciphertext, a redacted one is empty). */
    public record WireEvent(long[] eventId, String entity, String scope, int kind, long entitySequence,
                            long globalSequence, long timestampMicros, long[] correlationId, long[] causationId,
                            int flags, int payloadVersion, byte[] prevHash, byte[] eventHash, List<String> tags,
                            byte[] payloadDigest, boolean payloadRedacted, boolean payloadEncrypted,
                            byte[] payload) implements ClusterMessage {
        public static WireEvent of(StoredEvent e) {
            return new WireEvent(ids(e.eventId()), e.coordinate().entity(), e.coordinate().scope(), e.kind().raw(),
                    e.entitySequence(), e.globalSequence(), e.timestampMicros(), ids(e.correlationId()),
                    ids(e.causationId().orElse(null)), e.flags(), e.payloadVersion(), e.prevHash().toByteArray(),
                    e.eventHash().toByteArray(), e.tags(), e.payloadDigest().toByteArray(), e.payloadRedacted(),
                    e.payloadEncrypted(), e.payload());
        }

        public StoredEvent toEvent(PayloadCodec codec) {
            return new StoredEvent(id(eventId), Coordinate.of(entity, scope), EventKind.fromRaw(kind), entitySequence,
                    globalSequence, timestampMicros, id(correlationId), id(causationId), flags, payloadVersion,
                    Hash.of(prevHash), Hash.of(eventHash), tags, Hash.of(payloadDigest), payloadRedacted,
                    payloadEncrypted, payload, codec);
        }
    }

    /** The elements of a remote stream: events taken together while the consumer was busy (at least one). */
    public record WireEvents(List<WireEvent> events) implements ClusterMessage {
    }

    public static List<WireEvent> events(List<StoredEvent> events) {
        List<WireEvent> out = new ArrayList<>(events.size());
        for (StoredEvent e : events) {
            out.add(WireEvent.of(e));
        }
        return out;
    }

    public static List<StoredEvent> toEvents(List<WireEvent> events, PayloadCodec codec) {
        List<StoredEvent> out = new ArrayList<>(events.size());
        for (WireEvent e : events) {
            out.add(e.toEvent(codec));
        }
        return out;
    }

    /**
     * An error raised on the owning node. {@code serialized} is the exception in Java serialization when it and
     * everything it holds serialize (most store errors do), so that it arrives as its own class; it is read back
     * only through a filter that admits the store's error classes and the JDK types they hold. Otherwise the
     * class name, category and message rebuild it as a {@link RemoteStoreException}.
     */
    public record WireError(String className, String category, String message, byte[] serialized) implements ClusterMessage {
        private static final ObjectInputFilter FILTER = ObjectInputFilter.Config.createFilter(
                "maxdepth=20;maxrefs=1000;maxbytes=1000000;io.batpak.**;java.lang.*;java.util.*;java.time.*;"
                        + "java.io.IOException;java.io.UncheckedIOException;java.nio.file.*;!*");

        public static WireError of(Throwable t) {
            Throwable e = t instanceof java.util.concurrent.CompletionException && t.getCause() != null
                    ? t.getCause() : t;
            String category = e instanceof StoreException s ? s.category().name()
                    : StoreException.Category.FATAL.name();
            byte[] bytes = null;
            if (e instanceof StoreException) {
                try (ByteArrayOutputStream out = new ByteArrayOutputStream();
                     ObjectOutputStream o = new ObjectOutputStream(out)) {
                    o.writeObject(e);
                    o.flush();
                    bytes = out.toByteArray();
                } catch (IOException | RuntimeException notSerializable) {
                    bytes = null;
                }
            }
            return new WireError(e.getClass().getName(), category, String.valueOf(e.getMessage()), bytes);
        }

        public StoreException toException(int partition) {
            if (serialized != null) {
                try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(serialized))) {
                    in.setObjectInputFilter(FILTER);
                    if (in.readObject() instanceof StoreException e) {
                        return e;
                    }
                } catch (IOException | ClassNotFoundException | RuntimeException unreadable) {
                    // Falls back to the class name and message below.
                }
            }
            StoreException.Category c;
            try {
                c = StoreException.Category.valueOf(category);
            } catch (IllegalArgumentException unknown) {
                c = StoreException.Category.FATAL;
            }
            return new RemoteStoreException(partition, className, c, message);
        }
    }

    static long[] ids(EventId id) {
        return id == null ? null : new long[] {id.msb(), id.lsb()};
    }

    static EventId id(long[] id) {
        return id == null ? null : new EventId(id[0], id[1]);
    }
}
