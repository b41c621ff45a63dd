package dev.bottles.smolmachines;

/** The settings the smolmachines backend reads (set on the {@code BottleSpec} or in the environment). */
public final class SmolmachinesSettings {
    /** The {@code smolvm} executable; default {@code smolvm} on {@code PATH}. */
    public static final String SMOLVM = "SMOLVM";
    /** Where the guest reaches the host; default by version ({@code 100.96.0.1} from 1.9, else {@code 127.0.0.1}). */
    public static final String HOST_ADDRESS = "BOTTLE_SMOLVM_HOST_ADDRESS";
    /** The {@code .smolmachine} cache; default {@code ~/.cache/claude-bottle/smolmachines}. */
    public static final String CACHE = "BOTTLE_SMOLVM_CACHE";
    /** {@code false} skips the {@code /dev/kvm} preflight (for a fake smolvm in tests). */
    public static final String CHECK_KVM = "BOTTLE_SMOLVM_CHECK_KVM";
    /** How long a VM may take to answer after {@code machine start}; default 120 seconds. */
    public static final String READY_SECONDS = "BOTTLE_SMOLVM_READY_SECONDS";

    private SmolmachinesSettings() {}
}
