package io.batpak.bench;

/**
 * One append workload: {@code appenders} logical clients, each issuing its next operation when the previous one is
 * acknowledged. An operation is one event ({@code batch == 1}) or an atomic batch of {@code batch} events, all of
 * {@code payload} bytes, on the appender's own entity.
 */
public record Scenario(Durability durability, int appenders, int payload, int batch) {

    public String id() {
        return (batch > 1 ? "batch" + batch : "append") + "/" + durability.label + "/" + appenders + "-appenders/"
                + payload + "B";
    }

    public boolean isBatch() {
        return batch > 1;
    }
}
