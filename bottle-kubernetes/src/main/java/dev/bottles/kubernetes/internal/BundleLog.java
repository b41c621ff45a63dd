package dev.bottles.kubernetes.internal;

import dev.bottles.BottleException;
import dev.bottles.kubernetes.KubernetesBottlePlan;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;

/** Reads the bundle pod's log: the bundle says there what it did (ready, routes reloaded, failures). */
final class BundleLog {
    private BundleLog() {}

    /**
     * Returns the last lines of the bundle's log.
     *
     * @param client the client
     * @param plan the bottle
     * @param lines how many
     * @return the lines, or empty when there is no log yet
     */
    static String tail(KubernetesClient client, KubernetesBottlePlan plan, int lines) {
        try {
            String log = client.pods()
                    .inNamespace(plan.namespace())
                    .withName(Names.bundlePod(plan.identity()))
                    .inContainer(Names.BUNDLE_CONTAINER)
                    .tailingLines(lines)
                    .getLog();
            return log == null ? "" : log;
        } catch (KubernetesClientException e) {
            return "";
        }
    }

    /**
     * Waits until the bundle's log holds a line, polling its tail.
     *
     * @param client the client
     * @param plan the bottle
     * @param needle what the line holds
     * @param failure what a line saying it failed holds
     * @param timeout how long to wait
     * @throws BottleException when the failure shows, or the time runs out, with the log's tail
     */
    static void await(
            KubernetesClient client, KubernetesBottlePlan plan, String needle, String failure, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String log = "";
        while (System.nanoTime() < deadline) {
            log = tail(client, plan, 200);
            if (log.contains(needle)) {
                return;
            }
            if (log.contains(failure)) {
                break;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        String[] lines = log.split("\n");
        StringBuilder last = new StringBuilder();
        for (int i = Math.max(0, lines.length - 10); i < lines.length; i++) {
            last.append(lines[i]).append('\n');
        }
        throw new BottleException("the bundle of bottle " + plan.identity() + " did not confirm (" + needle
                + ") within " + timeout.toSeconds() + " s; its log:\n" + last);
    }
}
