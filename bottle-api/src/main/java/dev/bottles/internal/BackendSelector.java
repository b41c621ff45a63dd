package dev.bottles.internal;

import dev.bottles.BackendStatus;
import dev.bottles.BackendUnavailableException;
import dev.bottles.BottleException;
import dev.bottles.spi.Availability;
import dev.bottles.spi.BottleBackend;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Finds backends with a fresh {@link ServiceLoader} per call and chooses one ({@code docs/architecture.md} §3, step 1):
 * an explicit id (spec, then system property {@code bottle.backend}, then env {@code BOTTLE_BACKEND},
 * then {@code CLAUDE_BOTTLE_BACKEND}) wins; otherwise the available backend of highest priority.
 * A provider that fails to load is reported and skipped; two backends with one id are an error.
 */
public final class BackendSelector {
    /** The system property choosing a backend. */
    public static final String PROPERTY = "bottle.backend";
    /** The environment variables choosing a backend, in order. */
    public static final List<String> ENV = List.of("BOTTLE_BACKEND", "CLAUDE_BOTTLE_BACKEND");

    private static final System.Logger LOG = System.getLogger(BackendSelector.class.getName());
    private static final Pattern PROVIDER = Pattern.compile("Provider (\\S+)");
    private static final int MAX_PROVIDERS = 1_000;

    private final ClassLoader loader;

    /**
     * Creates a selector over the providers visible to a class loader.
     *
     * @param loader where to look for {@code META-INF/services/dev.bottles.spi.BottleBackend}
     */
    public BackendSelector(ClassLoader loader) {
        this.loader = loader;
    }

    /**
     * Creates a selector over the thread's context class loader, or this library's.
     *
     * @return the selector
     */
    public static BackendSelector standard() {
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        return new BackendSelector(cl != null ? cl : BackendSelector.class.getClassLoader());
    }

    /**
     * The backends found and the providers that failed to load.
     *
     * @param backends the loaded backends, by descending priority then id
     * @param broken each failed provider and why
     */
    public record Discovery(List<BottleBackend> backends, Map<String, String> broken) {
        /**
         * Copies.
         *
         * @param backends the loaded backends, by descending priority then id
         * @param broken each failed provider and why
         */
        public Discovery {
            backends = List.copyOf(backends);
            broken = Collections.unmodifiableMap(new LinkedHashMap<>(broken));
        }
    }

    /**
     * A choice and where it came from.
     *
     * @param id the backend id asked for
     * @param source e.g. "the BOTTLE_BACKEND environment variable"
     */
    public record Request(String id, String source) {}

    /**
     * Works out which backend was asked for explicitly, if any.
     *
     * @param specChoice the id set on the spec, or null
     * @param environment the host environment
     * @return the request, or null when nothing was asked for
     */
    public static @Nullable Request requested(@Nullable String specChoice, Map<String, String> environment) {
        if (specChoice != null && !specChoice.isBlank()) {
            return new Request(specChoice.strip(), "BottleSpec.backend");
        }
        String prop = System.getProperty(PROPERTY);
        if (prop != null && !prop.isBlank()) {
            return new Request(prop.strip(), "the system property " + PROPERTY);
        }
        for (String name : ENV) {
            String v = environment.get(name);
            if (v != null && !v.isBlank()) {
                return new Request(v.strip(), "the " + name + " environment variable");
            }
        }
        return null;
    }

    /**
     * Loads every provider.
     *
     * @return what was found
     * @throws BottleException when two backends share an id
     */
    public Discovery discover() {
        List<BottleBackend> found = new ArrayList<>();
        Map<String, String> broken = new LinkedHashMap<>();
        Iterator<BottleBackend> it =
                ServiceLoader.load(BottleBackend.class, loader).iterator();
        for (int i = 0; i < MAX_PROVIDERS; i++) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                found.add(it.next());
            } catch (ServiceConfigurationError e) {
                String key = providerName(e, broken.size());
                String reason = "failed to load: " + rootMessage(e).replace(BottleBackend.class.getName() + ": ", "");
                broken.put(key, reason);
                LOG.log(Level.WARNING, "skipping bottle backend " + key + ": " + reason, e);
            }
        }
        Map<String, BottleBackend> byId = new HashMap<>();
        for (BottleBackend b : found) {
            BottleBackend other = byId.putIfAbsent(b.id(), b);
            if (other != null) {
                throw new BottleException("two bottle backends have the id '" + b.id() + "': "
                        + other.getClass().getName() + " and " + b.getClass().getName()
                        + "; remove one of their jars from the classpath");
            }
        }
        found.sort(Comparator.comparingInt(BottleBackend::priority).reversed().thenComparing(BottleBackend::id));
        return new Discovery(found, broken);
    }

    /**
     * Chooses the backend for a launch.
     *
     * @param request the explicit choice, or null to choose by priority and availability
     * @return the backend
     * @throws BackendUnavailableException when the choice is missing or unavailable, or none is
     *     available
     */
    public BottleBackend select(@Nullable Request request) {
        Discovery d = discover();
        if (request != null) {
            BottleBackend chosen = d.backends().stream()
                    .filter(b -> b.id().equals(request.id()))
                    .findFirst()
                    .orElse(null);
            if (chosen == null) {
                Map<String, String> reasons = new LinkedHashMap<>();
                for (BottleBackend b : d.backends()) {
                    reasons.put(b.id(), "present, not requested");
                }
                reasons.putAll(d.broken());
                throw new BackendUnavailableException(
                        "backend '" + request.id() + "' was requested by " + request.source() + ", but no such backend"
                                + " is on the classpath:",
                        reasons,
                        "add the backend's jar to the classpath, or request one of: "
                                + String.join(
                                        ", ",
                                        d.backends().stream()
                                                .map(BottleBackend::id)
                                                .toList()));
            }
            Availability a = probe(chosen);
            if (!a.available()) {
                throw new BackendUnavailableException(
                        "backend '" + request.id() + "' was requested by " + request.source() + ", but it is not"
                                + " available:",
                        Map.of(chosen.id(), a.reason()),
                        "fix what the reason says, or request another backend");
            }
            return chosen;
        }
        Map<String, String> reasons = new LinkedHashMap<>();
        for (BottleBackend b : d.backends()) {
            Availability a = probe(b);
            if (a.available()) {
                return b;
            }
            reasons.put(b.id(), a.reason());
        }
        reasons.putAll(d.broken());
        throw new BackendUnavailableException(
                "no bottle backend is available:",
                reasons,
                "fix one backend's reason, or add a backend (e.g. dev.bottles:bottle-docker) to the classpath");
    }

    /**
     * Probes every backend found.
     *
     * @return each backend's status, then each broken provider's
     */
    public List<BackendStatus> statuses() {
        Discovery d = discover();
        List<BackendStatus> out = new ArrayList<>();
        for (BottleBackend b : d.backends()) {
            out.add(new BackendStatus(b.id(), b.priority(), probe(b)));
        }
        d.broken().forEach((k, v) -> out.add(new BackendStatus(k, Integer.MIN_VALUE, Availability.unavailable(v))));
        return out;
    }

    /**
     * Probes one backend; a probe that throws counts as unavailable.
     *
     * @param b the backend
     * @return its availability
     */
    public static Availability probe(BottleBackend b) {
        try {
            Availability a = b.probe();
            return a != null
                    ? a
                    : Availability.unavailable(
                            "probe() returned null (a bug in " + b.getClass().getName() + ")");
        } catch (RuntimeException | LinkageError e) {
            LOG.log(Level.DEBUG, "probe of backend " + b.id() + " failed", e);
            return Availability.unavailable("probe failed: " + rootMessage(e));
        }
    }

    private static String providerName(ServiceConfigurationError e, int n) {
        Matcher m = PROVIDER.matcher(String.valueOf(e.getMessage()));
        return m.find() ? m.group(1) : "provider #" + (n + 1);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + t + ")";
    }
}
