package io.batpak.core;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Binds a payload class (usually a record) to an {@link EventKind} and a schema version, so it can be appended
 * with {@code BatpakStore.appendTyped} and read back with {@code BatpakStore.readTyped} or
 * {@link StoredEvent#payloadAs(Class)}. The version is stored in the frame's {@code payloadVersion} field; events
 * stored with an older version are brought up to this one by the {@link Upcaster}s registered for the kind.
 *
 * <pre>{@code
 * @EventType(category = 0x1, type = 0x001, version = 2)
 * public record OrderPlaced(String orderId, String customer, long cents) { }
 * }</pre>
 *
 * <p>The category must not be reserved (0x0 system, 0xD effects), the type must fit 12 bits and the version must
 * be in 1..65535 (0 marks an untyped append). One kind belongs to one class per store: see
 * {@link EventTypeRegistry}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface EventType {
    /** The kind's category, 0x1..0xC or 0xE..0xF. */
    int category();

    /** The kind's type, 0..4095. */
    int type();

    /** The current schema version of the payload, 1..65535. */
    int version() default 1;
}
