package io.batpak.core.internal.recovery;

import io.batpak.core.internal.segment.AtomicGroup;
import io.batpak.core.internal.segment.FrameLayout;
import io.batpak.core.internal.segment.FrameView;
import io.batpak.core.internal.segment.SegmentHeader;
import java.nio.ByteBuffer;

/**
 * First recovery pass over one segment: walks frames from a start offset, checks each frame's structure and
 * checksum, its global sequence and the completeness of atomic groups, and finds where the valid data ends.
 *
 * <p>When a frame fails its checks, the scan decides whether it is a <em>torn tail</em> (a write cut short by
 * a crash) or <em>corruption</em>. A torn tail can only hold data that was never acknowledged as durable: it lies in
 * the newest segment, at or above the <em>torn floor</em> (the durable end recorded by {@code durable.end}), and
 * no valid frame follows the bad one. Anything else is corruption: damage below the floor, a damaged frame with
 * valid frames after it, or a frame whose checksum holds but whose contents contradict its neighbours. The end of
 * the valid data is always the end of a complete atomic group, so a batch cut by a crash is dropped whole.
 */
public final class SegmentScan {
    /** Result of a scan. */
    public record Result(long validEnd, long frames, long firstSequence, long nextSequence, Problem problem) {
    }

    /**
     * What stopped the scan early.
     *
     * @param offset where the bad frame starts (the valid data ends at {@link Result#validEnd()}, the start of
     *     its atomic group)
     * @param torn true when it is a torn tail (cut back silently), false when it is corruption
     */
    public record Problem(long offset, String reason, boolean torn) {
    }

    private SegmentScan() {
    }

    /**
     * Scans {@code buf} (the whole file, positions = file offsets) from {@code start}, with no durable end known
     * for the newest segment.
     *
     * @param expectedSequence the global sequence the first frame must carry
     * @param newest whether this is the newest segment (the only one that may have a torn tail)
     */
    public static Result scan(ByteBuffer buf, long start, long expectedSequence, boolean newest) {
        return scan(buf, start, expectedSequence, newest ? SegmentHeader.LENGTH : Long.MAX_VALUE);
    }

    /**
     * Scans {@code buf} (the whole file, positions = file offsets) from {@code start}.
     *
     * @param expectedSequence the global sequence the first frame must carry
     * @param tornFloor the offset from which a bad frame may be a torn tail: the durable end of the newest
     *     segment, {@link Long#MAX_VALUE} for a sealed segment (which never has a torn tail)
     */
    public static Result scan(ByteBuffer buf, long start, long expectedSequence, long tornFloor) {
        FrameView v = new FrameView();
        long limit = buf.limit();
        long pos = start;
        long committedEnd = start;
        long committedNext = expectedSequence;
        long frames = 0;
        long committedFrames = 0;
        long seq = expectedSequence;
        AtomicGroup group = new AtomicGroup();
        while (pos < limit) {
            String problem = null;
            boolean checksumValid = false;
            if (limit - pos < FrameLayout.PREFIX_LENGTH) {
                problem = "short frame prefix (" + (limit - pos) + " bytes before end of file)";
            } else {
                v.wrap(buf, (int) pos);
                long total = v.totalLength();
                if (v.frameLength() < FrameLayout.MIN_FRAME_LENGTH) {
                    problem = "bad frame length " + v.frameLength();
                } else if (pos + total > limit) {
                    problem = "frame of " + total + " bytes runs past the end of the file";
                } else {
                    problem = v.validate();
                    if (problem == null) {
                        checksumValid = true;
                        problem = checkPlacement(v, seq, group);
                    }
                }
            }
            if (problem != null) {
                boolean torn = committedEnd >= tornFloor && !checksumValid && !validFrameFollows(buf, pos + 1, seq);
                return new Result(committedEnd, committedFrames, expectedSequence, committedNext,
                        new Problem(pos, problem, torn));
            }
            group.accept(pos, v.batchIndex(), v.batchCount());
            pos += v.totalLength();
            frames++;
            seq += v.sequenceSpan();
            if (!group.open()) {
                committedEnd = pos;
                committedNext = seq;
                committedFrames = frames;
            }
        }
        if (group.open()) {
            return new Result(committedEnd, committedFrames, expectedSequence, committedNext,
                    new Problem(group.start(), group.unfinished(), committedEnd >= tornFloor));
        }
        return new Result(committedEnd, committedFrames, expectedSequence, committedNext, null);
    }

    private static String checkPlacement(FrameView v, long seq, AtomicGroup group) {
        if (v.globalSequence() != seq) {
            return "frame has global sequence " + v.globalSequence() + ", expected " + seq;
        }
        return group.check(v.batchIndex(), v.batchCount());
    }

    /**
     * Whether any checksum-valid frame with a plausible global sequence starts at or after {@code from}: if one
     * does, the bad frame before it is damage in the middle of the data, not a torn tail.
     */
    static boolean validFrameFollows(ByteBuffer buf, long from, long minSequence) {
        FrameView v = new FrameView();
        long limit = buf.limit();
        for (long p = from; p + FrameLayout.VARIABLE_OFFSET <= limit; p++) {
            v.wrap(buf, (int) p);
            if ((v.frameType() != FrameLayout.FRAME_TYPE_EVENT && v.frameType() != FrameLayout.FRAME_TYPE_REMOVAL)
                    || v.frameLength() < FrameLayout.MIN_FRAME_LENGTH
                    || p + v.totalLength() > limit || v.globalSequence() < minSequence) {
                continue;
            }
            if (v.validate() == null) {
                return true;
            }
        }
        return false;
    }
}
