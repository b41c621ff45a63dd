package dev.bottles.testing;

import dev.bottles.spi.Availability;

/** Fixed-id backends registered in this module's test {@code META-INF/services}. */
public final class TestBackends {
    private TestBackends() {}

    /** Priority 10, available unless told otherwise. */
    public static final class Alpha extends ScriptedBackend {
        public Alpha() {
            super("alpha", 10, Availability.available("alpha ready"));
        }
    }

    /** Priority 5, available unless told otherwise. */
    public static final class Beta extends ScriptedBackend {
        public Beta() {
            super("beta", 5, Availability.available("beta ready"));
        }
    }

    /** Priority 1, unavailable unless told otherwise. */
    public static final class Gamma extends ScriptedBackend {
        public Gamma() {
            super("gamma", 1, Availability.unavailable("gamma is switched off"));
        }
    }

    /** Shares alpha's id; only registered by the duplicate-id test. */
    public static final class AlphaTwin extends ScriptedBackend {
        public AlphaTwin() {
            super("alpha", 0, Availability.available("twin"));
        }
    }

    /** A provider whose constructor fails, as a misconfigured plug-in would. */
    public static final class Broken extends ScriptedBackend {
        public Broken() {
            super("broken", 100, Availability.available("never"));
            throw new IllegalStateException("cannot start: missing native library");
        }
    }
}
