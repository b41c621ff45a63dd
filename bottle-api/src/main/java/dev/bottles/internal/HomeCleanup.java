package dev.bottles.internal;

import dev.bottles.BottleException;
import dev.bottles.spi.BottleBackend;
import dev.bottles.spi.CleanupReport;
import dev.bottles.spi.CleanupRequest;
import dev.bottles.state.BottleHome;
import dev.bottles.state.StateDir;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The cleanup of {@link dev.bottles.Bottles#cleanup(CleanupRequest, BottleHome)} on backends
 * already found available, which the reaper keeps from one round to the next.
 */
public final class HomeCleanup {
    private HomeCleanup() {}

    /**
     * Removes what no live bottle holds on the given backends, then the home's state dirs that no
     * live bottle holds, within the request's scope.
     *
     * @param request what to do
     * @param home the bottle home
     * @param available the backends to clean, each available
     * @return what was (or would be) removed
     */
    public static CleanupReport run(CleanupRequest request, BottleHome home, List<BottleBackend> available) {
        // an owner on another host cannot be checked from here; its lease in this home can
        Instant now = Instant.now();
        Set<String> expired = new HashSet<>(request.expired());
        for (StateDir s : home.states()) {
            if (s.owner().filter(o -> !o.onThisHost()).isPresent() && s.ownerGone(now)) {
                expired.add(s.identity());
            }
        }
        CleanupRequest judged = request.expiring(expired);
        CleanupReport report = CleanupReport.empty();
        Set<String> live = new HashSet<>();
        for (BottleBackend b : available) {
            report = report.plus(b.cleanup(judged));
            b.list().forEach(s -> live.add(s.identity()));
        }
        List<String> removed = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        for (StateDir s : home.states()) {
            if (!judged.covers(s.identity()) || s.isHeld() || live.contains(s.identity())) {
                continue;
            }
            if (s.wasLaunched()) {
                // its owner died while it ran (kill -9, a crash): kept for resume, as for an agent that failed
                if (!request.dryRun()) {
                    s.preserve();
                }
                continue;
            }
            String why = stateReason(s);
            try {
                if (!request.dryRun()) {
                    s.delete();
                }
                removed.add("state " + s.path() + " (" + why + ")");
            } catch (BottleException e) {
                failed.add("state " + s.path() + ": " + e.getMessage());
            }
        }
        return report.plus(new CleanupReport(removed, failed));
    }

    private static String stateReason(StateDir s) {
        return s.owner()
                .map(o -> "never came up; owner pid " + o.pid() + " on " + o.host() + " is gone")
                .orElse("never came up; no owner recorded, untouched for five minutes");
    }
}
