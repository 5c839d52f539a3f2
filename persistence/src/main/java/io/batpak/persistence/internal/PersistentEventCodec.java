package io.batpak.persistence.internal;

import io.batpak.core.StoredEvent;
import io.batpak.persistence.CorruptJournalEventException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import scala.Option;

/**
 * The payload of a journal event (kind {@link PekkoNames#EVENT_KIND}, payload version {@value #VERSION}): a
 * {@code PersistentRepr} with its event serialized by Pekko serialization. Big-endian:
 *
 * <pre>
 *   0  u8   layout version (1)
 *   1  u8   flags: bit 0 = metadata present
 *   2  i64  Pekko sequenceNr, as the persistent actor gave it
 *  10  i64  Pekko timestamp in ms since the epoch (0 = not given: the event's commit time is used)
 *  18  i32  serializer id of the event
 *  22  str  serializer manifest          (str = u16 UTF-8 length + bytes)
 *      str  event-adapter manifest (PersistentRepr.manifest)
 *      str  writer uuid
 *      if metadata: i32 serializer id, str manifest, i32 length, bytes
 *      the serialized event, to the end
 * </pre>
 *
 * Thread-safe (Pekko's {@link Serialization} is).
 */
public final class PersistentEventCodec {
    /** The payload version stored in the frame header. */
    public static final int VERSION = 1;
    private static final int FLAG_METADATA = 1;
    private static final int FIXED = 1 + 1 + 8 + 8 + 4;
    private static final int MAX_STRING = 0xFFFF;

    private final Serialization serialization;

    public PersistentEventCodec(Serialization serialization) {
        this.serialization = serialization;
    }

    /** One serialized value: serializer id, manifest and bytes. */
    public record Serialized(int serializerId, String manifest, byte[] bytes) {
    }

    /**
     * Serializes {@code value} with the serializer Pekko binds to its class.
     *
     * @throws Exception whatever the serializer throws (the journal reports it as a rejection)
     */
    public Serialized serialize(Object value) throws Exception {
        byte[] bytes = serialization.serialize(value).get();
        Serializer serializer = serialization.findSerializerFor(value);
        return new Serialized(serializer.identifier(), Serializers.manifestFor(serializer, value), bytes);
    }

    /**
     * Encodes one event.
     *
     * @param payload the event, already unwrapped from {@code Tagged}
     * @throws Exception when the event or its metadata cannot be serialized, or a name is too long
     */
    public byte[] encode(PersistentRepr repr, Object payload) throws Exception {
        Serialized event = serialize(payload);
        Option<Object> meta = repr.metadata();
        Serialized metadata = meta.isDefined() ? serialize(meta.get()) : null;
        byte[] manifest = utf8("serializer manifest", event.manifest());
        byte[] adapter = utf8("event-adapter manifest", repr.manifest());
        byte[] writer = utf8("writer uuid", repr.writerUuid());
        int size = FIXED + 2 + manifest.length + 2 + adapter.length + 2 + writer.length + event.bytes().length;
        byte[] metaManifest = null;
        if (metadata != null) {
            metaManifest = utf8("metadata manifest", metadata.manifest());
            size += 4 + 2 + metaManifest.length + 4 + metadata.bytes().length;
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        out.put((byte) VERSION).put((byte) (metadata != null ? FLAG_METADATA : 0));
        out.putLong(repr.sequenceNr()).putLong(repr.timestamp()).putInt(event.serializerId());
        putString(out, manifest);
        putString(out, adapter);
        putString(out, writer);
        if (metadata != null) {
            out.putInt(metadata.serializerId());
            putString(out, metaManifest);
            out.putInt(metadata.bytes().length).put(metadata.bytes());
        }
        out.put(event.bytes());
        return out.array();
    }

    /** The Pekko sequence number of a stored journal event, read without deserializing anything. */
    public static long sequenceNr(StoredEvent stored) {
        byte[] payload = stored.payload();
        if (payload.length < FIXED || (payload[0] & 0xFF) != VERSION) {
            throw damaged(stored, payload.length < FIXED ? "truncated header" : "unknown layout version "
                    + (payload[0] & 0xFF));
        }
        return ByteBuffer.wrap(payload).getLong(2);
    }

    /**
     * Decodes a stored journal event into the {@code PersistentRepr} the persistent actor wrote.
     *
     * @throws CorruptJournalEventException when the layout is damaged or of an unknown version
     * @throws RuntimeException whatever the event's serializer throws
     */
    public PersistentRepr decode(StoredEvent stored) {
        Decoded d = decodeParts(stored);
        PersistentRepr repr = PersistentRepr.apply(d.event, d.sequenceNr, d.persistenceId, d.adapterManifest, false,
                ActorRef.noSender(), d.writerUuid).withTimestamp(d.timestamp);
        return d.metadata.isPresent() ? repr.withMetadata(d.metadata.get()) : repr;
    }

    /** A decoded journal event. */
    public record Decoded(String persistenceId, long sequenceNr, long timestamp, Object event,
                          String adapterManifest, String writerUuid, Optional<Object> metadata) {
    }

    /** Decodes a stored journal event into its parts. */
    public Decoded decodeParts(StoredEvent stored) {
        byte[] payload = stored.payload();
        ByteBuffer in = ByteBuffer.wrap(payload);
        try {
            int version = in.get() & 0xFF;
            if (version != VERSION) {
                throw damaged(stored, "unknown journal event layout version " + version);
            }
            int flags = in.get() & 0xFF;
            long sequenceNr = in.getLong();
            long timestamp = in.getLong();
            if (timestamp == 0) {
                timestamp = stored.timestampMicros() / 1000;
            }
            int serializerId = in.getInt();
            String manifest = getString(in);
            String adapter = getString(in);
            String writer = getString(in);
            Optional<Object> metadata = Optional.empty();
            if ((flags & FLAG_METADATA) != 0) {
                int metaId = in.getInt();
                String metaManifest = getString(in);
                byte[] metaBytes = new byte[in.getInt()];
                in.get(metaBytes);
                metadata = Optional.of(serialization.deserialize(metaBytes, metaId, metaManifest).get());
            }
            byte[] bytes = new byte[in.remaining()];
            in.get(bytes);
            Object event = serialization.deserialize(bytes, serializerId, manifest).get();
            return new Decoded(PekkoNames.persistenceId(stored.coordinate().entity()), sequenceNr, timestamp, event,
                    adapter, writer, metadata);
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw damaged(stored, "truncated journal event: " + e);
        }
    }

    private static CorruptJournalEventException damaged(StoredEvent stored, String why) {
        return new CorruptJournalEventException(stored.eventId(), stored.globalSequence(), why);
    }

    private static byte[] utf8(String what, String s) {
        byte[] b = (s == null ? "" : s).getBytes(StandardCharsets.UTF_8);
        if (b.length > MAX_STRING) {
            throw new IllegalArgumentException(what + " is " + b.length + " UTF-8 bytes, more than " + MAX_STRING);
        }
        return b;
    }

    private static void putString(ByteBuffer out, byte[] b) {
        out.putShort((short) b.length).put(b);
    }

    private static String getString(ByteBuffer in) {
        byte[] b = new byte[in.getShort() & 0xFFFF];
        in.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }
}
