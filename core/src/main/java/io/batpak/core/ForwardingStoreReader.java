package io.batpak.core;

import io.batpak.core.error.InvalidInputException;
import java.util.List;
import java.util.Optional;

/**
 * A {@link StoreReader} that forwards every read to another one: the skeleton of the store classes
 * ({@code BatpakStore}, {@link ReadOnlyStore}) and of wrappers that add behaviour around reads. Every read behaves
 * exactly as the delegate's; thread-safe when the delegate is.
 */
public abstract class ForwardingStoreReader implements StoreReader {
    private final StoreReader core;

    /** @param delegate the reader every call is forwarded to */
    protected ForwardingStoreReader(StoreReader delegate) {
        this.core = InvalidInputException.requireArgument(delegate, "delegate");
    }

    @Override
    public final StoreConfig config() {
        return core.config();
    }

    @Override
    public final long lastGlobalSequence() {
        return core.lastGlobalSequence();
    }

    @Override
    public final long removedThrough(long afterGlobalSequence) {
        return core.removedThrough(afterGlobalSequence);
    }

    @Override
    public final Optional<StoredEvent> get(EventId eventId) {
        return core.get(eventId);
    }

    @Override
    public final List<StoredEvent> readEntity(String entity, long fromSequence, int max) {
        return core.readEntity(entity, fromSequence, max);
    }

    @Override
    public final long lastEntitySequence(String entity) {
        return core.lastEntitySequence(entity);
    }

    @Override
    public final <T> List<T> readTyped(String entity, long fromSequence, int max, Class<T> type) {
        return core.readTyped(entity, fromSequence, max, type);
    }

    @Override
    public final List<StoredEvent> query(Region region, long afterGlobalSequence, int limit) {
        return core.query(region, afterGlobalSequence, limit);
    }

    @Override
    public final List<IndexEntry> queryIndex(Region region, long afterGlobalSequence, int limit) {
        return core.queryIndex(region, afterGlobalSequence, limit);
    }

    @Override
    public final List<String> entities(String prefix, String afterEntity, int limit) {
        return core.entities(prefix, afterEntity, limit);
    }

    @Override
    public final List<String> tags(String prefix, String afterTag, int limit) {
        return core.tags(prefix, afterTag, limit);
    }

    @Override
    public final List<StoredEvent> walkAncestors(EventId eventId, int limit) {
        return core.walkAncestors(eventId, limit);
    }

    @Override
    public final VerifyReport verify() {
        return core.verify();
    }

    @Override
    public final VerifyReport verify(ProgressListener progress) {
        return core.verify(progress);
    }

    @Override
    public final EventIterator replay(Region region, long afterGlobalSequence) {
        return core.replay(region, afterGlobalSequence);
    }

    @Override
    public final long replay(Region region, long afterGlobalSequence, EventHandler handler) {
        return core.replay(region, afterGlobalSequence, handler);
    }

    @Override
    public final StoreStatistics statistics() {
        return core.statistics();
    }

    @Override
    public final VerifyReport verifyEntity(String entity) {
        return core.verifyEntity(entity);
    }

    @Override
    public final ReceiptVerification verifyReceipt(AppendReceipt receipt) {
        return core.verifyReceipt(receipt);
    }

    @Override
    public final AppendReceipt receiptOf(StoredEvent event) {
        return core.receiptOf(event);
    }
}
