package io.batpak.cluster;

import io.batpak.actors.BatpakStore;
import io.batpak.actors.BatpakStores;
import io.batpak.cluster.internal.ClusterCheckpointFile;
import io.batpak.cluster.internal.ClusterLayout;
import io.batpak.cluster.internal.OwnershipActor;
import io.batpak.cluster.internal.OwnershipDirectory;
import io.batpak.cluster.internal.PartitionAllocationStrategy;
import io.batpak.cluster.internal.PartitionEntity;
import io.batpak.cluster.internal.PartitionProtocol;
import io.batpak.cluster.internal.PartitionProtocol.Command;
import io.batpak.cluster.internal.PartitionProtocol.Header;
import io.batpak.cluster.internal.PartitionProtocol.Reply;
import io.batpak.cluster.internal.Wire;
import io.batpak.cluster.internal.Wire.WireAppend;
import io.batpak.cluster.internal.Wire.WireEvent;
import io.batpak.cluster.internal.Wire.WireOptions;
import io.batpak.cluster.internal.Wire.WireRegion;
import io.batpak.core.AppendOptions;
import io.batpak.core.AppendReceipt;
import io.batpak.core.AppendRequest;
import io.batpak.core.Coordinate;
import io.batpak.core.EncodedEvent;
import io.batpak.core.EventId;
import io.batpak.core.EventKind;
import io.batpak.core.EventTypeRegistry;
import io.batpak.core.IoFaultHook;
import io.batpak.core.PayloadCodec;
import io.batpak.core.Region;
import io.batpak.core.StoreConfig;
import io.batpak.core.StoredEvent;
import io.batpak.core.VerifyReport;
import io.batpak.core.error.InvalidAppendException;
import io.batpak.core.error.InvalidInputException;
import io.batpak.core.error.StoreException;
import io.batpak.streams.BatpakStreams;
import io.batpak.streams.CursorSettings;
import io.batpak.streams.SubscriptionSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.ShardingMessageExtractor;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.event.Logging;
import org.apache.pekko.pattern.AskTimeoutException;
import org.apache.pekko.stream.RestartSettings;
import org.apache.pekko.stream.javadsl.RestartSource;
import org.apache.pekko.stream.javadsl.Source;

/**
 * A batpak store split into partitions across the nodes of a Pekko Cluster; one instance per ActorSystem
 * ({@link #get}), on every node.
 *
 * <h2>Model</h2>
 * The store has {@link #partitions()} partitions, fixed when it is first created ({@code batpak.cluster.partitions},
 * recorded in each node's directory; a different value is refused with {@link PartitionCountMismatchException}).
 * An entity belongs to partition {@link Partitioning#partitionOf}. Each partition is an ordinary batpak store
 * directory on the node that owns it ({@code batpak.cluster.owned-partitions}); Cluster Sharding places each
 * partition's entity on that node only, never on another node's empty directory.
 *
 * <h2>Writes</h2>
 * {@link #append} and {@link #appendBatch} have the semantics of {@link BatpakStore}'s methods of the same name
 * within the entity's partition: a receipt arrives only once the event is durable on the owner's disk (under its
 * sync mode); per-entity sequences, hash chains, expected sequences, idempotency keys and gates are those of the
 * partition's store, and each partition keeps its own gap-free global sequence. An atomic batch and an append
 * condition hold within one partition: a batch naming entities of two partitions is refused with
 * {@link CrossPartitionBatchException} before anything is sent, and a condition sees only its partition's events.
 * Requests for a partition of this node go straight to the local store; others travel to the owner over Artery.
 * While a partition's owner is not an up, reachable member, requests for it fail at once with
 * {@link PartitionUnavailableException} (nothing sent); a request whose answer does not come within
 * {@code batpak.cluster.request-timeout} fails with the same exception marked {@linkplain
 * PartitionUnavailableException#outcomeUnknown() outcome unknown}. Other errors arrive as the store's typed
 * exceptions (or {@link RemoteStoreException} when one cannot travel).
 *
 * <h2>Reads and streams</h2>
 * Reads have the semantics of {@link io.batpak.core.StoreReader} on the owning partition. Remote streams travel as
 * Pekko StreamRefs: {@link #cursor(int, Region, long)} is a guaranteed cursor of one partition that resumes after its
 * last delivered event when its ref fails (owner restart, network), without a gap or a duplicate;
 * {@link #cursor(Region, ClusterPosition)} merges every partition's cursor and tags each event with the position
 * vector after it; {@link #committableCursor} keeps that vector in a durable checkpoint on this node;
 * {@link #subscribe} is a lossy live subscription of every partition.
 *
 * <p>Thread-safe. Stores of this node close in the system's CoordinatedShutdown, after sharding has stopped.
 */
public final class BatpakCluster implements Extension {
    private static final ExtensionId<BatpakCluster> ID = new ExtensionId<>() {
        @Override
        public BatpakCluster createExtension(ActorSystem<?> system) {
            return new BatpakCluster(system);
        }
    };

    private final ActorSystem<?> system;
    private final ClusterSettings settings;
    private final ClusterLayout layout;
    private final Map<Integer, BatpakStore> local;
    private final PayloadCodec codec;
    private final EventTypeRegistry eventTypes;
    private final OwnershipDirectory directory;
    private final Cluster cluster;
    private final ClusterSharding sharding;
    private final EntityTypeKey<Command> typeKey;
    private final Address selfAddress;
    private final java.util.concurrent.ConcurrentHashMap<Integer, RemoteAppender> appenders =
            new java.util.concurrent.ConcurrentHashMap<>();

    private BatpakCluster(ActorSystem<?> system) {
        this.system = system;
        this.settings = ClusterSettings.create(system);
        this.layout = ClusterLayout.open(settings, IoFaultHook.NONE);
        this.local = Collections.unmodifiableMap(openLocal(system, layout));
        StoreConfig clientConfig = BatpakStores.get(system).configBuilder(settings.dir()).build();
        this.codec = clientConfig.codec();
        this.eventTypes = clientConfig.eventTypes();
        this.cluster = Cluster.get(system);
        this.selfAddress = cluster.selfMember().address();
        this.directory = new OwnershipDirectory(layout.partitions());
        directory.announceLocal(selfAddress, layout.owned());
        system.systemActorOf(OwnershipActor.create(directory, layout.owned()), "batpak-cluster-ownership",
                Props.empty());
        this.typeKey = EntityTypeKey.create(Command.class, settings.entityType());
        this.sharding = ClusterSharding.get(system);
        int partitions = layout.partitions();
        Entity<Command, ShardingEnvelope<Command>> entity = Entity.of(typeKey,
                        ctx -> PartitionEntity.create(Integer.parseInt(ctx.getEntityId()), partitions, local::get))
                .withMessageExtractor(new PartitionExtractor())
                .withAllocationStrategy(new PartitionAllocationStrategy(directory, selfAddress))
                .withSettings(ClusterShardingSettings.create(system).withNoPassivationStrategy());
        if (!settings.role().isEmpty()) {
            entity = entity.withRole(settings.role());
        }
        sharding.init(entity);
    }

    private static Map<Integer, BatpakStore> openLocal(ActorSystem<?> system, ClusterLayout layout) {
        Map<Integer, BatpakStore> stores = new TreeMap<>();
        try {
            for (int p : layout.owned()) {
                stores.put(p, BatpakStores.get(system).open(layout.partitionDir(p)));
            }
        } catch (RuntimeException e) {
            for (BatpakStore s : stores.values()) {
                try {
                    s.close();
                } catch (RuntimeException closing) {
                    e.addSuppressed(closing);
                }
            }
            throw e;
        }
        return stores;
    }

    /** One shard, and one entity, per partition: the entity id is the partition number. */
    private static final class PartitionExtractor extends ShardingMessageExtractor<ShardingEnvelope<Command>, Command> {
        @Override
        public String entityId(ShardingEnvelope<Command> envelope) {
            return envelope.entityId();
        }

        @Override
        public String shardId(String entityId) {
            return entityId;
        }

        @Override
        public Command unwrapMessage(ShardingEnvelope<Command> envelope) {
            return envelope.message();
        }
    }

    /**
     * The extension of {@code system}, created on first use: it opens this node's partitions, announces them and
     * starts the partitions' sharding.
     *
     * @throws PartitionCountMismatchException when the node's directory recorded another partition count
     * @throws io.batpak.core.error.InvalidConfigException when a setting is invalid, or a partition with data here
     *         is not in {@code owned-partitions}
     * @throws StoreException when a partition's store cannot be opened
     */
    public static BatpakCluster get(ActorSystem<?> system) {
        InvalidInputException.requireArgument(system, "system");
        return ID.apply(system);
    }

    /**
     * A sharded entity type whose entities run on the node owning their partition, for
     * {@code EventSourcedBehavior}s that persist through the batpak journal in cluster mode
     * ({@link ClusterJournalStores}): the entity with id {@code id} must use the persistence id
     * {@code PersistenceId.of(typeKey.name(), id)}, whose batpak entity then decides its shard (the partition
     * number) and so its node. Its writes and replays stay local. Pass the result to {@code ClusterSharding.init}
     * on every node, after configuring passivation, role or stop message as usual.
     */
    public <M> Entity<M, ShardingEnvelope<M>> persistentEntity(EntityTypeKey<M> typeKey,
            org.apache.pekko.japi.function.Function<org.apache.pekko.cluster.sharding.typed.javadsl.EntityContext<M>,
                    org.apache.pekko.actor.typed.Behavior<M>> create) {
        InvalidInputException.requireArgument(typeKey, "typeKey");
        InvalidInputException.requireArgument(create, "create");
        int partitions = partitions();
        String type = typeKey.name();
        Entity<M, ShardingEnvelope<M>> entity = Entity.of(typeKey, create)
                .withMessageExtractor(new ShardingMessageExtractor<ShardingEnvelope<M>, M>() {
                    @Override
                    public String entityId(ShardingEnvelope<M> envelope) {
                        return envelope.entityId();
                    }

                    @Override
                    public String shardId(String entityId) {
                        String persistenceId = org.apache.pekko.persistence.typed.PersistenceId.of(type, entityId).id();
                        return String.valueOf(Partitioning.partitionOf(
                                io.batpak.persistence.BatpakPersistence.entityOf(persistenceId), partitions));
                    }

                    @Override
                    public M unwrapMessage(ShardingEnvelope<M> envelope) {
                        return envelope.message();
                    }
                })
                .withAllocationStrategy(new PartitionAllocationStrategy(directory, selfAddress));
        return settings.role().isEmpty() ? entity : entity.withRole(settings.role());
    }

    public ClusterSettings settings() {
        return settings;
    }

    /** The partition count P. */
    public int partitions() {
        return layout.partitions();
    }

    /** The partition of {@code entity}: {@link Partitioning#partitionOf(String, int)} with this store's count. */
    public int partitionOf(String entity) {
        return Partitioning.partitionOf(entity, layout.partitions());
    }

    /** The partitions whose data this node holds. */
    public SortedSet<Integer> localPartitions() {
        return layout.owned();
    }

    /** The store of {@code partition} when this node holds it. */
    public Optional<BatpakStore> localStore(int partition) {
        return Optional.ofNullable(local.get(partition));
    }

    /** The node that announced it holds {@code partition}, if any has. */
    public Optional<Address> ownerOf(int partition) {
        checkPartition(partition);
        return directory.owner(partition);
    }

    /** Whether requests for {@code partition} would be sent now (its owner is known, up and reachable). */
    public boolean available(int partition) {
        checkPartition(partition);
        return unavailableBecause(partition) == null;
    }

    /**
     * Completes once every partition is {@linkplain #available available}, checking every {@code poll}; fails
     * with {@link PartitionUnavailableException} naming the first missing partition after {@code timeout}.
     */
    public CompletionStage<Done> whenAllAvailable(Duration timeout) {
        CompletableFuture<Done> done = new CompletableFuture<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        pollAvailable(done, deadline);
        return done;
    }

    private void pollAvailable(CompletableFuture<Done> done, long deadline) {
        for (int p = 0; p < partitions(); p++) {
            String why = unavailableBecause(p);
            if (why != null) {
                if (System.nanoTime() > deadline) {
                    done.completeExceptionally(new PartitionUnavailableException(p, why, false));
                } else {
                    system.scheduler().scheduleOnce(settings.resumeMinBackoff(),
                            () -> pollAvailable(done, deadline), system.executionContext());
                }
                return;
            }
        }
        done.complete(Done.getInstance());
    }

    // ---------------------------------------------------------------- writes

    /** {@link BatpakStore#append(AppendRequest)} on the entity's partition. */
    public CompletionStage<AppendReceipt> append(AppendRequest request) {
        if (request == null) {
            return CompletableFuture.failedFuture(new InvalidAppendException("request must not be null"));
        }
        return appendBatch(List.of(request)).thenApply(r -> r.get(0));
    }

    /** {@link BatpakStore#append(Coordinate, EventKind, Object)} on the entity's partition. */
    public CompletionStage<AppendReceipt> append(Coordinate coordinate, EventKind kind, Object payload) {
        return append(coordinate, kind, payload, AppendOptions.DEFAULT);
    }

    /** {@link BatpakStore#append(Coordinate, EventKind, Object, AppendOptions)} on the entity's partition. */
    public CompletionStage<AppendReceipt> append(Coordinate coordinate, EventKind kind, Object payload,
                                                 AppendOptions options) {
        try {
            return append(AppendRequest.of(coordinate, kind, payload, options));
        } catch (StoreException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** {@link BatpakStore#appendTyped(Coordinate, Object)} on the entity's partition. */
    public CompletionStage<AppendReceipt> appendTyped(Coordinate coordinate, Object event) {
        return appendTyped(coordinate, event, AppendOptions.DEFAULT);
    }

    /** {@link BatpakStore#appendTyped(Coordinate, Object, AppendOptions)} on the entity's partition. */
    public CompletionStage<AppendReceipt> appendTyped(Coordinate coordinate, Object event, AppendOptions options) {
        try {
            return append(AppendRequest.typed(coordinate, event, options));
        } catch (StoreException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * {@link BatpakStore#appendBatch(List)} on the partition of every item's entity: all stored or none.
     * Fails with {@link CrossPartitionBatchException} (nothing sent) when the items' entities are in more than one
     * partition.
     */
    public CompletionStage<List<AppendReceipt>> appendBatch(List<AppendRequest> requests) {
        int partition;
        try {
            partition = partitionOfBatch(requests);
        } catch (StoreException e) {
            return CompletableFuture.failedFuture(e);
        }
        BatpakStore store = local.get(partition);
        if (store != null) {
            return requests.size() == 1 ? store.append(requests.get(0)).thenApply(List::of)
                    : store.appendBatch(requests);
        }
        List<WireAppend> items = new ArrayList<>(requests.size());
        try {
            for (AppendRequest r : requests) {
                items.add(toWire(r));
            }
        } catch (StoreException e) {
            return CompletableFuture.failedFuture(e);
        }
        return appenders.computeIfAbsent(partition, RemoteAppender::new).submit(items);
    }

    /**
     * The appends of this node to one remote partition. One request is in flight at a time; appends made meanwhile
     * queue and leave together in the next one (up to {@code remote-append-batch} groups), each group still atomic
     * with its own outcome. So appends keep the order in which they were made, and many concurrent appends cost one
     * round trip instead of one each.
     */
    private final class RemoteAppender {
        private final int partition;
        private final java.util.ArrayDeque<Pending> queue = new java.util.ArrayDeque<>();
        private boolean inFlight;

        private record Pending(List<WireAppend> items, CompletableFuture<List<AppendReceipt>> result) {
        }

        RemoteAppender(int partition) {
            this.partition = partition;
        }

        CompletionStage<List<AppendReceipt>> submit(List<WireAppend> items) {
            CompletableFuture<List<AppendReceipt>> result = new CompletableFuture<>();
            List<Pending> send = null;
            synchronized (this) {
                queue.add(new Pending(items, result));
                if (!inFlight) {
                    inFlight = true;
                    send = drain();
                }
            }
            if (send != null) {
                send(send);
            }
            return result;
        }

        /** Takes the next request's groups. Holding the lock. */
        private List<Pending> drain() {
            List<Pending> out = new ArrayList<>(Math.min(queue.size(), settings.remoteAppendBatch()));
            while (!queue.isEmpty() && out.size() < settings.remoteAppendBatch()) {
                out.add(queue.poll());
            }
            return out;
        }

        private void send(List<Pending> batch) {
            List<PartitionProtocol.AppendGroup> groups = new ArrayList<>(batch.size());
            for (Pending p : batch) {
                groups.add(new PartitionProtocol.AppendGroup(p.items()));
            }
            ask(partition, (h, replyTo) -> new PartitionProtocol.Append(h, groups, replyTo),
                    PartitionProtocol.Appended.class, PartitionProtocol.Appended::outcomes)
                    .whenComplete((outcomes, e) -> {
                        settle(batch, outcomes, e);
                        List<Pending> next;
                        synchronized (this) {
                            next = queue.isEmpty() ? null : drain();
                            inFlight = next != null;
                        }
                        if (next != null) {
                            send(next);
                        }
                    });
        }

        private void settle(List<Pending> batch, List<PartitionProtocol.GroupOutcome> outcomes, Throwable failure) {
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            for (int i = 0; i < batch.size(); i++) {
                CompletableFuture<List<AppendReceipt>> result = batch.get(i).result();
                if (cause != null) {
                    result.completeExceptionally(cause);
                } else if (outcomes.size() != batch.size()) {
                    result.completeExceptionally(new StoreException("partition " + partition + " answered "
                            + outcomes.size() + " outcomes for " + batch.size() + " append groups"));
                } else if (outcomes.get(i).error() != null) {
                    result.completeExceptionally(outcomes.get(i).error().toException(partition));
                } else {
                    List<AppendReceipt> receipts = new ArrayList<>(outcomes.get(i).receipts().size());
                    for (Wire.WireReceipt w : outcomes.get(i).receipts()) {
                        receipts.add(w.toReceipt());
                    }
                    result.complete(receipts);
                }
            }
        }
    }

    private int partitionOfBatch(List<AppendRequest> requests) {
        if (requests == null || requests.isEmpty()) {
            throw new InvalidAppendException("a batch needs at least one item");
        }
        int partition = -1;
        String first = null;
        for (int i = 0; i < requests.size(); i++) {
            AppendRequest r = requests.get(i);
            if (r == null) {
                throw new InvalidAppendException("batch item " + i + " is null");
            }
            String entity = r.coordinate().entity();
            int p = partitionOf(entity);
            if (partition < 0) {
                partition = p;
                first = entity;
            } else if (p != partition) {
                throw new CrossPartitionBatchException(first, partition, entity, p);
            }
        }
        return partition;
    }

    /** Encodes a request here, as the owner's store would, so that only plain data travels. */
    private WireAppend toWire(AppendRequest r) {
        Object payload = r.payload();
        byte[] bytes;
        int version = 0;
        if (r.typed()) {
            EventTypeRegistry.Registration type = eventTypes.register(payload.getClass());
            if (!type.kind().equals(r.kind())) {
                throw new InvalidAppendException("typed payload " + type.type().getName() + " is event kind "
                        + type.kind() + ", the request names kind " + r.kind());
            }
            version = type.version();
            bytes = codec.encode(payload);
        } else if (payload instanceof byte[] raw) {
            bytes = raw.clone();
        } else if (payload instanceof EncodedEvent encoded) {
            bytes = encoded.payload().clone();
            version = encoded.payloadVersion();
        } else {
            bytes = codec.encode(payload);
        }
        return new WireAppend(r.coordinate().entity(), r.coordinate().scope(), r.kind().raw(), bytes, version,
                WireOptions.of(r.options()));
    }

    // ---------------------------------------------------------------- reads

    /**
     * The event with {@code eventId}, looked up in every partition (an id does not name its partition). Fails
     * with {@link PartitionUnavailableException} when it is in no available partition and some partition is
     * unavailable (it may be there).
     */
    public CompletionStage<Optional<StoredEvent>> get(EventId eventId) {
        if (eventId == null) {
            return CompletableFuture.failedFuture(new InvalidInputException("eventId", "must not be null"));
        }
        List<CompletableFuture<List<StoredEvent>>> lookups = new ArrayList<>();
        for (int p = 0; p < partitions(); p++) {
            final int partition = p;
            BatpakStore store = local.get(p);
            lookups.add(store != null
                    ? CompletableFuture.completedFuture(store.get(eventId).map(List::of).orElse(List.of()))
                    : ask(partition, (h, replyTo) -> new PartitionProtocol.Get(h,
                            new long[] {eventId.msb(), eventId.lsb()}, replyTo),
                    PartitionProtocol.Events.class, e -> Wire.toEvents(e.events(), codec)).toCompletableFuture());
        }
        return CompletableFuture.allOf(lookups.toArray(CompletableFuture[]::new)).handle((v, e) -> {
            Throwable failure = null;
            for (CompletableFuture<List<StoredEvent>> f : lookups) {
                try {
                    List<StoredEvent> found = f.join();
                    if (!found.isEmpty()) {
                        return Optional.of(found.get(0));
                    }
                } catch (CompletionException failed) {
                    failure = failure == null ? failed.getCause() : failure;
                }
            }
            if (failure != null) {
                throw new CompletionException(failure);
            }
            return Optional.<StoredEvent>empty();
        });
    }

    /** {@link io.batpak.core.StoreReader#readEntity} on the entity's partition. */
    public CompletionStage<List<StoredEvent>> readEntity(String entity, long fromSequence, int max) {
        if (entity == null) {
            return CompletableFuture.failedFuture(new InvalidInputException("entity", "must not be null"));
        }
        int p = partitionOf(entity);
        BatpakStore store = local.get(p);
        if (store != null) {
            return supplyLocal(() -> store.readEntity(entity, fromSequence, max));
        }
        return ask(p, (h, replyTo) -> new PartitionProtocol.ReadEntity(h, entity, fromSequence, max, replyTo),
                PartitionProtocol.Events.class, e -> Wire.toEvents(e.events(), codec));
    }

    /** {@link io.batpak.core.StoreReader#lastEntitySequence} on the entity's partition (-1: no event). */
    public CompletionStage<Long> lastEntitySequence(String entity) {
        if (entity == null) {
            return CompletableFuture.failedFuture(new InvalidInputException("entity", "must not be null"));
        }
        int p = partitionOf(entity);
        BatpakStore store = local.get(p);
        if (store != null) {
            return supplyLocal(() -> store.lastEntitySequence(entity));
        }
        return ask(p, (h, replyTo) -> new PartitionProtocol.LastEntitySequence(h, entity, replyTo),
                PartitionProtocol.Value.class, PartitionProtocol.Value::value);
    }

    /** The global sequence of {@code partition}'s last event (-1: none). */
    public CompletionStage<Long> lastGlobalSequence(int partition) {
        checkPartition(partition);
        BatpakStore store = local.get(partition);
        if (store != null) {
            return CompletableFuture.completedFuture(store.lastGlobalSequence());
        }
        return ask(partition, PartitionProtocol.LastGlobalSequence::new, PartitionProtocol.Value.class,
                PartitionProtocol.Value::value);
    }

    /** The position of the last event of every partition. */
    public CompletionStage<ClusterPosition> head() {
        List<CompletableFuture<Long>> heads = new ArrayList<>();
        for (int p = 0; p < partitions(); p++) {
            heads.add(lastGlobalSequence(p).toCompletableFuture());
        }
        return CompletableFuture.allOf(heads.toArray(CompletableFuture[]::new)).thenApply(v -> {
            long[] out = new long[heads.size()];
            for (int p = 0; p < out.length; p++) {
                out[p] = heads.get(p).join();
            }
            return ClusterPosition.of(out);
        });
    }

    /** {@link io.batpak.core.StoreReader#query} on one partition. */
    public CompletionStage<List<StoredEvent>> query(int partition, Region region, long afterGlobalSequence, int limit) {
        checkPartition(partition);
        if (region == null) {
            return CompletableFuture.failedFuture(new InvalidInputException("region", "must not be null"));
        }
        BatpakStore store = local.get(partition);
        if (store != null) {
            return supplyLocal(() -> store.query(region, afterGlobalSequence, limit));
        }
        WireRegion wire = WireRegion.of(region);
        return ask(partition, (h, replyTo) -> new PartitionProtocol.Query(h, wire, afterGlobalSequence, limit, replyTo),
                PartitionProtocol.Events.class, e -> Wire.toEvents(e.events(), codec));
    }

    /**
     * The events of {@code region} after {@code after} in every partition, at most {@code limit} in all: each
     * partition's events in its global order, partitions interleaved by commit timestamp. Each event carries the
     * position after it, so the last one's position is where the next query starts.
     */
    public CompletionStage<List<ClusterEvent>> query(Region region, ClusterPosition after, int limit) {
        if (region == null || after == null) {
            return CompletableFuture.failedFuture(new InvalidInputException("region/after", "must not be null"));
        }
        if (after.partitions() != partitions()) {
            return CompletableFuture.failedFuture(new PartitionCountMismatchException("the position", partitions(),
                    after.partitions()));
        }
        if (limit < 1) {
            return CompletableFuture.failedFuture(new InvalidInputException("limit", "must be at least 1, was " + limit));
        }
        List<CompletableFuture<List<StoredEvent>>> parts = new ArrayList<>();
        for (int p = 0; p < partitions(); p++) {
            parts.add(query(p, region, after.get(p), limit).toCompletableFuture());
        }
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(v -> {
            int[] next = new int[parts.size()];
            long[] position = after.toArray();
            List<ClusterEvent> out = new ArrayList<>();
            while (out.size() < limit) {
                int best = -1;
                for (int p = 0; p < next.length; p++) {
                    List<StoredEvent> l = parts.get(p).join();
                    if (next[p] < l.size() && (best < 0 || l.get(next[p]).timestampMicros()
                            < parts.get(best).join().get(next[best]).timestampMicros())) {
                        best = p;
                    }
                }
                if (best < 0) {
                    break;
                }
                StoredEvent e = parts.get(best).join().get(next[best]++);
                position[best] = e.globalSequence();
                out.add(new ClusterEvent(best, e, ClusterPosition.of(position)));
            }
            return out;
        });
    }

    /** Verifies {@code partition}'s store on its owner ({@link io.batpak.core.StoreReader#verify()}). */
    public CompletionStage<PartitionVerification> verify(int partition) {
        checkPartition(partition);
        BatpakStore store = local.get(partition);
        if (store != null) {
            return supplyLocal(() -> {
                VerifyReport r = store.verify();
                return new PartitionVerification(partition, r.throughGlobalSequence(), r.events(), r.entities(),
                        r.segments(), r.bytes(), r.breakage().map(Object::toString).orElse(null));
            });
        }
        return ask(partition, PartitionProtocol.Verify::new, PartitionProtocol.Verified.class,
                v -> new PartitionVerification(partition, v.throughGlobalSequence(), v.events(), v.entities(),
                        v.segments(), v.bytes(), v.breakage()));
    }

    // ---------------------------------------------------------------- streams

    /**
     * A guaranteed live cursor of one partition: every event of {@code region} after {@code afterGlobalSequence}
     * ({@code -1}: from the first), in the partition's global order, each exactly once, then live appends. On
     * this node it is {@link BatpakStreams#cursor}; from another node it travels as a StreamRef, and when the ref
     * fails (the owner restarts, the network breaks, the owner is unavailable) it is opened again after the last
     * event it delivered, with backoff ({@code batpak.cluster.resume}), so the consumer sees no gap and no
     * duplicate. It fails on an error that a retry cannot fix (a bad region, corruption).
     */
    public Source<StoredEvent, NotUsed> cursor(int partition, Region region, long afterGlobalSequence) {
        return partitionStream(partition, region, afterGlobalSequence, true);
    }

    /**
     * {@link #cursor(int, Region, long)} up to the partition's head when the stream reaches it, then completes
     * (a finite replay; remote replays resume the same way).
     */
    public Source<StoredEvent, NotUsed> replay(int partition, Region region, long afterGlobalSequence) {
        return partitionStream(partition, region, afterGlobalSequence, false);
    }

    /**
     * A guaranteed live cursor of the whole cluster store: each partition's {@link #cursor(int, Region, long)}
     * after its position in {@code after}, merged. Each partition's events stay in their order; partitions
     * interleave as their events arrive. Every element carries the position vector after it.
     */
    public Source<ClusterEvent, NotUsed> cursor(Region region, ClusterPosition after) {
        return merged(region, after, true);
    }

    /** {@link #cursor(Region, ClusterPosition)} that completes once every partition reached its head. */
    public Source<ClusterEvent, NotUsed> replay(Region region, ClusterPosition after) {
        return merged(region, after, false);
    }

    /**
     * {@link #cursor(Region, ClusterPosition)} resuming after the position vector last committed with
     * {@link #commit} under {@code checkpointId} on this node (from the beginning when there is none). Delivery is
     * at least once across restarts: events after the last commit are delivered again.
     *
     * @throws io.batpak.core.error.InvalidCheckpointIdException when the id is not valid
     * @throws io.batpak.core.error.CheckpointRegionMismatchException when it was committed for another region
     * @throws io.batpak.core.error.CorruptCheckpointException when the checkpoint is damaged
     */
    public Source<ClusterEvent, NotUsed> committableCursor(Region region, String checkpointId) {
        InvalidInputException.requireArgument(region, "region");
        Path file = ClusterCheckpointFile.file(settings.dir(), checkpointId);
        ClusterPosition from = ClusterCheckpointFile.load(file, region, partitions())
                .orElse(ClusterPosition.start(partitions()));
        return cursor(region, from);
    }

    /** The position last committed under {@code checkpointId} for {@code region}, if any. */
    public Optional<ClusterPosition> checkpoint(Region region, String checkpointId) {
        InvalidInputException.requireArgument(region, "region");
        return ClusterCheckpointFile.load(ClusterCheckpointFile.file(settings.dir(), checkpointId), region,
                partitions());
    }

    /**
     * Stores {@code position} durably as checkpoint {@code checkpointId} of {@code region} on this node (in
     * {@code <dir>/cursors/}); completes once it is forced to disk.
     */
    public CompletionStage<Done> commit(String checkpointId, Region region, ClusterPosition position) {
        try {
            InvalidInputException.requireArgument(region, "region");
            InvalidInputException.requireArgument(position, "position");
            if (position.partitions() != partitions()) {
                throw new PartitionCountMismatchException("the committed position", partitions(),
                        position.partitions());
            }
            Path file = ClusterCheckpointFile.file(settings.dir(), checkpointId);
            return supplyLocal(() -> {
                ClusterCheckpointFile.save(file, region, position, IoFaultHook.NONE);
                return Done.getInstance();
            });
        } catch (StoreException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * A lossy live subscription to {@code region} in every partition ({@link BatpakStreams#subscribe} on each
     * owner, {@code bufferSize} events per partition). Events that become visible while a partition's ref is
     * being reopened are not delivered, as for any subscription; use a cursor for delivery without loss.
     */
    public Source<ClusterEvent, NotUsed> subscribe(Region region) {
        InvalidInputException.requireArgument(region, "region");
        int buffer = SubscriptionSettings.create(system).bufferSize();
        List<Source<ClusterEvent, NotUsed>> parts = new ArrayList<>();
        for (int p = 0; p < partitions(); p++) {
            final int partition = p;
            BatpakStore store = local.get(p);
            Source<StoredEvent, NotUsed> s = store != null
                    ? BatpakStreams.subscribe(store, region).mapMaterializedValue(m -> NotUsed.getInstance())
                    : remote(p, region, -1, true, true, buffer);
            parts.add(s.map(e -> new ClusterEvent(partition, e, null)));
        }
        return Source.from(parts).flatMapMerge(parts.size(), s -> s);
    }

    private Source<ClusterEvent, NotUsed> merged(Region region, ClusterPosition after, boolean live) {
        InvalidInputException.requireArgument(region, "region");
        InvalidInputException.requireArgument(after, "after");
        if (after.partitions() != partitions()) {
            throw new PartitionCountMismatchException("the start position", partitions(), after.partitions());
        }
        List<Source<Map.Entry<Integer, StoredEvent>, NotUsed>> parts = new ArrayList<>();
        for (int p = 0; p < partitions(); p++) {
            final int partition = p;
            parts.add(partitionStream(p, region, after.get(p), live).map(e -> Map.entry(partition, e)));
        }
        return Source.fromMaterializer((mat, attributes) -> {
            long[] position = after.toArray();
            return Source.from(parts).flatMapMerge(parts.size(), s -> s).map(e -> {
                position[e.getKey()] = e.getValue().globalSequence();
                return new ClusterEvent(e.getKey(), e.getValue(), ClusterPosition.of(position));
            });
        }).mapMaterializedValue(f -> NotUsed.getInstance());
    }

    private Source<StoredEvent, NotUsed> partitionStream(int partition, Region region, long after, boolean live) {
        checkPartition(partition);
        InvalidInputException.requireArgument(region, "region");
        InvalidInputException.requireRange(after, -1, Long.MAX_VALUE, "afterGlobalSequence");
        BatpakStore store = local.get(partition);
        if (store != null) {
            CursorSettings s = CursorSettings.create(system);
            s = after < 0 ? s.fromBeginning() : s.afterSequence(after);
            return BatpakStreams.cursor(store, region, s.withCompleteAtHead(!live))
                    .mapMaterializedValue(m -> NotUsed.getInstance());
        }
        return remote(partition, region, after, live, false, 0);
    }

    /**
     * A remote stream that reopens its ref after a retriable failure (and, when live, after the owner completed it
     * because its store closed), resuming a cursor after the last event it delivered.
     */
    private Source<StoredEvent, NotUsed> remote(int partition, Region region, long after, boolean live,
                                                boolean subscription, int bufferSize) {
        WireRegion wire = WireRegion.of(region);
        RestartSettings restart = RestartSettings.create(settings.resumeMinBackoff(), settings.resumeMaxBackoff(),
                        settings.resumeRandomFactor())
                .withRestartOn(BatpakCluster::retriable)
                .withLogSettings(RestartSettings.createLogSettings(Logging.DebugLevel()));
        return Source.fromMaterializer((mat, attributes) -> {
            AtomicLong last = new AtomicLong(after);
            org.apache.pekko.japi.function.Creator<Source<StoredEvent, ?>> open = () ->
                    Source.completionStage(ask(partition, (h, replyTo) -> new PartitionProtocol.OpenStream(h, wire,
                                    last.get(), live, subscription, bufferSize, settings.remoteStreamBatch(), replyTo),
                            PartitionProtocol.StreamOpened.class, PartitionProtocol.StreamOpened::events))
                            .flatMapConcat(ref -> ref.getSource())
                            .mapConcat(Wire.WireEvents::events)
                            .map(w -> w.toEvent(codec));
            Source<StoredEvent, NotUsed> restarting = live
                    ? RestartSource.withBackoff(restart, open)
                    : RestartSource.onFailuresWithBackoff(restart, open);
            return restarting
                    .filter(e -> subscription || e.globalSequence() > last.get())
                    .map(e -> {
                        last.set(e.globalSequence());
                        return e;
                    });
        }).mapMaterializedValue(f -> NotUsed.getInstance());
    }

    private static boolean retriable(Throwable t) {
        Throwable e = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        if (e instanceof StoreException s) {
            return s.category() == StoreException.Category.RETRIABLE
                    || s.category() == StoreException.Category.UNAVAILABLE;
        }
        return true;
    }

    // ---------------------------------------------------------------- transport

    /** Why requests for {@code partition} are not sent now, or null when they are. */
    private String unavailableBecause(int partition) {
        if (local.containsKey(partition)) {
            return null;
        }
        if (directory.foreignCount() != 0) {
            return "node " + directory.foreignNode() + " announced " + directory.foreignCount()
                    + " partitions, this node has " + partitions();
        }
        Optional<Address> owner = directory.owner(partition);
        if (owner.isEmpty()) {
            return "no node has announced it";
        }
        org.apache.pekko.cluster.ClusterEvent.CurrentClusterState state = cluster.state();
        for (Member m : state.getMembers()) {
            if (m.address().equals(owner.get())) {
                if (m.status() != MemberStatus.up()) {
                    return "its owner " + owner.get() + " is " + m.status();
                }
                if (state.getUnreachable().contains(m)) {
                    return "its owner " + owner.get() + " is unreachable";
                }
                return null;
            }
        }
        return "its owner " + owner.get() + " is not a member of the cluster";
    }

    private <R extends Reply, T> CompletionStage<T> ask(int partition,
                                                        java.util.function.BiFunction<Header, ActorRef<Reply>, Command> build,
                                                        Class<R> expected, Function<R, T> result) {
        String why = unavailableBecause(partition);
        if (why != null) {
            if (directory.foreignCount() != 0) {
                return CompletableFuture.failedFuture(new PartitionCountMismatchException(
                        "node " + directory.foreignNode(), partitions(), directory.foreignCount()));
            }
            return CompletableFuture.failedFuture(new PartitionUnavailableException(partition, why, false));
        }
        Header header = new Header(PartitionProtocol.PROTOCOL, partitions(), partition);
        CompletionStage<Reply> reply = sharding.entityRefFor(typeKey, String.valueOf(partition))
                .ask(replyTo -> build.apply(header, replyTo), settings.requestTimeout());
        return reply.handle((r, e) -> {
            if (e != null) {
                Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                if (cause instanceof AskTimeoutException || cause instanceof TimeoutException) {
                    throw new PartitionUnavailableException(partition, "no answer within "
                            + settings.requestTimeout().toMillis() + " ms (batpak.cluster.request-timeout)", true);
                }
                throw new CompletionException(cause);
            }
            if (r instanceof PartitionProtocol.Failed f) {
                throw new CompletionException(f.error().toException(partition));
            }
            if (!expected.isInstance(r)) {
                throw new CompletionException(new StoreException("partition " + partition + " answered "
                        + r.getClass().getSimpleName() + " where " + expected.getSimpleName() + " was expected"));
            }
            return result.apply(expected.cast(r));
        });
    }

    /** Runs a synchronous read of a local store off the caller's thread, on the store's I/O dispatcher. */
    private <T> CompletionStage<T> supplyLocal(java.util.function.Supplier<T> read) {
        return CompletableFuture.supplyAsync(read, system.dispatchers().lookup(
                org.apache.pekko.actor.typed.DispatcherSelector.fromConfig(
                        BatpakStores.get(system).settings().ioDispatcher())));
    }

    private void checkPartition(int partition) {
        if (partition < 0 || partition >= partitions()) {
            throw new InvalidInputException("partition", "must be in 0.." + (partitions() - 1) + ", was " + partition);
        }
    }

    @Override
    public String toString() {
        return "BatpakCluster[" + selfAddress + ", partitions=" + partitions() + ", local=" + local.keySet() + "]";
    }
}
