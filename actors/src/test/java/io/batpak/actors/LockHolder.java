package io.batpak.actors;

import io.batpak.core.AppendReceipt;
import io.batpak.core.Coordinate;
import io.batpak.core.EventKind;
import io.batpak.core.StoreConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Child process of {@link LockChildProcessTest}. Arguments: mode, data directory.
 * <ul>
 *   <li>{@code hold}: opens the store, appends one event, prints {@code LOCKED <eventId>} and waits on stdin; on
 *       a {@code close} line it closes the store, prints {@code CLOSED} and exits 0; on stdin EOF (the parent is
 *       gone) it halts.</li>
 *   <li>{@code try}: tries to open the store and prints {@code RESULT OPENED} (then closes it) or
 *       {@code RESULT <exception class> <message>}, and exits 0.</li>
 * </ul>
 * Protocol lines go to stdout, logging to stderr.
 */
public final class LockHolder {
    private LockHolder() {
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                StandardCharsets.UTF_8);
        System.setOut(System.err);
        String mode = args[0];
        Path dir = Path.of(args[1]);
        StoreConfig config = StoreConfig.builder(dir).build();
        switch (mode) {
            case "hold" -> {
                BatpakStore store = BatpakStore.open(config);
                AppendReceipt r = store.append(Coordinate.of("lock-holder", "lock"), EventKind.of(1, 1),
                        new byte[] {1, 2, 3}).toCompletableFuture().get(60, TimeUnit.SECONDS);
                out.println("LOCKED " + r.eventId());
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    if (line.equals("close")) {
                        store.closeAsync().toCompletableFuture().get(60, TimeUnit.SECONDS);
                        out.println("CLOSED");
                        System.exit(0);
                    }
                }
                Runtime.getRuntime().halt(3);
            }
            case "try" -> {
                try {
                    BatpakStore store = BatpakStore.open(config);
                    out.println("RESULT OPENED");
                    store.closeAsync().toCompletableFuture().get(60, TimeUnit.SECONDS);
                } catch (RuntimeException e) {
                    out.println("RESULT " + e.getClass().getName() + " " + String.valueOf(e.getMessage()).replace('\n', ' '));
                }
                System.exit(0);
            }
            default -> throw new IllegalArgumentException("mode must be hold or try, was " + mode);
        }
    }
}
