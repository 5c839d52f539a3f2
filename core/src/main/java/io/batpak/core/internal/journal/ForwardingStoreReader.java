package io.batpak.core.internal.journal;

import io.batpak.core.AppendReceipt;
import io.batpak.core.EventId;
import io.batpak.core.IndexEntry;
import io.batpak.core.ReceiptVerification;
import io.batpak.core.Region;
import io.batpak.core.StoreConfig;
import io.batpak.core.StoreReader;
import io.batpak.core.StoredEvent;
import io.batpak.core.VerifyReport;
import java.util.List;
import java.util.Optional;

/**
 * The {@link StoreReader} of a public store class, answered by its {@link StoreCore}: the one place the reads are
 * forwarded, so every store class documents and behaves the same.
 */
public abstract class ForwardingStoreReader implements StoreReader {
    private final StoreCore core;

    protected ForwardingStoreReader(StoreCore core) {
        this.core = core;
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
    public final Optional<StoredEvent> get(EventId eventId) {
        return core.get(eventId);
    }

    @Override
    public final List<StoredEvent> readEntity(String entity, long fromSequence, int max) {
        return core.readEntity(entity, fromSequence, max);
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
    public final List<StoredEvent> walkAncestors(EventId eventId, int limit) {
        return core.walkAncestors(eventId, limit);
    }

    @Override
    public final VerifyReport verify() {
        return core.verify();
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
