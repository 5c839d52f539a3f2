package io.batpak.actors.internal;

import io.batpak.core.AppendOptions;
import io.batpak.core.Coordinate;
import io.batpak.core.EventKind;
import io.batpak.core.Gate;
import io.batpak.core.GateProposal;
import io.batpak.core.GateVerdict;
import io.batpak.core.Hash;
import io.batpak.core.PayloadCodec;
import io.batpak.core.error.GateDeniedException;
import java.util.List;

/**
 * Evaluates the configured gates, in order, on a partition: the first denial wins and later gates are not asked.
 * A gate that throws or returns no verdict denies with {@link Gate#DEFECT_CODE}; its failure never reaches the
 * partition. Stateless apart from the gate list; used only from partition actors.
 */
final class GateEvaluator {
    private final List<Gate> gates;
    private final PayloadCodec codec;

    GateEvaluator(List<Gate> gates, PayloadCodec codec) {
        this.gates = gates;
        this.codec = codec;
    }

    boolean active() {
        return !gates.isEmpty();
    }

    /**
     * @param lastSeq the entity's last sequence (-1 when none), as the append would see it
     * @param lastHash the entity's last eventHash (zeros when none)
     * @param batchItem the item's position in its batch, -1 for a single append
     * @return the first denial, or null when every gate permits
     */
    GateDeniedException evaluate(Coordinate coordinate, EventKind kind, byte[] payload, int payloadVersion,
                                 AppendOptions options, long lastSeq, byte[] lastHash, int batchItem) {
        GateProposal proposal = new GateProposal(coordinate, kind, payload, payloadVersion, options, lastSeq,
                Hash.of(lastHash), batchItem, codec);
        for (Gate gate : gates) {
            String name = nameOf(gate);
            GateVerdict verdict;
            try {
                verdict = gate.evaluate(proposal);
            } catch (Throwable e) {
                if (e instanceof VirtualMachineError vm && !(e instanceof StackOverflowError)) {
                    throw vm; // out of memory or an internal JVM error: not the gate's defect to report
                }
                return defect(name, "threw " + e, coordinate, kind, batchItem);
            }
            if (verdict == null) {
                return defect(name, "returned no verdict", coordinate, kind, batchItem);
            }
            if (!verdict.permitted()) {
                return new GateDeniedException(name, verdict.code(), verdict.message(), coordinate, kind, batchItem);
            }
        }
        return null;
    }

    private static GateDeniedException defect(String gate, String what, Coordinate coordinate, EventKind kind,
                                              int batchItem) {
        return new GateDeniedException(gate, Gate.DEFECT_CODE, "gate " + what, coordinate, kind, batchItem);
    }

    private static String nameOf(Gate gate) {
        try {
            String name = gate.name();
            return name == null || name.isBlank() ? gate.getClass().getName() : name;
        } catch (RuntimeException e) {
            return gate.getClass().getName();
        }
    }
}
