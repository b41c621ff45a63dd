package dev.bottles.kubernetes.internal;

import dev.bottles.BottleException;
import dev.bottles.ExecOptions;
import dev.bottles.spi.FoundBottle;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A bottle found on the cluster by identity, for an operator outside the program that launched it. */
public final class FoundKubeBottle implements FoundBottle {
    private final KubernetesClient client;
    private final String namespace;
    private final String identity;
    private final Map<String, String> forwarded;

    /**
     * Wraps a found bottle.
     *
     * @param client the client
     * @param namespace its namespace
     * @param identity its identity
     * @param forwarded the values its launching program forwards into each command
     */
    public FoundKubeBottle(KubernetesClient client, String namespace, String identity, Map<String, String> forwarded) {
        this.client = client;
        this.namespace = namespace;
        this.identity = identity;
        this.forwarded = Map.copyOf(forwarded);
    }

    @Override
    public String identity() {
        return identity;
    }

    @Override
    public int attach(List<String> argv, ExecOptions options) {
        if (options.user() != null) {
            throw new BottleException("Kubernetes exec has no user of its own; drop ExecOptions.user");
        }
        PodExec agent = new PodExec(client, namespace, Names.agentPod(identity), Names.AGENT_CONTAINER);
        Map<String, String> vars = new LinkedHashMap<>(forwarded);
        vars.putAll(options.env());
        return Attach.run(
                agent, vars, options.workingDir() != null ? options.workingDir() : BottleObjects.WORKSPACE, argv);
    }

    @Override
    public void remove() {
        List<String> left = Teardown.remove(client, namespace, identity);
        if (!left.isEmpty()) {
            throw new BottleException("bottle " + identity + " left objects behind: " + String.join("; ", left));
        }
    }
}
