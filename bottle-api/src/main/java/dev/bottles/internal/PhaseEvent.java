package dev.bottles.internal;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** The JFR event recorded for every phase and step of a bottle's life. */
@Name("dev.bottles.Phase")
@Label("Bottle Phase")
@Category({"Bottles"})
@Description("A phase or step of a bottle's life, with its duration")
@StackTrace(false)
public final class PhaseEvent extends jdk.jfr.Event {
    /** The bottle's identity. */
    @Label("Identity")
    public String identity = "";

    /** The backend's id. */
    @Label("Backend")
    public String backend = "";

    /** The phase. */
    @Label("Phase")
    public String phase = "";

    /** The step within the phase. */
    @Label("Step")
    public String step = "";

    /** Whether the step succeeded. */
    @Label("Succeeded")
    public boolean succeeded;
}
