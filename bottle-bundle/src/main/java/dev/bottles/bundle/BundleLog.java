package dev.bottles.bundle;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Where the bundle's daemons report: one event per call, written by {@link #jsonLines} as one JSON
 * object per line on stdout (what {@code docker logs} shows and launch reads for readiness). An event
 * never carries a secret value: callers pass token <em>names</em> only.
 */
@FunctionalInterface
public interface BundleLog {
    /**
     * Records one event.
     *
     * @param daemon the daemon reporting, e.g. {@code egress}
     * @param event what happened, e.g. {@code decision}, {@code ready}
     * @param fields the event's fields, in order; values are strings, numbers, booleans, lists or null
     */
    void event(String daemon, String event, Map<String, ?> fields);

    /**
     * Returns a log writing JSON lines ({@code ts}, {@code bottle}, {@code daemon}, {@code event}, then
     * the fields) to a stream, one line per event, lines never interleaved.
     *
     * @param out the stream, usually {@code System.out}
     * @param bottle the bottle's identity, or empty
     * @param clock the clock for {@code ts}
     * @return the log
     */
    static BundleLog jsonLines(PrintStream out, String bottle, Clock clock) {
        Objects.requireNonNull(out, "out");
        ObjectMapper json = new ObjectMapper();
        return (daemon, event, fields) -> {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("ts", clock.instant().toString());
            if (!bottle.isEmpty()) {
                line.put("bottle", bottle);
            }
            line.put("daemon", daemon);
            line.put("event", event);
            line.putAll(fields);
            String text;
            try {
                text = json.writeValueAsString(line);
            } catch (JsonProcessingException e) {
                text = "{\"daemon\":\"" + daemon + "\",\"event\":\"log-error\"}";
            }
            synchronized (out) {
                out.println(text);
                out.flush();
            }
        };
    }
}
