package io.batpak.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.batpak.cluster.internal.ClusterLayout;
import io.batpak.core.IoFaultHook;
import io.batpak.core.error.CorruptStoreException;
import io.batpak.core.error.InvalidConfigException;
import io.batpak.core.error.StoreException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterLayoutTest {
    @TempDir
    Path dir;

    private ClusterSettings settings(int partitions, List<Integer> owned) {
        return ClusterSettings.defaults().withDir(dir).withPartitions(partitions).withOwnedPartitions(owned);
    }

    @Test
    void thePartitionCountIsRecordedAtCreationAndAnotherCountIsRefused() throws IOException {
        ClusterLayout created = ClusterLayout.open(settings(6, List.of(1, 4)), IoFaultHook.NONE);
        assertEquals(6, created.partitions());
        Files.createDirectories(created.partitionDir(1));
        Files.createDirectories(created.partitionDir(4));
        String record = Files.readString(dir.resolve(ClusterLayout.FILE));
        assertTrue(record.startsWith("format=1\npartitions=6\nowned=1,4\ncrc32c="), record);

        PartitionCountMismatchException e = assertThrows(PartitionCountMismatchException.class,
                () -> ClusterLayout.open(settings(8, List.of(1, 4)), IoFaultHook.NONE));
        assertEquals(6, e.expected());
        assertEquals(8, e.found());
        assertEquals(record, Files.readString(dir.resolve(ClusterLayout.FILE)), "the record is unchanged");
        assertEquals(Set.of(1, 4), ClusterLayout.open(settings(6, List.of(1, 4)), IoFaultHook.NONE).owned());
    }

    @Test
    void aPartitionWithDataMustStayListedAndItsDirectoryIsNeverRecreatedEmpty() throws IOException {
        ClusterLayout created = ClusterLayout.open(settings(6, List.of(1, 4)), IoFaultHook.NONE);
        Files.createDirectories(created.partitionDir(1));
        Files.createDirectories(created.partitionDir(4));
        InvalidConfigException dropped = assertThrows(InvalidConfigException.class,
                () -> ClusterLayout.open(settings(6, List.of(1)), IoFaultHook.NONE));
        assertTrue(dropped.getMessage().contains("partition 4"), dropped.getMessage());

        // Growing is allowed: a new partition is recorded.
        assertEquals(Set.of(1, 2, 4), ClusterLayout.open(settings(6, List.of(1, 2, 4)), IoFaultHook.NONE).owned());

        Files.delete(created.partitionDir(4));
        StoreException missing = assertThrows(StoreException.class,
                () -> ClusterLayout.open(settings(6, List.of(1, 2, 4)), IoFaultHook.NONE));
        assertTrue(missing.getMessage().contains("is missing"), missing.getMessage());
        assertTrue(Files.notExists(created.partitionDir(4)));
    }

    @Test
    void aDamagedRecordOrPartitionDirectoriesWithoutOneAreRefused() throws IOException {
        ClusterLayout.open(settings(6, List.of(0)), IoFaultHook.NONE);
        Path file = dir.resolve(ClusterLayout.FILE);
        String record = Files.readString(file);
        Files.writeString(file, record.replace("partitions=6", "partitions=7"), StandardCharsets.UTF_8);
        CorruptStoreException corrupt = assertThrows(CorruptStoreException.class,
                () -> ClusterLayout.open(settings(7, List.of(0)), IoFaultHook.NONE));
        assertTrue(corrupt.reason().contains("crc32c"), corrupt.reason());

        Files.delete(file);
        Files.createDirectories(ClusterLayout.partitionDir(dir, 0));
        StoreException orphan = assertThrows(StoreException.class,
                () -> ClusterLayout.open(settings(6, List.of(0)), IoFaultHook.NONE));
        assertTrue(orphan.getMessage().contains("no " + ClusterLayout.FILE), orphan.getMessage());
        assertTrue(Files.notExists(file), "nothing was recorded");
    }

    @Test
    void aFailedWriteOfTheRecordLeavesNoRecord() {
        IoFaultHook failRename = new IoFaultHook() {
            @Override
            public void beforeRename(String from, String to) throws IOException {
                throw new IOException("injected: rename failed");
            }
        };
        StoreException e = assertThrows(StoreException.class,
                () -> ClusterLayout.open(settings(6, List.of(0)), failRename));
        assertTrue(e.getMessage().contains("injected"), e.getMessage());
        assertTrue(Files.notExists(dir.resolve(ClusterLayout.FILE)));
        assertTrue(Files.notExists(dir.resolve(ClusterLayout.FILE + ".tmp")));
        assertEquals(6, ClusterLayout.open(settings(6, List.of(0)), IoFaultHook.NONE).partitions());
    }

    @Test
    void invalidSettingsAreRefusedNamingTheSetting() {
        InvalidConfigException owned = assertThrows(InvalidConfigException.class,
                () -> ClusterSettings.defaults().withPartitions(4).withOwnedPartitions(List.of(4)));
        assertTrue(owned.getMessage().contains("batpak.cluster.owned-partitions"), owned.getMessage());
        InvalidConfigException count = assertThrows(InvalidConfigException.class,
                () -> ClusterSettings.defaults().withPartitions(0));
        assertTrue(count.getMessage().contains("batpak.cluster.partitions"), count.getMessage());
    }

    @Test
    void aNodeRestartedWithAnotherPartitionCountIsRefusedAtStart() {
        String conf = "pekko.actor.provider = cluster\npekko.remote.artery.canonical.port = 0\n"
                + "pekko.remote.artery.canonical.hostname = \"127.0.0.1\"\n"
                + "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off\n"
                + "batpak.cluster.dir = \"" + dir.toString().replace("\\", "/") + "\"\n"
                + "batpak.cluster.owned-partitions = [0, 1]\n";
        ActorSystem<?> first = ActorSystem.create(Behaviors.empty(), "layout",
                ConfigFactory.parseString(conf + "batpak.cluster.partitions = 4").withFallback(ConfigFactory.load()));
        try {
            assertEquals(4, BatpakCluster.get(first).partitions());
        } finally {
            first.terminate();
            ClusterNodes.await(first.getWhenTerminated());
        }
        ActorSystem<?> second = ActorSystem.create(Behaviors.empty(), "layout",
                ConfigFactory.parseString(conf + "batpak.cluster.partitions = 5").withFallback(ConfigFactory.load()));
        try {
            RuntimeException e = assertThrows(RuntimeException.class, () -> BatpakCluster.get(second));
            Throwable cause = e;
            while (!(cause instanceof PartitionCountMismatchException) && cause.getCause() != null) {
                cause = cause.getCause();
            }
            PartitionCountMismatchException m = assertInstanceOf(PartitionCountMismatchException.class, cause);
            assertEquals(4, m.expected());
            assertEquals(5, m.found());
        } finally {
            second.terminate();
            ClusterNodes.await(second.getWhenTerminated());
        }
    }

    @Test
    void theHashIsStableAndSpreadsEntities() {
        // Fixed values: changing the function would move every stored entity to another partition.
        assertEquals(10, Partitioning.partitionOf("order:1", 12));
        assertEquals(7, Partitioning.partitionOf("order:2", 12));
        assertEquals(0, Partitioning.partitionOf("user:42", 12));
        assertEquals(154, Partitioning.partitionOf("order:1", 1000));
        assertEquals(924, Partitioning.partitionOf("user:42", 1000));
        int[] counts = new int[8];
        for (int i = 0; i < 8000; i++) {
            counts[Partitioning.partitionOf("order:" + i, 8)]++;
        }
        for (int c : counts) {
            assertTrue(c > 850 && c < 1150, java.util.Arrays.toString(counts));
        }
        assertEquals(0, Partitioning.partitionOf("anything", 1));
        assertThrows(io.batpak.core.error.InvalidInputException.class, () -> Partitioning.partitionOf("x", 0));
    }
}
