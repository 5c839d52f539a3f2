package io.batpak.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.batpak.core.IoFaultHook;
import io.batpak.core.Region;
import io.batpak.core.StoredEvent;
import io.batpak.core.error.InvalidTagException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.BootstrapSetup;
import org.apache.pekko.actor.setup.ActorSystemSetup;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.DeleteMessagesSuccess;
import org.apache.pekko.persistence.JournalProtocol;
import org.apache.pekko.persistence.Persistence;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.journal.Tagged;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.jdk.javaapi.CollectionConverters;

/** The journal through Pekko's journal protocol, beyond what the TCK checks. */
class JournalTest {
    private static final String PID = "Order|o-1";
    private static final String WRITER = UUID.randomUUID().toString();
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private ActorSystem start(IoFaultHook faults) {
        ActorSystemSetup setup = ActorSystemSetup.create(BootstrapSetup.create(PluginSystem.config(dir)
                .withFallback(ConfigFactory.load())));
        if (faults != null) {
            setup = setup.withSetup(BatpakPersistenceSetup.create(b -> b.ioFaultHook(faults)));
        }
        return ActorSystem.create("journal-test", setup);
    }

    private static ActorRef journal(ActorSystem system) {
        return Persistence.get(system).journalFor(null, ConfigFactory.empty());
    }

    private static PersistentRepr repr(Object payload, long seqNr) {
        return PersistentRepr.apply(payload, seqNr, PID, "", false, ActorRef.noSender(), WRITER);
    }

    private static AtomicWrite atomic(PersistentRepr... events) {
        return AtomicWrite.apply(CollectionConverters.asScala(List.of(events)).toList());
    }

    /** Writes the AtomicWrites in one WriteMessages; returns the per-event replies. */
    private static List<Object> write(ActorSystem system, List<AtomicWrite> writes, int events) {
        TestKit probe = new TestKit(system);
        List<org.apache.pekko.persistence.PersistentEnvelope> envelopes = new ArrayList<>(writes);
        journal(system).tell(new JournalProtocol.WriteMessages(CollectionConverters.asScala(envelopes).toList(),
                probe.getRef(), 1), probe.getRef());
        Object first = probe.expectMsgClass(WAIT, Object.class);
        List<Object> out = new ArrayList<>();
        out.add(first);
        if (first instanceof JournalProtocol.WriteMessagesSuccessful$ || first instanceof JournalProtocol.WriteMessagesFailed) {
            for (int i = 0; i < events; i++) {
                out.add(probe.expectMsgClass(WAIT, Object.class));
            }
        }
        return out;
    }

    private static void writeSeq(ActorSystem system, long... seqNrs) {
        List<AtomicWrite> writes = new ArrayList<>();
        for (long s : seqNrs) {
            writes.add(atomic(repr("e-" + s, s)));
        }
        List<Object> replies = write(system, writes, seqNrs.length);
        assertInstanceOf(JournalProtocol.WriteMessagesSuccessful$.class, replies.get(0), replies.toString());
    }

    /** Replays and returns the sequence numbers followed by the highest one. */
    private static List<Long> replay(ActorSystem system, long from, long to, long max) {
        TestKit probe = new TestKit(system);
        journal(system).tell(new JournalProtocol.ReplayMessages(from, to, max, PID, probe.getRef()), probe.getRef());
        List<Long> out = new ArrayList<>();
        while (true) {
            Object m = probe.expectMsgClass(WAIT, Object.class);
            if (m instanceof JournalProtocol.ReplayedMessage r) {
                out.add(r.persistent().sequenceNr());
                assertEquals("e-" + r.persistent().sequenceNr(), r.persistent().payload());
            } else if (m instanceof JournalProtocol.RecoverySuccess s) {
                out.add(-s.highestSequenceNr());
                return out;
            } else {
                throw new AssertionError("unexpected " + m);
            }
        }
    }

    private static void deleteTo(ActorSystem system, long to) {
        TestKit probe = new TestKit(system);
        journal(system).tell(new JournalProtocol.DeleteMessagesTo(PID, to, probe.getRef()), probe.getRef());
        probe.expectMsg(WAIT, new DeleteMessagesSuccess(to));
    }

    @Test
    void replayFindsItsStartAcrossSequenceGapsAndDeletionMarks() {
        ActorSystem system = start(null);
        try {
            writeSeq(system, 1, 2, 5, 6, 9);
            assertEquals(List.of(5L, 6L, 9L, -9L), replay(system, 3, Long.MAX_VALUE, Long.MAX_VALUE));
            assertEquals(List.of(6L, 9L, -9L), replay(system, 6, Long.MAX_VALUE, Long.MAX_VALUE));
            assertEquals(List.of(-9L), replay(system, 10, Long.MAX_VALUE, Long.MAX_VALUE));
            assertEquals(List.of(2L, 5L, -9L), replay(system, 2, 8, 2));
            deleteTo(system, 5);
            writeSeq(system, 10, 12);
            assertEquals(List.of(6L, 9L, 10L, 12L, -12L), replay(system, 1, Long.MAX_VALUE, Long.MAX_VALUE));
            assertEquals(List.of(10L, 12L, -12L), replay(system, 10, Long.MAX_VALUE, Long.MAX_VALUE));
            assertEquals(List.of(12L, -12L), replay(system, 11, Long.MAX_VALUE, Long.MAX_VALUE));
        } finally {
            TestKit.shutdownActorSystem(system);
        }
    }

    @Test
    void deletionIsDurableAndKeepsTheHighestSequenceNumberAcrossRestarts() {
        ActorSystem system = start(null);
        try {
            writeSeq(system, 1, 2, 3, 4, 5);
            deleteTo(system, 3);
        } finally {
            TestKit.shutdownActorSystem(system);
        }
        system = start(null);
        try {
            assertEquals(List.of(4L, 5L, -5L), replay(system, 1, Long.MAX_VALUE, Long.MAX_VALUE));
            deleteTo(system, Long.MAX_VALUE);
            assertEquals(List.of(-5L), replay(system, 1, Long.MAX_VALUE, Long.MAX_VALUE));
        } finally {
            TestKit.shutdownActorSystem(system);
        }
        system = start(null);
        try {
            assertEquals(List.of(-5L), replay(system, 1, Long.MAX_VALUE, Long.MAX_VALUE));
            writeSeq(system, 6);
            assertEquals(List.of(6L, -6L), replay(system, 1, Long.MAX_VALUE, Long.MAX_VALUE));
            assertTrue(BatpakPersistence.get(system).store().verify().ok(), "the chain holds the marks");
        } finally {
            TestKit.shutdownActorSystem(system);
        }
    }

    @Test
    void compactionWithTheDeletedMessagesRuleRemovesDeletedEventsAndTheJournalStillReplaysAndWrites() {
        ActorSystem system = start(null);
        try {
            writeSeq(system, 1, 2, 3, 5, 6, 7);
            deleteTo(system, 5);
            io.batpak.actors.BatpakStore store = BatpakPersistence.get(system).store();
            String entity = BatpakPersistence.entityOf(PID);
            io.batpak.core.CompactionReport report = store.compact(io.batpak.core.CompactionPlan.ERASE_ONLY
                    .withRemoveIf(BatpakPersistence.deletedMessages(store))).toCompletableFuture().join();
            assertEquals(4, report.eventsRemoved());
            List<StoredEvent> left = store.readEntity(entity, 0, 100);
            assertEquals(3, left.size(), "events 6 and 7 and the deletion mark");
            assertEquals(BatpakPersistence.DELETION_KIND, left.get(2).kind());
            assertEquals(List.of(6L, 7L, -7L), replay(system, 1, Long.MAX_VALUE, Long.MAX_VALUE));
            assertEquals(List.of(7L, -7L), replay(system, 7, Long.MAX_VALUE, Long.MAX_VALUE));
            writeSeq(system, 8);
            assertTrue(store.verify().ok(), store.verify().toString());
        } finally {
            TestKit.shutdownActorSystem(system);
        }
        system = start(null);
        try {
            assertEquals(List.of(6L, 7L, 8L, -8L), replay(system, 1, Long.MAX_VALUE, Long.MAX_VALUE));
            deleteTo(system, Long.MAX_VALUE);
            io.batpak.actors.BatpakStore store = BatpakPersistence.get(system).store();
            store.compact(io.batpak.core.CompactionPlan.ERASE_ONLY
                    .withRemoveIf(BatpakPersistence.deletedMessages(store))).toCompletableFuture().join();
            assertEquals(List.of(-8L), replay(system, 1, Long.MAX_VALUE, Long.MAX_VALUE),
                    "the highest sequence number survives the removal of every event");
            writeSeq(system, 9);
            assertEquals(List.of(9L, -9L), replay(system, 1, Long.MAX_VALUE, Long.MAX_VALUE));
        } finally {
            TestKit.shutdownActorSystem(system);
        }
    }

    @Test
    void writesBeyondTheBatchLimitAreStoredInOrderAndAnAtomicWriteAboveItIsRejected() {
        ActorSystemSetup setup = ActorSystemSetup.create(BootstrapSetup.create(PluginSystem.config(dir)
                .withFallback(ConfigFactory.load()))).withSetup(BatpakPersistenceSetup.create(b -> b.maxBatchItems(3)));
        ActorSystem system = ActorSystem.create("journal-test", setup);
        try {
            List<Object> replies = write(system, List.of(atomic(repr("e-1", 1), repr("e-2", 2)),
                    atomic(repr("e-3", 3), repr("e-4", 4)), atomic(repr("e-5", 5)),
                    atomic(repr("e-6", 6), repr("e-7", 7), repr("e-8", 8), repr("e-9", 9))), 9);
            assertInstanceOf(JournalProtocol.WriteMessagesSuccessful$.class, replies.get(0), replies.toString());
            for (int i = 1; i <= 5; i++) {
                assertInstanceOf(JournalProtocol.WriteMessageSuccess.class, replies.get(i), "event " + i);
            }
            JournalProtocol.WriteMessageRejected tooBig = assertInstanceOf(JournalProtocol.WriteMessageRejected.class,
                    replies.get(6));
            assertTrue(tooBig.cause().getMessage().contains("max-batch-items"), tooBig.cause().getMessage());
            assertEquals(List.of(1L, 2L, 3L, 4L, 5L, -5L), replay(system, 1, Long.MAX_VALUE, Long.MAX_VALUE));
        } finally {
            TestKit.shutdownActorSystem(system);
        }
    }

    @Test
    void taggedPayloadsAreUnwrappedAndTheirTagsBecomeBatpakTags() {
        ActorSystem system = start(null);
        try {
            Object tagged = new Tagged("e-1", CollectionConverters.asScala(Set.of("blue", "a|b")).toSet());
            List<Object> replies = write(system, List.of(atomic(repr(tagged, 1))), 1);
            assertInstanceOf(JournalProtocol.WriteMessagesSuccessful$.class, replies.get(0));
            BatpakPersistence p = BatpakPersistence.get(system);
            List<StoredEvent> blue = p.store().query(Region.tag(BatpakPersistence.tagOf("a|b")), -1, 10);
            assertEquals(1, blue.size());
            assertEquals(Set.of("a%7Cb", "blue"), Set.copyOf(blue.get(0).tags()));
            assertEquals("e-1", p.persistentRepr(blue.get(0)).payload(), "the payload is stored unwrapped");
            assertEquals(BatpakPersistence.entityOf(PID), blue.get(0).coordinate().entity());
            assertEquals("Order", blue.get(0).coordinate().scope());
            assertEquals(List.of(1L, -1L), replay(system, 1, Long.MAX_VALUE, Long.MAX_VALUE));
        } finally {
            TestKit.shutdownActorSystem(system);
        }
    }

    @Test
    void anAtomicWriteWithAnInvalidTagIsRejectedAndStoresNothingWhileTheOthersAreStored() {
        ActorSystem system = start(null);
        try {
            Object badTag = new Tagged("e-2", CollectionConverters.asScala(Set.of("x".repeat(300))).toSet());
            List<Object> replies = write(system, List.of(atomic(repr("e-1", 1)), atomic(repr(badTag, 2),
                    repr("e-3", 3)), atomic(repr("e-4", 4))), 4);
            assertInstanceOf(JournalProtocol.WriteMessagesSuccessful$.class, replies.get(0));
            assertInstanceOf(JournalProtocol.WriteMessageSuccess.class, replies.get(1));
            JournalProtocol.WriteMessageRejected rejected = assertInstanceOf(
                    JournalProtocol.WriteMessageRejected.class, replies.get(2));
            assertInstanceOf(InvalidTagException.class, rejected.cause());
            assertInstanceOf(JournalProtocol.WriteMessageRejected.class, replies.get(3), "both events of it");
            assertInstanceOf(JournalProtocol.WriteMessageSuccess.class, replies.get(4));
            assertEquals(List.of(1L, 4L, -4L), replay(system, 1, Long.MAX_VALUE, Long.MAX_VALUE));
            assertEquals(1, BatpakPersistence.get(system).store().lastGlobalSequence(),
                    "two events stored, nothing of the rejected write");
        } finally {
            TestKit.shutdownActorSystem(system);
        }
    }

    @Test
    void theHighestSequenceNumberWaitsForTheIdsWriteInFlight() throws Exception {
        AtomicBoolean hold = new AtomicBoolean();
        java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        IoFaultHook faults = new IoFaultHook() {
            @Override
            public void beforeForce(String file) {
                if (hold.get() && file.endsWith(".seg")) {
                    entered.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        };
        ActorSystem system = start(faults);
        try {
            writeSeq(system, 1, 2);
            hold.set(true);
            TestKit writer = new TestKit(system);
            List<org.apache.pekko.persistence.PersistentEnvelope> third = List.of(atomic(repr("e-3", 3)));
            journal(system).tell(new JournalProtocol.WriteMessages(CollectionConverters.asScala(third).toList(),
                    writer.getRef(), 1), writer.getRef());
            assertTrue(entered.await(30, java.util.concurrent.TimeUnit.SECONDS), "the write is held in its force");
            TestKit recovering = new TestKit(system);
            journal(system).tell(new JournalProtocol.ReplayMessages(1, Long.MAX_VALUE, Long.MAX_VALUE, PID,
                    recovering.getRef()), recovering.getRef());
            // The journal handles its mailbox in order: once this later delete is answered, the replay above has
            // asked for the highest sequence number while event 3 was still in flight.
            journal(system).tell(new JournalProtocol.DeleteMessagesTo("Order|unknown", 1, recovering.getRef()),
                    recovering.getRef());
            recovering.expectMsg(WAIT, new DeleteMessagesSuccess(1));
            hold.set(false);
            release.countDown();
            writer.expectMsgClass(WAIT, JournalProtocol.WriteMessagesSuccessful$.class);
            List<Long> replayed = new ArrayList<>();
            while (true) {
                Object m = recovering.expectMsgClass(WAIT, Object.class);
                if (m instanceof JournalProtocol.ReplayedMessage r) {
                    replayed.add(r.persistent().sequenceNr());
                } else {
                    assertEquals(new JournalProtocol.RecoverySuccess(3), m, "the highest includes the write in flight");
                    break;
                }
            }
            assertEquals(List.of(1L, 2L, 3L), replayed);
        } finally {
            release.countDown();
            TestKit.shutdownActorSystem(system);
        }
    }

    @Test
    void aStorageFailureFailsTheWriteAndLosesNoAcknowledgedEvent() {
        AtomicBoolean failForces = new AtomicBoolean();
        IoFaultHook faults = new IoFaultHook() {
            @Override
            public void beforeForce(String file) throws IOException {
                if (failForces.get() && file.endsWith(".seg")) {
                    throw new IOException("injected: device error");
                }
            }
        };
        ActorSystem system = start(faults);
        try {
            writeSeq(system, 1, 2);
            failForces.set(true);
            List<Object> replies = write(system, List.of(atomic(repr("e-3", 3), repr("e-4", 4))), 2);
            assertInstanceOf(JournalProtocol.WriteMessagesFailed.class, replies.get(0), replies.toString());
            assertInstanceOf(JournalProtocol.WriteMessageFailure.class, replies.get(1));
        } finally {
            TestKit.shutdownActorSystem(system);
        }
        system = start(null);
        try {
            List<Long> recovered = replay(system, 1, Long.MAX_VALUE, Long.MAX_VALUE);
            assertEquals(List.of(1L, 2L), recovered.subList(0, 2), "the acknowledged events survive");
            assertTrue(recovered.equals(List.of(1L, 2L, -2L)) || recovered.equals(List.of(1L, 2L, 3L, 4L, -4L)),
                    "the failed atomic write is there entirely or not at all: " + recovered);
            assertTrue(BatpakPersistence.get(system).store().verify().ok());
        } finally {
            TestKit.shutdownActorSystem(system);
        }
    }
}
