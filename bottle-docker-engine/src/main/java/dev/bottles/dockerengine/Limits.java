package dev.bottles.dockerengine;

import dev.bottles.BottleException;
import java.util.Locale;
import java.util.Map;

/**
 * The containers' resource limits, from settings with defaults that let 50 bottles share a 24 GiB
 * machine: the bundle gets 384 MiB and 256 pids, the agent 1024 pids and no memory limit unless
 * one is set.
 *
 * @param bundleMemory the bundle's memory limit in bytes
 * @param bundlePids the bundle's pids limit
 * @param agentMemory the agent's memory limit in bytes, or 0 for none
 * @param agentPids the agent's pids limit
 */
public record Limits(long bundleMemory, long bundlePids, long agentMemory, long agentPids) {
    /** The bundle's default memory limit. */
    public static final long BUNDLE_MEMORY = 384L << 20;
    /** The bundle's default pids limit. */
    public static final long BUNDLE_PIDS = 256;

    /**
     * Reads the limits from settings.
     *
     * @param settings setting name to value ({@link EngineSettings#BUNDLE_MEMORY} and the others)
     * @return the limits
     * @throws BottleException naming the setting and the fix when a value is malformed
     */
    public static Limits from(Map<String, String> settings) {
        return new Limits(
                bytes(settings, EngineSettings.BUNDLE_MEMORY, BUNDLE_MEMORY),
                count(settings, EngineSettings.BUNDLE_PIDS, BUNDLE_PIDS),
                bytes(settings, EngineSettings.AGENT_MEMORY, 0),
                count(settings, EngineSettings.AGENT_PIDS, ContainerSpec.PIDS_LIMIT));
    }

    private static long bytes(Map<String, String> settings, String name, long dflt) {
        String v = settings.get(name);
        if (v == null || v.isBlank()) {
            return dflt;
        }
        String t = v.strip().toLowerCase(Locale.ROOT);
        long unit = t.endsWith("k") ? 1L << 10 : t.endsWith("m") ? 1L << 20 : t.endsWith("g") ? 1L << 30 : 1;
        try {
            long n = Long.parseLong(unit == 1 ? t : t.substring(0, t.length() - 1)) * unit;
            if (n < 64L << 20) {
                throw new BottleException(name + "=" + v + " is below 64m, too little for a JVM or an agent; raise it");
            }
            return n;
        } catch (NumberFormatException e) {
            throw new BottleException(name + "=" + v + " is not a size; write e.g. 384m or 2g", e);
        }
    }

    private static long count(Map<String, String> settings, String name, long dflt) {
        String v = settings.get(name);
        if (v == null || v.isBlank()) {
            return dflt;
        }
        try {
            long n = Long.parseLong(v.strip());
            if (n < 32) {
                throw new BottleException(name + "=" + v + " is below 32; raise it");
            }
            return n;
        } catch (NumberFormatException e) {
            throw new BottleException(name + "=" + v + " is not a whole number; write e.g. 256", e);
        }
    }
}
