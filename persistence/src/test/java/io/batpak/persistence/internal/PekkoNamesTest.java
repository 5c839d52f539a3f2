package io.batpak.persistence.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.batpak.core.Coordinate;
import io.batpak.core.Tags;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PekkoNamesTest {
    private static final String ALPHABET = "ab|/=:.%%..\u0001\u007f\u00e9\u4e2d-_ 09AF";

    @Test
    void everyPersistenceIdMapsToAValidEntityAndBackExactly() {
        Random random = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            StringBuilder pid = new StringBuilder();
            int len = 1 + random.nextInt(24);
            for (int j = 0; j < len; j++) {
                pid.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
            }
            String id = pid.toString();
            String entity = PekkoNames.entity(id);
            Coordinate.validate("entity", entity);
            assertEquals(id, PekkoNames.persistenceId(entity), "round trip of " + id);
            assertEquals(id, PekkoNames.pekkoTag(PekkoNames.tag(id)));
            Tags.validate(PekkoNames.tag(id));
        }
    }

    @Test
    void validNamesStayReadableAndReservedScopesCannotBeProduced() {
        assertEquals("ShoppingCart%7Cc-1", PekkoNames.entity("ShoppingCart|c-1"));
        assertEquals("plain-name", PekkoNames.entity("plain-name"));
        assertEquals("a.%2Eb", PekkoNames.entity("a..b"));
        assertEquals(PekkoNames.UNTYPED_SCOPE, PekkoNames.scope(""));
        assertEquals("%25none", PekkoNames.scope("%none"));
        assertEquals("%25deletions", PekkoNames.scope("%deletions"));
    }
}
