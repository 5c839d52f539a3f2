package io.batpak.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.batpak.cluster.internal.PartitionProtocol;
import io.batpak.cluster.internal.PartitionProtocol.Header;
import io.batpak.cluster.internal.Wire;
import io.batpak.cluster.internal.Wire.WireAppend;
import io.batpak.cluster.internal.Wire.WireError;
import io.batpak.cluster.internal.Wire.WireEvent;
import io.batpak.cluster.internal.Wire.WireOptions;
import io.batpak.cluster.internal.Wire.WireReceipt;
import io.batpak.cluster.internal.Wire.WireRegion;
import io.batpak.core.AppendCondition;
import io.batpak.core.AppendOptions;
import io.batpak.core.AppendReceipt;
import io.batpak.core.Coordinate;
import io.batpak.core.EventId;
import io.batpak.core.EventKind;
import io.batpak.core.ExpectedSequence;
import io.batpak.core.Hash;
import io.batpak.core.IdempotencyKey;
import io.batpak.core.PayloadCodec;
import io.batpak.core.Region;
import io.batpak.core.StoredEvent;
import io.batpak.core.error.AppendConditionFailedException;
import io.batpak.core.error.CorruptStoreException;
import io.batpak.core.error.IdempotencyConflictException;
import io.batpak.core.error.SequenceMismatchException;
import io.batpak.core.error.StoreException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.apache.pekko.stream.SourceRef;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.StreamRefs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every message of the partition protocol goes through the configured serializer (Jackson CBOR) and back. */
class ProtocolSerializationTest {
    private static ActorTestKit kit;

    @BeforeAll
    static void start() {
        kit = ActorTestKit.create("serialization", ConfigFactory.parseString(
                "pekko.actor.provider = cluster\npekko.remote.artery.canonical.port = 0\n"
                        + "pekko.remote.artery.canonical.hostname = \"127.0.0.1\"").withFallback(ConfigFactory.load()));
    }

    @AfterAll
    static void stop() {
        kit.shutdownTestKit();
    }

    private static Header header() {
        return new Header(PartitionProtocol.PROTOCOL, 12, 7);
    }

    private static WireRegion region() {
        return WireRegion.of(Region.entity("order").withScope("eu").withKind(EventKind.of(2, 3))
                .withSequenceRange(4, 90).withTag("vip").withTag("late"));
    }

    private static WireOptions options() {
        return WireOptions.of(AppendOptions.builder().expect(ExpectedSequence.exact(41))
                .idempotencyKey(IdempotencyKey.of(5, 6)).correlationId(new EventId(7, 8)).causationId(new EventId(9, 10))
                .flags(1).tags("vip").condition(AppendCondition.noneMatching(Region.tag("late"), 99)).subject("alice")
                .build());
    }

    private static WireEvent event() {
        byte[] payload = {1, 2, 3};
        return WireEvent.of(new StoredEvent(new EventId(1, 2), Coordinate.of("order:1", "eu"), EventKind.of(2, 3), 4, 5,
                6, new EventId(7, 8), new EventId(9, 10), 0, 1, Hash.blake3(new byte[] {1}), Hash.blake3(new byte[] {2}),
                List.of("vip"), Hash.blake3(payload), false, false, payload, PayloadCodec.defaultCodec()));
    }

    private static List<Object> everyMessage() {
        TestProbe<PartitionProtocol.Reply> probe = kit.createTestProbe();
        SourceRef<Wire.WireEvents> ref = Source.single(new Wire.WireEvents(List.of(event())))
                .runWith(StreamRefs.sourceRef(), kit.system());
        WireAppend append = new WireAppend("order:1", "eu", EventKind.of(2, 3).raw(), new byte[] {4, 5}, 2, options());
        WireReceipt receipt = WireReceipt.of(new AppendReceipt(new EventId(1, 2), Coordinate.of("order:1", "eu"), 3, 4,
                5, Hash.blake3(new byte[] {9})));
        return List.of(
                header(),
                new PartitionProtocol.Append(header(), List.of(new PartitionProtocol.AppendGroup(List.of(append, append)),
                        new PartitionProtocol.AppendGroup(List.of(append))), probe.ref()),
                new PartitionProtocol.AppendGroup(List.of(append)),
                new PartitionProtocol.GroupOutcome(List.of(receipt), null),
                new PartitionProtocol.GroupOutcome(null, WireError.of(new StoreException("x"))),
                new PartitionProtocol.Get(header(), new long[] {1, 2}, probe.ref()),
                new PartitionProtocol.ReadEntity(header(), "order:1", 3, 100, probe.ref()),
                new PartitionProtocol.LastEntitySequence(header(), "order:1", probe.ref()),
                new PartitionProtocol.LastGlobalSequence(header(), probe.ref()),
                new PartitionProtocol.Query(header(), region(), 17, 256, probe.ref()),
                new PartitionProtocol.Verify(header(), probe.ref()),
                new PartitionProtocol.OpenStream(header(), region(), -1, true, false, 0, 256, probe.ref()),
                new PartitionProtocol.Appended(7, List.of(new PartitionProtocol.GroupOutcome(List.of(receipt), null))),
                new PartitionProtocol.Events(7, List.of(event())),
                new PartitionProtocol.Value(7, 42),
                new PartitionProtocol.Verified(7, 99, 100, 3, 1, 4096, null),
                new PartitionProtocol.StreamOpened(7, ref),
                new PartitionProtocol.Failed(7, WireError.of(new SequenceMismatchException("order:1",
                        ExpectedSequence.exact(1), 3))),
                region(), options(), append, receipt, event(), new Wire.WireEvents(List.of(event(), event())),
                WireError.of(new StoreException("boom")));
    }

    @Test
    void everyMessageTypeRoundTripsThroughJacksonCbor() throws Exception {
        Serialization serialization = SerializationExtension.get(kit.system());
        Set<Class<?>> covered = new HashSet<>();
        for (Object message : everyMessage()) {
            var serializer = serialization.findSerializerFor(message);
            assertEquals("jackson-cbor", serializerName(serializer), message.getClass().getName());
            byte[] bytes = serialization.serialize(message).get();
            String manifest = Serializers.manifestFor(serializer, message);
            Object back = serialization.deserialize(bytes, serializer.identifier(), manifest).get();
            assertEquals(message.getClass(), back.getClass());
            // Records holding arrays compare by reference, so the second encoding is what must be identical.
            assertArrayEquals(bytes, serialization.serialize(back).get(), message.getClass().getName());
            covered.add(message.getClass());
        }
        Set<Class<?>> declared = new HashSet<>();
        for (Class<?> c : PartitionProtocol.class.getDeclaredClasses()) {
            if (c.isRecord() && ClusterMessage.class.isAssignableFrom(c)) {
                declared.add(c);
            }
        }
        for (Class<?> c : Wire.class.getDeclaredClasses()) {
            if (c.isRecord()) {
                assertTrue(ClusterMessage.class.isAssignableFrom(c), c + " travels inside messages and stream refs");
                declared.add(c);
            }
        }
        declared.removeAll(covered);
        assertEquals(Set.of(), declared, "every message type is covered");
    }

    private static String serializerName(org.apache.pekko.serialization.Serializer s) {
        String name = s.getClass().getSimpleName();
        return name.equals("JacksonCborSerializer") ? "jackson-cbor" : name;
    }

    @Test
    void wireFormsKeepEveryField() {
        Region r = Region.entity("order").withScope("eu").withKind(EventKind.of(2, 3)).withSequenceRange(4, 90)
                .withTag("vip");
        assertEquals(r, WireRegion.of(r).toRegion());
        assertEquals(Region.all(), WireRegion.of(Region.all()).toRegion());
        assertEquals(Region.scope("x").withCategory(5), WireRegion.of(Region.scope("x").withCategory(5)).toRegion());
        AppendOptions o = options().toOptions();
        assertEquals(ExpectedSequence.exact(41), o.expected());
        assertEquals(IdempotencyKey.of(5, 6), o.idempotencyKey());
        assertEquals(new EventId(7, 8), o.correlationId());
        assertEquals(new EventId(9, 10), o.causationId());
        assertEquals(List.of("vip"), o.tags());
        assertEquals(AppendCondition.noneMatching(Region.tag("late"), 99), o.condition());
        assertEquals("alice", o.subject());
        for (ExpectedSequence e : List.of(ExpectedSequence.ANY, ExpectedSequence.NO_STREAM,
                ExpectedSequence.STREAM_EXISTS, ExpectedSequence.exact(0))) {
            assertEquals(e, WireOptions.of(AppendOptions.builder().expect(e).build()).toOptions().expected());
        }
        StoredEvent e = event().toEvent(PayloadCodec.defaultCodec());
        WireEvent again = WireEvent.of(e);
        assertArrayEquals(event().payload(), again.payload());
        assertEquals(e.eventHash(), again.toEvent(PayloadCodec.defaultCodec()).eventHash());
        assertEquals(List.of("vip"), again.tags());
    }

    @Test
    void storeErrorsArriveAsTheirOwnClassOrKeepTheirCategory() {
        StoreException seq = WireError.of(new SequenceMismatchException("order:1", ExpectedSequence.exact(1), 3))
                .toException(2);
        SequenceMismatchException s = assertInstanceOf(SequenceMismatchException.class, seq);
        assertEquals(ExpectedSequence.exact(1), s.expected());
        IdempotencyConflictException idem = assertInstanceOf(IdempotencyConflictException.class,
                WireError.of(new IdempotencyConflictException(IdempotencyKey.of(1, 2), "other content")).toException(2));
        assertEquals(IdempotencyKey.of(1, 2), idem.key());
        AppendConditionFailedException cond = assertInstanceOf(AppendConditionFailedException.class,
                WireError.of(new AppendConditionFailedException(AppendCondition.noneMatching(Region.tag("t"), 3),
                        Region.tag("t"), 9, new EventId(1, 1))).toException(2));
        assertEquals(Region.tag("t"), cond.region());

        // A path does not travel: the file is the owner's anyway. The error keeps its class and category.
        StoreException corrupt = WireError.of(new CorruptStoreException(Path.of("/data/p/seg"), 64, "bad crc"))
                .toException(2);
        assertInstanceOf(CorruptStoreException.class, corrupt);
        assertEquals(StoreException.Category.CORRUPTION, corrupt.category());
        assertNull(((CorruptStoreException) corrupt).file());

        // Bytes that are not a permitted store error are never deserialized.
        WireError forged = new WireError("java.util.ArrayList", "CONFLICT", "forged",
                javaSerialized(new ArrayList<>(List.of(1, 2))));
        RemoteStoreException remote = assertInstanceOf(RemoteStoreException.class, forged.toException(4));
        assertEquals("java.util.ArrayList", remote.remoteClass());
        assertEquals(StoreException.Category.CONFLICT, remote.category());
        assertEquals(4, remote.partition());
        assertEquals(StoreException.Category.FATAL,
                new WireError("x.Y", "NOT_A_CATEGORY", "m", null).toException(1).category());
    }

    private static byte[] javaSerialized(Object o) {
        try (var out = new java.io.ByteArrayOutputStream(); var oo = new java.io.ObjectOutputStream(out)) {
            oo.writeObject(o);
            oo.flush();
            return out.toByteArray();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
