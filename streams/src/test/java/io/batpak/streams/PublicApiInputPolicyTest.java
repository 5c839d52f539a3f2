package io.batpak.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.actors.BatpakStore;
import io.batpak.core.AppendOptions;
import io.batpak.core.AppendReceipt;
import io.batpak.core.AppendRequest;
import io.batpak.core.Coordinate;
import io.batpak.core.EventId;
import io.batpak.core.EventKind;
import io.batpak.core.ExpectedSequence;
import io.batpak.core.IdempotencyKey;
import io.batpak.core.Region;
import io.batpak.core.StoreConfig;
import io.batpak.core.StoredEvent;
import io.batpak.core.SyncMode;
import io.batpak.core.error.InvalidInputException;
import java.io.File;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.Test;

/**
 * The input policy of the whole public API ({@link InvalidInputException}): every public method and constructor
 * of the public packages {@code io.batpak.core}, {@code io.batpak.actors} and {@code io.batpak.streams}, called
 * with {@code null} for one parameter at a time (and valid values for the rest), refuses it with an
 * {@link InvalidInputException} whose message names the parameter, thrown or as the failure of the returned stage.
 * A parameter whose Javadoc gives {@code null} a meaning is listed in {@link #NULL_MEANS_SOMETHING}. Methods are
 * found by reflection, so a new one cannot escape the rule: one whose parameter type has no sample here fails the
 * test until a sample is added.
 */
class PublicApiInputPolicyTest extends StreamsTestBase {
    private static final List<String> PACKAGES = List.of("io.batpak.core", "io.batpak.actors", "io.batpak.streams");

    /** "Class.method.parameter" whose null is documented as meaningful (the Javadoc says what it means). */
    private static final Set<String> NULL_MEANS_SOMETHING = Set.of(
            "BatpakStore.entities.prefix", "BatpakStore.entities.afterEntity",
            "ReadOnlyStore.entities.prefix", "ReadOnlyStore.entities.afterEntity",
            "ForwardingStoreReader.entities.prefix", "ForwardingStoreReader.entities.afterEntity",
            "StoreConfig$Builder.ioFaultHook.hook", "AppendReceipt.withSignature.signature",
            "AppendOptions$Builder.causationId.causationId", "AppendOptions$Builder.correlationId.correlationId",
            "AppendOptions$Builder.idempotencyKey.key", "GateVerdict.deny.message",
            "AppendOptions$Builder.subject.subject", "StoreConfig$Builder.subjectKeysDir.dir",
            "BatpakStore.tags.prefix", "BatpakStore.tags.afterTag", "ReadOnlyStore.tags.prefix",
            "ReadOnlyStore.tags.afterTag", "ForwardingStoreReader.tags.prefix", "ForwardingStoreReader.tags.afterTag",
            "AppendOptions.withCondition.condition", "AppendOptions$Builder.condition.condition",
            "AppendRequest.withCondition.condition", "Tags.problem.tag");

    /**
     * Types outside the sweep: exceptions and annotations; values the store produces (their canonical
     * constructors are how the store builds its results, their methods are still swept); and the actor protocol,
     * whose commands are plain data checked when the store handles them.
     */
    private static final Set<String> PRODUCED_BY_THE_STORE = Set.of("AppendReceipt", "StoredEvent", "IndexEntry",
            "IntegrityBreak", "VerifyReport", "ReceiptVerification", "GateDenial", "EventTypeRegistry$Registration",
            "StoreStats", "BackupReport", "CompactionReport", "RedactionReport", "ExportReport", "ImportReport",
            "ImportRecord", "ImportRecord$Source", "AppendOutcome$Appended", "AppendOutcome$Failed", "CommittableEvent",
            "CommittableOffset", "StoreStatistics", "CursorCheckpointInfo");

    private static boolean outOfScope(Class<?> c) {
        return Throwable.class.isAssignableFrom(c) || c.isAnnotation() || c.isSynthetic()
                || c.getName().startsWith("io.batpak.actors.StoreCommand");
    }

    private static boolean producedByTheStore(Class<?> c) {
        return PRODUCED_BY_THE_STORE.contains(c.getName().substring(c.getPackageName().length() + 1));
    }

    /** A typed event, the sample for payload parameters (typed appends need one; byte[] payloads need none). */
    @io.batpak.core.EventType(category = 0x1, type = 0x0AB, version = 1)
    record PolicyEvent(String text) {
    }

    private BatpakStore store;
    private int dirs;
    private StoredEvent event;
    private AppendReceipt receipt;
    private final Map<Class<?>, Supplier<Object>> samples = new HashMap<>();

    private void sampleValues() {
        store = open(StoreConfig.builder(dir).build());
        receipt = await(store.append(Coordinate.of("policy", "s"), KIND, new byte[] {1}));
        event = store.get(receipt.eventId()).orElseThrow();
        io.batpak.core.SigningKey signing = io.batpak.core.SigningKey.generate();
        Path readOnlyDir = dir.resolve("read-only");
        BatpakStore other = BatpakStore.open(StoreConfig.builder(readOnlyDir).build(), system);
        await(other.append(Coordinate.of("policy", "s"), KIND, new byte[] {1}));
        await(other.closeAsync());
        io.batpak.core.ReadOnlyStore readOnly = io.batpak.core.ReadOnlyStore.open(StoreConfig.builder(readOnlyDir).build());
        closeAfter.add(readOnly);
        samples.put(String.class, () -> "policy");
        samples.put(io.batpak.core.ExportFormat.class, () -> io.batpak.core.ExportFormat.NDJSON);
        samples.put(io.batpak.core.CompactionPlan.class, () -> io.batpak.core.CompactionPlan.ERASE_ONLY);
        samples.put(io.batpak.core.RedactionRequest.class,
                () -> io.batpak.core.RedactionRequest.entity("policy", "policy test"));
        samples.put(Object.class, () -> new PolicyEvent("x"));
        samples.put(io.batpak.actors.StoreFeed.class, () -> store.feed());
        samples.put(io.batpak.core.EventTypeRegistry.class, io.batpak.core.EventTypeRegistry::new);
        samples.put(io.batpak.core.Hash.class, () -> io.batpak.core.Hash.ZERO);
        samples.put(io.batpak.core.KeyId.class, signing::keyId);
        samples.put(io.batpak.core.SigningKey.class, () -> signing);
        samples.put(io.batpak.core.VerifyingKey.class, signing::publicKey);
        samples.put(io.batpak.core.ReceiptSignature.class, () -> io.batpak.core.ReceiptSignature.of(signing.keyId(),
                new byte[io.batpak.core.ReceiptSignature.LENGTH]));
        samples.put(io.batpak.core.ReceiptSigner.class, () -> io.batpak.core.ReceiptSigner.NONE);
        samples.put(io.batpak.core.PayloadCodec.class, io.batpak.core.PayloadCodec::defaultCodec);
        samples.put(io.batpak.core.ReadOnlyStore.class, () -> readOnly);
        samples.put(io.batpak.core.ProgressListener.class, () -> io.batpak.core.ProgressListener.NONE);
        samples.put(io.batpak.core.EventHandler.class, () -> (io.batpak.core.EventHandler) v -> { });
        samples.put(io.batpak.core.ForwardingStoreReader.class, () -> readOnly);
        samples.put(io.batpak.actors.RuntimeSettings.class, io.batpak.actors.RuntimeSettings::defaults);
        samples.put(io.batpak.actors.BatpakStores.class, () -> io.batpak.actors.BatpakStores.get(system));
        samples.put(org.apache.pekko.actor.ClassicActorSystemProvider.class, () -> system);
        samples.put(io.batpak.core.Upcaster.class, () -> (io.batpak.core.Upcaster) node -> node);
        samples.put(io.batpak.core.Gate.class, () -> new io.batpak.core.Gate() {
            @Override
            public String name() {
                return "policy";
            }

            @Override
            public io.batpak.core.GateVerdict evaluate(io.batpak.core.GateProposal proposal) {
                return io.batpak.core.GateVerdict.permit();
            }
        });
        samples.put(io.batpak.core.error.GateDeniedException.class, () -> new io.batpak.core.error.GateDeniedException("g", "c", "m",
                Coordinate.of("policy", "s"), KIND, -1));
        samples.put(io.batpak.core.GateProposal.class, () -> new io.batpak.core.GateProposal(Coordinate.of("policy", "s"),
                KIND, new byte[] {1}, 0, AppendOptions.DEFAULT, -1, io.batpak.core.Hash.ZERO, -1,
                io.batpak.core.PayloadCodec.defaultCodec()));
        samples.put(java.util.Collection.class, List::of);
        samples.put(io.batpak.actors.FeedListener.class, () -> new io.batpak.actors.FeedListener() {
            @Override
            public boolean hasCapacity() {
                return false;
            }

            @Override
            public boolean offer(StoredEvent e) {
                return false;
            }

            @Override
            public boolean overflow(long globalSequence) {
                return false;
            }

            @Override
            public void closed(Throwable failure) {
            }
        });
        samples.put(com.typesafe.config.Config.class, com.typesafe.config.ConfigFactory::load);
        samples.put(byte[].class, () -> new byte[] {1});
        samples.put(Class.class, () -> byte[].class);
        samples.put(Coordinate.class, () -> Coordinate.of("policy", "s"));
        samples.put(EventKind.class, () -> KIND);
        samples.put(EventId.class, EventId::generate);
        samples.put(UUID.class, UUID::randomUUID);
        samples.put(Region.class, Region::all);
        samples.put(AppendOptions.class, () -> AppendOptions.builder().build());
        samples.put(AppendRequest.class, () -> AppendRequest.of(Coordinate.of("policy", "s"), KIND, new byte[] {1}));
        samples.put(ExpectedSequence.class, () -> ExpectedSequence.ANY);
        samples.put(IdempotencyKey.class, () -> IdempotencyKey.of(UUID.randomUUID()));
        samples.put(StoredEvent.class, () -> event);
        samples.put(AppendReceipt.class, () -> receipt);
        samples.put(StoreConfig.class, () -> StoreConfig.builder(dir.resolve("fresh-" + dirs++)).build());
        samples.put(StoreConfig.Builder.class, () -> StoreConfig.builder(dir.resolve("other")));
        samples.put(AppendOptions.Builder.class, AppendOptions::builder);
        samples.put(SyncMode.class, () -> SyncMode.EVERY_COMMIT);
        samples.put(Duration.class, () -> Duration.ofSeconds(1));
        samples.put(Path.class, () -> dir.resolve("other"));
        samples.put(BatpakStore.class, () -> store);
        samples.put(ActorSystem.class, () -> system);
        samples.put(SubscriptionSettings.class, () -> SubscriptionSettings.create(system));
        samples.put(CursorSettings.class, () -> CursorSettings.create(system).withCheckpointId("policy"));
        samples.put(AppendSettings.class, () -> AppendSettings.create(system));
        samples.put(CommitterSettings.class, () -> CommitterSettings.create(system));
        samples.put(ReactorSettings.class, () -> ReactorSettings.create(system));
        samples.put(OverflowPolicy.class, () -> OverflowPolicy.DROP_NEWEST);
        samples.put(Reactor.class, () -> (Reactor) e -> List.of());
    }

    @Test
    void everyPublicMethodRefusesANullArgumentWithATypedErrorNamingTheParameter() throws Exception {
        sampleValues();
        List<String> problems = new ArrayList<>();
        int checked = 0;
        for (Class<?> c : publicClasses()) {
            for (Executable m : executables(c)) {
                Parameter[] ps = m.getParameters();
                for (int i = 0; i < ps.length; i++) {
                    if (ps[i].getType().isPrimitive()
                            || NULL_MEANS_SOMETHING.contains(key(c, m, ps[i]))) {
                        continue;
                    }
                    Object[] args = new Object[ps.length];
                    String missing = null;
                    for (int k = 0; k < ps.length; k++) {
                        if (k != i) {
                            args[k] = sample(ps[k]);
                            if (args[k] == NO_SAMPLE) {
                                missing = ps[k].getType().getName();
                            }
                        }
                    }
                    Object receiver = m instanceof Method mm && !Modifier.isStatic(mm.getModifiers()) ? sample(c) : null;
                    if (receiver == NO_SAMPLE) {
                        missing = c.getName();
                    }
                    if (missing != null) {
                        problems.add(key(c, m, ps[i]) + ": no sample value for " + missing + " (add one to this test)");
                        continue;
                    }
                    checked++;
                    String problem = check(m, receiver, args, ps[i].getName());
                    if (problem != null) {
                        problems.add(key(c, m, ps[i]) + ": " + problem);
                    }
                }
            }
        }
        assertEquals(List.of(), problems, problems.size() + " of " + checked + " null arguments break the policy");
        assertTrue(checked > 100, "the sweep found the public API (" + checked + " parameters)");
    }

    private static final Object NO_SAMPLE = new Object();

    private Object sample(Parameter p) {
        if (p.getType() == List.class && p.getParameterizedType() instanceof java.lang.reflect.ParameterizedType t
                && t.getActualTypeArguments()[0] instanceof Class<?> element) {
            Object one = sample(element);
            return one == NO_SAMPLE ? NO_SAMPLE : List.of(one);
        }
        return sample(p.getType());
    }

    private Object sample(Class<?> type) {
        if (type.isPrimitive()) {
            Map<Class<?>, Object> primitives = Map.of(boolean.class, false, long.class, 1L, int.class, 1,
                    double.class, 1.0, float.class, 1.0f, short.class, (short) 1, byte.class, (byte) 1, char.class, 'a');
            return primitives.get(type);
        }
        if (type.isEnum()) {
            return type.getEnumConstants()[0];
        }
        if (type.isArray() && type != byte[].class) {
            return java.lang.reflect.Array.newInstance(type.getComponentType(), 0);
        }
        Supplier<Object> s = samples.get(type);
        return s == null ? NO_SAMPLE : s.get();
    }

    /** Null in the named parameter must give InvalidInputException naming it; returns the problem or null. */
    private final List<AutoCloseable> closeAfter = new ArrayList<>();

    @org.junit.jupiter.api.AfterEach
    void closeSamples() throws Exception {
        for (AutoCloseable c : closeAfter) {
            c.close();
        }
    }

    private String check(Executable m, Object receiver, Object[] args, String name) {
        Object result;
        try {
            result = m instanceof Method mm ? mm.invoke(receiver, args) : ((Constructor<?>) m).newInstance(args);
        } catch (InvocationTargetException e) {
            return judge(e.getCause(), name);
        } catch (ReflectiveOperationException | IllegalArgumentException e) {
            return "cannot call with the samples: " + e;
        }
        if (result instanceof BatpakStore opened) {
            await(opened.closeAsync());
        }
        if (result instanceof AutoCloseable c) {
            closeAfter.add(c);
        }
        if (result instanceof CompletionStage<?> stage) {
            try {
                stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                return judge(e.getCause(), name);
            } catch (Exception e) {
                return "stage did not complete: " + e;
            }
        }
        return "accepted null";
    }

    /**
     * The base type must name the parameter; a subclass names the input in its own terms (the coordinate
     * component, the region, the configuration path), which its type already says.
     */
    private static String judge(Throwable t, String name) {
        if (!(t instanceof InvalidInputException e)) {
            return "threw " + t;
        }
        if (e.getClass() != InvalidInputException.class || e.getMessage().contains(name)) {
            return null;
        }
        return "message does not name the parameter: " + e.getMessage();
    }

    private static String key(Class<?> c, Executable m, Parameter p) {
        String cls = c.getName().substring(c.getPackageName().length() + 1);
        return cls + "." + (m instanceof Constructor ? "<init>" : m.getName()) + "." + p.getName();
    }

    private static List<Executable> executables(Class<?> c) {
        List<Executable> out = new ArrayList<>();
        for (Method m : c.getDeclaredMethods()) {
            int mod = m.getModifiers();
            if (!Modifier.isPublic(mod) || m.isSynthetic() || m.isBridge() || Modifier.isAbstract(mod)
                    || m.getParameterCount() == 0) {
                continue;
            }
            if (c.isInterface() && !Modifier.isStatic(mod)) {
                continue; // default methods of callback interfaces: implemented by users, not called with input
            }
            if (m.getName().equals("equals") && m.getParameterCount() == 1
                    || m.getName().equals("compareTo") && m.getParameterCount() == 1) {
                continue; // equals(null) is false and compareTo(null) throws NullPointerException, by contract
            }
            if (c.isEnum() && m.getName().equals("valueOf")) {
                continue; // compiler-generated
            }
            out.add(m);
        }
        if (!c.isInterface() && !Modifier.isAbstract(c.getModifiers()) && !producedByTheStore(c)) {
            for (Constructor<?> k : c.getConstructors()) {
                if (k.getParameterCount() > 0) {
                    out.add(k);
                }
            }
        }
        out.sort(Comparator.comparing(Executable::toGenericString));
        return out;
    }

    /** Public top-level and nested classes of the public packages, read from their class files. */
    private static List<Class<?>> publicClasses() throws IOException, URISyntaxException, ClassNotFoundException {
        List<Class<?>> out = new ArrayList<>();
        for (Class<?> anchor : List.of(Coordinate.class, BatpakStore.class, BatpakStreams.class)) {
            String pkg = anchor.getPackageName();
            File root = new File(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
            List<String> names = new ArrayList<>();
            String prefix = pkg.replace('.', '/') + "/";
            if (root.isDirectory()) {
                try (Stream<Path> files = Files.list(root.toPath().resolve(prefix))) {
                    files.map(p -> p.getFileName().toString()).forEach(names::add);
                }
            } else {
                try (JarFile jar = new JarFile(root)) {
                    jar.stream().map(e -> e.getName()).filter(n -> n.startsWith(prefix)
                            && n.indexOf('/', prefix.length()) < 0).map(n -> n.substring(prefix.length()))
                            .forEach(names::add);
                }
            }
            for (String n : names) {
                if (!n.endsWith(".class") || n.equals("package-info.class")) {
                    continue;
                }
                Class<?> c = Class.forName(pkg + "." + n.substring(0, n.length() - 6));
                if (Modifier.isPublic(c.getModifiers()) && isReachable(c) && !outOfScope(c)) {
                    out.add(c);
                }
            }
        }
        assertTrue(PACKAGES.containsAll(out.stream().map(Class::getPackageName).distinct().toList()));
        out.sort(Comparator.comparing(Class::getName));
        return out;
    }

    private static boolean isReachable(Class<?> c) {
        for (Class<?> k = c; k != null; k = k.getEnclosingClass()) {
            if (!Modifier.isPublic(k.getModifiers()) || k.isAnonymousClass() || k.isLocalClass()) {
                return false;
            }
        }
        return true;
    }

}
