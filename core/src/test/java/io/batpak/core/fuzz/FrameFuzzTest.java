package io.batpak.core.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.batpak.core.Coordinate;
import io.batpak.core.EventId;
import io.batpak.core.EventKind;
import io.batpak.core.PayloadCodec;
import io.batpak.core.Region;
import io.batpak.core.StoredEvent;
import io.batpak.core.error.InvalidCoordinateException;
import io.batpak.core.error.InvalidEventKindException;
import io.batpak.core.error.InvalidRegionException;
import io.batpak.core.internal.segment.FrameEncoder;
import io.batpak.core.internal.segment.FrameLayout;
import io.batpak.core.internal.segment.FrameView;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * Fuzz targets for the frame decoder and for input validation. Property: no input gives anything but a typed
 * result or a typed exception, and a frame the decoder accepts decodes to an event whose fields are the frame's.
 */
class FrameFuzzTest {
    private static final PayloadCodec CODEC = PayloadCodec.defaultCodec();

    /**
     * Arbitrary frame bytes. The first byte chooses whether the harness recomputes the frame's CRC first, so the
     * fuzzer also reaches the checks behind the checksum.
     */
    @FuzzTest(maxDuration = FuzzStores.DURATION)
    void frameDecoder(byte[] input) {
        if (input.length < 1 + FrameLayout.PREFIX_LENGTH) {
            return;
        }
        boolean fixCrc = (input[0] & 1) != 0;
        ByteBuffer buf = ByteBuffer.wrap(input, 1, input.length - 1).slice().order(ByteOrder.LITTLE_ENDIAN);
        FrameView v = new FrameView().wrap(buf, 0);
        long total = v.totalLength();
        if (v.frameLength() < FrameLayout.MIN_FRAME_LENGTH || total > buf.limit()) {
            return; // a reader stops at the length check: the frame does not fit
        }
        if (fixCrc) {
            CRC32C crc = new CRC32C();
            crc.update(buf.duplicate().limit((int) total).position(FrameLayout.PREFIX_LENGTH));
            buf.putInt(FrameLayout.CRC_OFFSET, (int) crc.getValue());
        }
        if (v.validate() != null || v.namesProblem() != null) {
            return;
        }
        StoredEvent e = v.toStoredEvent(CODEC, null);
        assertEquals(v.entitySequence(), e.entitySequence());
        assertEquals(v.globalSequence(), e.globalSequence());
        assertEquals(v.payloadLength(), e.payload().length);
        assertEquals(v.kind(), e.kind().raw());
    }

    /**
     * Names as a user would pass them: valid ones round-trip through a frame unchanged, invalid ones are refused with
     * {@link InvalidCoordinateException}; kinds and regions likewise.
     */
    @FuzzTest(maxDuration = FuzzStores.DURATION)
    void validation(FuzzedDataProvider data) {
        String entity = data.consumeString(300);
        String scope = data.consumeString(300);
        int category = data.consumeInt();
        int type = data.consumeInt();
        long from = data.consumeLong();
        long to = data.consumeLong();
        Coordinate c = null;
        try {
            c = Coordinate.of(entity, scope);
        } catch (InvalidCoordinateException expected) {
            // refused, typed
        }
        if (c != null) {
            byte[] hash = new byte[32];
            EventId id = EventId.generate();
            byte[] frame = new FrameEncoder().encode(c.entityBytes(), c.scopeBytes(), null, new byte[0], 0, 0x1001, 0, 0, 0, 1,
                    id, id, null, null, new byte[32], hash);
            ByteBuffer buf = ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN);
            FrameEncoder.place(buf, 0, frame.length, 0, 1, 0, new CRC32C());
            FrameView v = new FrameView().wrap(buf, 0);
            assertNull(v.validate());
            assertNull(v.namesProblem(), "a valid coordinate is a valid stored name");
            assertEquals(c, v.toStoredEvent(CODEC, null).coordinate());
            assertEquals(entity, new String(c.entityBytes(), StandardCharsets.UTF_8));
        }
        try {
            EventKind k = EventKind.of(category, type);
            assertEquals(k, EventKind.fromRaw(k.raw()));
        } catch (InvalidEventKindException expected) {
            // refused, typed
        }
        try {
            Region r = entity.isEmpty() ? Region.all() : Region.entity(entity);
            r = r.withScope(scope).withCategory(category).withSequenceRange(from, to);
            assertEquals(r, r.withSequenceRange(from, to));
            r.identity();
        } catch (InvalidRegionException expected) {
            // refused, typed
        }
    }
}
