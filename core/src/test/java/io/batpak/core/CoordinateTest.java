package io.batpak.core;

import io.batpak.core.error.InvalidCoordinateException;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class CoordinateTest {

    private static final String VALID = "order:42";

    /** An invalid component value and a fragment the rule text must contain. */
    static Stream<Arguments> invalidValues() {
        return Stream.of(
                Arguments.of(null, "must not be null"),
                Arguments.of("", "must not be empty"),
                Arguments.of("a\u0000b", "NUL"),
                Arguments.of("\u0000", "NUL"),
                Arguments.of("a\u0001", "control character U+0001"),
                Arguments.of("tab\there", "control character U+0009"),
                Arguments.of("line\nbreak", "control character U+000A"),
                Arguments.of("x\u001F", "control character U+001F"),
                Arguments.of("del\u007F", "control character U+007F"),
                Arguments.of("a/b", "'/'"),
                Arguments.of("/", "'/'"),
                Arguments.of("..", "'..'"),
                Arguments.of("a..b", "'..'"),
                Arguments.of("trailing..", "'..'"),
                Arguments.of("a|b", "'|'"),
                Arguments.of("key=value", "'='"),
                Arguments.of("\uD800", "unpaired surrogate"),
                Arguments.of("a\uD83Db", "unpaired surrogate"),
                Arguments.of("end\uD83D", "unpaired surrogate"),
                Arguments.of("\uDC00", "unpaired surrogate"),
                Arguments.of("a\uDE00", "unpaired surrogate"),
                Arguments.of("\uDE00\uD83D", "unpaired surrogate"),
                Arguments.of("a".repeat(1025), "at most 1024 UTF-8 bytes"));
    }

    @ParameterizedTest
    @MethodSource("invalidValues")
    void invalidEntityIsRejectedNamingRuleAndComponent(String value, String ruleFragment) {
        InvalidCoordinateException e = assertThrows(InvalidCoordinateException.class, () -> Coordinate.of(value, "default"));
        assertTrue(e.getMessage().startsWith("invalid coordinate entity "), e.getMessage());
        assertTrue(e.rule().contains(ruleFragment), () -> "rule '" + e.rule() + "' should mention " + ruleFragment);
        assertTrue(e.getMessage().contains(e.rule()), e.getMessage());
    }

    @ParameterizedTest
    @MethodSource("invalidValues")
    void invalidScopeIsRejectedNamingRuleAndComponent(String value, String ruleFragment) {
        InvalidCoordinateException e = assertThrows(InvalidCoordinateException.class, () -> new Coordinate(VALID, value));
        assertTrue(e.getMessage().startsWith("invalid coordinate scope "), e.getMessage());
        assertTrue(e.rule().contains(ruleFragment), () -> "rule '" + e.rule() + "' should mention " + ruleFragment);
    }

    @ParameterizedTest
    @MethodSource("invalidValues")
    void staticValidateUsesTheGivenComponentName(String value, String ruleFragment) {
        InvalidCoordinateException e = assertThrows(InvalidCoordinateException.class,
                () -> Coordinate.validate("scope", value));
        assertTrue(e.getMessage().startsWith("invalid coordinate scope "), e.getMessage());
        assertTrue(e.rule().contains(ruleFragment), e.rule());
    }

    @Test
    void controlCharactersAreShownEscapedInTheMessage() {
        InvalidCoordinateException e = assertThrows(InvalidCoordinateException.class, () -> Coordinate.of("a\u0001b", "s"));
        assertTrue(e.getMessage().contains("a\\u0001b"), e.getMessage());
        assertTrue(e.rule().contains("at index 1"), e.rule());
    }

    @Test
    void indexOfTheOffendingCharacterIsReported() {
        assertTrue(assertThrows(InvalidCoordinateException.class, () -> Coordinate.of("abc\u0000", "s"))
                .rule().endsWith("at index 3"));
        assertTrue(assertThrows(InvalidCoordinateException.class, () -> Coordinate.of("ab\uDC00", "s"))
                .rule().contains("index 2"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"order:42", ".", "a.b", "a.b.c", "a", " ", "spaces are fine", "Ünïcödé", "名前:注文",
            "emoji\uD83D\uDE00pair", "\u00A0nbsp", "\u0080c1", "ns:sub:leaf", "~!@#$%^&*()_+-[]{};'\",<>?`"})
    void validNamesAreAccepted(String name) {
        Coordinate c = assertDoesNotThrow(() -> Coordinate.of(name, name));
        assertEquals(name, c.entity());
        assertEquals(name, c.scope());
        assertArrayEquals(name.getBytes(StandardCharsets.UTF_8), c.entityBytes());
        assertArrayEquals(name.getBytes(StandardCharsets.UTF_8), c.scopeBytes());
    }

    /** A name of exactly 1024 UTF-8 bytes is accepted; one more byte is rejected, for 1-, 2-, 3- and 4-byte chars. */
    static Stream<Arguments> boundaryNames() {
        String one = "a".repeat(1024);
        String two = "é".repeat(512);
        String three = "€".repeat(341) + "a";
        String four = "\uD83D\uDE00".repeat(256);
        String mixed = "€".repeat(300) + "é".repeat(20) + "\uD83D\uDE00".repeat(10);
        return Stream.of(
                Arguments.of(one, "a"),
                Arguments.of(two, "a"),
                Arguments.of(three, "a"),
                Arguments.of(four, "a"),
                Arguments.of("b" + "€".repeat(341), "€"),
                Arguments.of(two, "\uD83D\uDE00"),
                Arguments.of(pad(mixed, 1024), "a"));
    }

    private static String pad(String s, int bytes) {
        StringBuilder sb = new StringBuilder(s);
        while (sb.toString().getBytes(StandardCharsets.UTF_8).length < bytes) {
            sb.append('b');
        }
        return sb.toString();
    }

    @ParameterizedTest
    @MethodSource("boundaryNames")
    void exactlyMaxBytesPassesAndOneMoreFails(String exact, String extra) {
        assertEquals(Coordinate.MAX_COMPONENT_BYTES, exact.getBytes(StandardCharsets.UTF_8).length,
                "test data must be exactly 1024 bytes");
        assertDoesNotThrow(() -> Coordinate.of(exact, exact));
        String over = exact + extra;
        int overBytes = over.getBytes(StandardCharsets.UTF_8).length;
        assertTrue(overBytes > Coordinate.MAX_COMPONENT_BYTES);
        InvalidCoordinateException e = assertThrows(InvalidCoordinateException.class, () -> Coordinate.of(over, "s"));
        assertTrue(e.getMessage().startsWith("invalid coordinate entity "));
        assertEquals("must be at most 1024 UTF-8 bytes (was " + overBytes + ")", e.rule());
        InvalidCoordinateException s = assertThrows(InvalidCoordinateException.class, () -> Coordinate.of("e", over));
        assertTrue(s.getMessage().startsWith("invalid coordinate scope "));
    }

    @Test
    void fewerCharactersThanBytesStillCountsBytes() {
        // 342 three-byte chars are 1026 bytes but only 342 chars: rejected on bytes, not chars.
        String s = "€".repeat(342);
        assertThrows(InvalidCoordinateException.class, () -> Coordinate.of(s, "x"));
        // 1024 ASCII chars are accepted; 1024 two-byte chars are not.
        assertDoesNotThrow(() -> Coordinate.of("z".repeat(1024), "x"));
        assertThrows(InvalidCoordinateException.class, () -> Coordinate.of("é".repeat(1024), "x"));
    }

    @Test
    void longInvalidValueIsTruncatedInTheMessage() {
        String long1 = "q".repeat(2000);
        InvalidCoordinateException e = assertThrows(InvalidCoordinateException.class, () -> Coordinate.of(long1, "s"));
        assertTrue(e.getMessage().length() < 300, e.getMessage());
        assertTrue(e.getMessage().contains("q".repeat(64) + "..."));
    }

    @Test
    void equalityAndToString() {
        assertEquals(Coordinate.of("order:1", "tenant-a"), new Coordinate("order:1", "tenant-a"));
        assertEquals("order:1@tenant-a", Coordinate.of("order:1", "tenant-a").toString());
    }
}
