package io.batpak.streams;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/** Stages failing with the typed error itself rather than a {@link CompletionException} around it. */
final class Futures {
    private Futures() {
    }

    static Throwable cause(Throwable t) {
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    static <T> CompletionStage<T> unwrapped(CompletionStage<T> stage) {
        CompletableFuture<T> out = new CompletableFuture<>();
        stage.whenComplete((v, e) -> {
            if (e != null) {
                out.completeExceptionally(cause(e));
            } else {
                out.complete(v);
            }
        });
        return out;
    }
}
