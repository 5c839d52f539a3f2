package io.batpak.cluster;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** A test that runs nodes of a test cluster under a temporary directory; they stop after each test. */
abstract class ClusterTestBase {
    @TempDir
    Path root;
    ClusterNodes nodes;

    @AfterEach
    void stopNodes() {
        if (nodes != null) {
            nodes.close();
        }
    }
}
