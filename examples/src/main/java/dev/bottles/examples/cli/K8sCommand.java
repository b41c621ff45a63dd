package dev.bottles.examples.cli;

import dev.bottles.docker.DockerImages;
import dev.bottles.kubernetes.EscapeProbe;
import dev.bottles.kubernetes.KubernetesAdmin;
import dev.bottles.kubernetes.KubernetesSettings;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bottle k8s}: what an admin does once before bottles run on a Kubernetes cluster
 * ({@code docs/kubernetes.md}): print or apply the namespace's one-time objects, verify that the
 * cluster enforces the fences, and publish the SDK's images where the nodes pull.
 */
@Command(
        name = "k8s",
        mixinStandardHelpOptions = true,
        description = "Prepares a Kubernetes namespace for bottles (docs/kubernetes.md).",
        subcommands = {K8sCommand.Init.class, K8sCommand.Verify.class, K8sCommand.PushImages.class})
final class K8sCommand implements Runnable {
    @CommandLine.ParentCommand
    BottleCli parent;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(
                new CommandLine(this), "name a command: init, verify, push-images (bottle k8s --help)");
    }

    /** The namespace option the subcommands share. */
    static final class Namespace {
        @Option(names = "--namespace", paramLabel = "NS", description = "default: $BOTTLE_K8S_NAMESPACE or bottles")
        String value;

        String resolve(Io io) {
            if (value != null && !value.isBlank()) {
                return value;
            }
            return io.env().getOrDefault(KubernetesSettings.NAMESPACE, KubernetesSettings.DEFAULT_NAMESPACE);
        }
    }

    /** {@code bottle k8s init}: prints the one-time objects, or applies them. */
    @Command(
            name = "init",
            mixinStandardHelpOptions = true,
            description = "Prints the namespace (restricted Pod Security Standard), its default-deny NetworkPolicy"
                    + " and the SDK's Role; with --apply, creates or updates them on the cluster.")
    static final class Init implements Callable<Integer> {
        @CommandLine.ParentCommand
        K8sCommand k8s;

        @CommandLine.Mixin
        Namespace namespace = new Namespace();

        @Option(names = "--apply", description = "apply them with the current kubeconfig context")
        boolean apply;

        @Override
        public Integer call() {
            Io io = k8s.parent.io();
            String ns = namespace.resolve(io);
            if (!apply) {
                io.out().print(KubernetesAdmin.initYaml(ns));
                io.out().flush();
                return ExitCodes.OK;
            }
            try (KubernetesAdmin admin = KubernetesAdmin.connect()) {
                for (String applied : admin.applyInit(ns)) {
                    io.out().println("applied " + applied);
                }
            }
            io.out()
                    .println("bind Role " + KubernetesAdmin.ROLE + " in " + ns + " to the identity the SDK runs as,"
                            + " then run 'bottle k8s verify'");
            return ExitCodes.OK;
        }
    }

    /** {@code bottle k8s verify}: canary bottles try to escape; the namespace records the result. */
    @Command(
            name = "verify",
            mixinStandardHelpOptions = true,
            description = "Launches two canary bottles and, from the first, tries to reach the internet directly,"
                    + " the cluster's DNS, the API server, the node, the other bottle and the metadata address."
                    + " When every attempt is blocked, records that on the namespace, which the kubernetes"
                    + " backend requires. Needs CLAUDE_BOTTLE_IMAGE and CLAUDE_BOTTLE_SIDECAR_IMAGE.")
    static final class Verify implements Callable<Integer> {
        @CommandLine.ParentCommand
        K8sCommand k8s;

        @CommandLine.Mixin
        Namespace namespace = new Namespace();

        @Option(names = "--no-record", description = "only report; write nothing on the namespace")
        boolean noRecord;

        @Override
        public Integer call() {
            Io io = k8s.parent.io();
            String ns = namespace.resolve(io);
            Map<String, String> settings = new LinkedHashMap<>();
            for (String key : new String[] {
                KubernetesSettings.IMAGE,
                KubernetesSettings.BUNDLE_IMAGE,
                KubernetesSettings.RUNTIME_CLASS,
                KubernetesSettings.AGENT_UID,
                KubernetesSettings.AGENT_HOME,
                KubernetesSettings.NODE_SELECTOR
            }) {
                String v = io.env().get(key);
                if (v != null && !v.isBlank()) {
                    settings.put(key, v);
                }
            }
            PrintWriter out = io.out();
            try (KubernetesAdmin admin = KubernetesAdmin.connect()) {
                KubernetesAdmin.Verification v = admin.verify(ns, settings, !noRecord);
                for (EscapeProbe p : v.probes()) {
                    out.println("  " + p);
                }
                if (v.enforced()) {
                    out.println(ns + ": every escape was blocked"
                            + (v.recorded() != null ? "; recorded: " + v.recorded() : " (not recorded)"));
                    return ExitCodes.OK;
                }
                out.println(ns + ": NOT verified: an attempt escaped or could not tell (see above); bottles must not"
                        + " run here until it is fixed (docs/kubernetes.md)");
                return ExitCodes.FAILED;
            }
        }
    }

    /** {@code bottle k8s push-images}: builds the SDK's images here and pushes them to a registry. */
    @Command(
            name = "push-images",
            mixinStandardHelpOptions = true,
            description = "Builds the SDK's agent and bundle images with the local Docker engine and pushes them"
                    + " to a registry the cluster's nodes pull from; prints the settings to export.")
    static final class PushImages implements Callable<Integer> {
        @CommandLine.ParentCommand
        K8sCommand k8s;

        @Option(
                names = "--registry",
                required = true,
                paramLabel = "R",
                description = "e.g. registry.example:5000/team")
        String registry;

        @Override
        public Integer call() {
            Io io = k8s.parent.io();
            PrintWriter err = io.err();
            try (DockerImages images = DockerImages.connect()) {
                DockerImages.Pair local = images.ensure(Map.of(), line -> {});
                String agent = images.publish(local.agent(), registry, line -> err.println("  " + line));
                String bundle = images.publish(local.bundle(), registry, line -> err.println("  " + line));
                io.out().println(KubernetesSettings.IMAGE + "=" + agent);
                io.out().println(KubernetesSettings.BUNDLE_IMAGE + "=" + bundle);
            }
            return ExitCodes.OK;
        }
    }
}
