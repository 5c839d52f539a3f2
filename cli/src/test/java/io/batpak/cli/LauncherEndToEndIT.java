package io.batpak.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.actors.BatpakStore;
import io.batpak.actors.StoreTestKit;
import io.batpak.core.Coordinate;
import io.batpak.core.EventKind;
import io.batpak.core.StoreConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/batpak} as an operator runs it: a real process on the packaged {@code cli/target/batpak.jar} (this
 * test runs after the package phase).
 */
class LauncherEndToEndIT {
    @RegisterExtension
    static final StoreTestKit kit = new StoreTestKit();

    @TempDir
    Path tmp;

    record Ran(int code, String out, String err) {
    }

    private static Ran launch(String... args) throws IOException, InterruptedException {
        Path root = Path.of(System.getProperty("batpak.root", "..")).toAbsolutePath().normalize();
        Path launcher = root.resolve("bin").resolve("batpak");
        assertTrue(Files.isRegularFile(root.resolve("cli/target/batpak.jar")), "packaged before this test");
        String[] cmd = new String[args.length + 2];
        cmd[0] = "bash";
        cmd[1] = launcher.toString();
        System.arraycopy(args, 0, cmd, 2, args.length);
        Path out = Files.createTempFile("batpak-out", ".txt");
        Path err = Files.createTempFile("batpak-err", ".txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "batpak finished");
        Ran r = new Ran(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
        Files.delete(out);
        Files.delete(err);
        return r;
    }

    @Test
    void infoAndVerifyRunAsProcessesWithTheirExitCodes() throws Exception {
        Path dir = tmp.resolve("store");
        BatpakStore store = kit.open(StoreConfig.builder(dir).build());
        for (int i = 0; i < 50; i++) {
            store.append(Coordinate.of("order:" + (i % 5), "shop"), EventKind.of(0x1, 0x001), new byte[] {(byte) i})
                    .toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        kit.close(store);

        Ran info = launch("info", dir.toString());
        assertEquals(0, info.code(), info.err());
        assertTrue(info.out().contains("events             50"), info.out());
        assertTrue(info.out().contains("entities           5"), info.out());
        assertEquals("", info.err());

        Ran verify = launch("verify", dir.toString());
        assertEquals(0, verify.code(), verify.err());
        assertTrue(verify.out().startsWith("ok: 50 events of 5 entities"), verify.out());

        Ran json = launch("verify", dir.toString(), "--json");
        assertTrue(json.out().contains("\"ok\":true"), json.out());

        Ran missing = launch("verify", tmp.resolve("none").toString());
        assertEquals(BatpakCli.CANNOT_OPEN, missing.code());
        assertEquals(1, missing.err().lines().count(), missing.err());
    }
}
