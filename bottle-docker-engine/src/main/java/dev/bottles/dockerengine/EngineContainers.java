package dev.bottles.dockerengine;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Ports;
import com.github.dockerjava.api.model.Statistics;
import dev.bottles.BottleException;
import dev.bottles.dockerengine.DockerEngine.ContainerRef;
import dev.bottles.dockerengine.DockerEngine.Lockdown;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The engine's containers: create, connect, start, inspect, stop, remove, list by label, copy in;
 * {@link DockerEngine} delegates here.
 */
final class EngineContainers extends EngineResource {
    EngineContainers(DockerEngine engine, DockerClient client) {
        super(engine, client);
    }

    String createContainer(ContainerSpec spec) {
        HostConfig hc = HostConfig.newHostConfig().withNetworkMode(spec.network());
        ContainerSpec.Hardening h = spec.hardening();
        if (h.dropAll()) {
            hc.withCapDrop(Capability.ALL).withSecurityOpts(List.of("no-new-privileges"));
        }
        if (h.pids() > 0) {
            hc.withPidsLimit(h.pids());
        }
        if (h.memoryBytes() > 0) {
            hc.withMemory(h.memoryBytes()).withMemorySwap(h.memoryBytes());
        }
        if (h.readOnlyRootfs()) {
            hc.withReadonlyRootfs(true);
        }
        if (!h.tmpfs().isEmpty()) {
            hc.withTmpFs(h.tmpfs());
        }
        if (spec.runtime() != null) {
            hc.withRuntime(spec.runtime());
        }
        if (!spec.binds().isEmpty()) {
            hc.withBinds(spec.binds().stream().map(Bind::parse).toList());
        }
        if (!spec.dns().isEmpty()) {
            hc.withDns(spec.dns());
        }
        List<ExposedPort> exposed = new ArrayList<>();
        if (!spec.publishedPorts().isEmpty()) {
            Ports ports = new Ports();
            for (int p : spec.publishedPorts()) {
                ExposedPort e = ExposedPort.tcp(p);
                exposed.add(e);
                ports.bind(e, Ports.Binding.bindIp("127.0.0.1"));
            }
            hc.withPortBindings(ports);
        }
        CreateContainerCmd cmd = client.createContainerCmd(spec.image())
                .withName(spec.name())
                .withEnv(spec.env())
                .withLabels(Labels.owned(spec.labels()))
                .withHostConfig(hc);
        if (!spec.cmd().isEmpty()) {
            cmd.withCmd(spec.cmd());
        }
        if (h.user() != null) {
            cmd.withUser(h.user());
        }
        if (!exposed.isEmpty()) {
            cmd.withExposedPorts(exposed);
        }
        if (spec.ipv4() != null) {
            cmd.withIpv4Address(spec.ipv4());
        }
        if (!spec.aliases().isEmpty()) {
            cmd.withAliases(spec.aliases());
        }
        try {
            return cmd.exec().getId();
        } catch (ConflictException e) {
            throw new BottleException("container name " + spec.name() + " is taken: " + e.getMessage(), e);
        } catch (NotFoundException e) {
            throw new BottleException(
                    "image " + spec.image() + " is not on the engine (" + e.getMessage() + "); build"
                            + " or pull it first",
                    e);
        } catch (DockerException e) {
            throw new BottleException("cannot create container " + spec.name() + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw engine.unreachable(e);
        }
    }

    void connect(String container, String network, List<String> aliases) {
        try {
            client.connectToNetworkCmd()
                    .withContainerId(container)
                    .withNetworkId(network)
                    .withContainerNetwork(new ContainerNetwork().withAliases(aliases))
                    .exec();
        } catch (DockerException e) {
            throw new BottleException("cannot connect " + container + " to " + network + ": " + e.getMessage(), e);
        }
    }

    void start(String container) {
        try {
            client.startContainerCmd(container).exec();
        } catch (NotModifiedException e) {
            return;
        } catch (DockerException e) {
            throw new BottleException("cannot start container " + container + ": " + e.getMessage(), e);
        }
    }

    boolean removeContainer(String container) {
        try {
            client.removeContainerCmd(container)
                    .withForce(true)
                    .withRemoveVolumes(true)
                    .exec();
            return true;
        } catch (NotFoundException e) {
            return false;
        } catch (ConflictException e) {
            if (String.valueOf(e.getMessage()).contains("already in progress")) {
                return false;
            }
            throw new BottleException("cannot remove container " + container + ": " + e.getMessage(), e);
        } catch (DockerException e) {
            throw new BottleException("cannot remove container " + container + ": " + e.getMessage(), e);
        }
    }

    boolean containerExists(String nameOrId) {
        return found(
                "container " + nameOrId,
                () -> client.inspectContainerCmd(nameOrId).exec());
    }

    List<String> containerEnv(String container) {
        String[] env = client.inspectContainerCmd(container).exec().getConfig().getEnv();
        return env == null ? List.of() : List.of(env);
    }

    Lockdown lockdown(String container) {
        InspectContainerResponse r = client.inspectContainerCmd(container).exec();
        HostConfig h = r.getHostConfig();
        List<String> caps = new ArrayList<>();
        if (h.getCapDrop() != null) {
            for (Capability c : h.getCapDrop()) {
                caps.add(c.name());
            }
        }
        return new Lockdown(
                String.valueOf(
                        r.getConfig().getUser() == null ? "" : r.getConfig().getUser()),
                caps,
                h.getSecurityOpts() == null ? List.of() : h.getSecurityOpts(),
                Boolean.TRUE.equals(h.getReadonlyRootfs()),
                h.getPidsLimit() == null ? 0 : h.getPidsLimit(),
                h.getMemory() == null ? 0 : h.getMemory(),
                h.getTmpFs() == null ? Map.of() : h.getTmpFs());
    }

    long memoryUsage(String container) {
        Statistics[] got = new Statistics[1];
        try (var cb = client.statsCmd(container).withNoStream(true).exec(new ResultCallback.Adapter<Statistics>() {
            @Override
            public void onNext(Statistics st) {
                got[0] = st;
            }
        })) {
            cb.awaitCompletion(10, TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new BottleException("cannot read the stats of " + container + " (" + e + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        var mem = got[0] == null ? null : got[0].getMemoryStats();
        if (mem == null || mem.getUsage() == null) {
            return 0;
        }
        long cache = mem.getStats() == null || mem.getStats().getInactiveFile() == null
                ? 0
                : mem.getStats().getInactiveFile();
        return mem.getUsage() - cache;
    }

    Map<String, String> containerAddresses(String container) {
        InspectContainerResponse r = client.inspectContainerCmd(container).exec();
        Map<String, String> out = new LinkedHashMap<>();
        r.getNetworkSettings().getNetworks().forEach((n, c) -> out.put(n, c.getIpAddress()));
        return out;
    }

    Optional<Integer> hostPort(String container, int port) {
        Ports ports = client.inspectContainerCmd(container)
                .exec()
                .getNetworkSettings()
                .getPorts();
        Ports.Binding[] b = ports == null ? null : ports.getBindings().get(ExposedPort.tcp(port));
        if (b == null || b.length == 0 || b[0].getHostPortSpec() == null) {
            return Optional.empty();
        }
        return Optional.of(Integer.parseInt(b[0].getHostPortSpec()));
    }

    List<ContainerRef> containers(Map<String, String> labels) {
        List<ContainerRef> out = new ArrayList<>();
        for (Container c : client.listContainersCmd()
                .withShowAll(true)
                .withLabelFilter(labels)
                .exec()) {
            String name = c.getNames() == null || c.getNames().length == 0
                    ? c.getId()
                    : c.getNames()[0].replaceFirst("^/", "");
            out.add(new ContainerRef(
                    c.getId(), name, c.getLabels() == null ? Map.of() : c.getLabels(), "running".equals(c.getState())));
        }
        return out;
    }

    int stop(String container, int graceSeconds) {
        try {
            client.stopContainerCmd(container).withTimeout(graceSeconds).exec();
            Long code = client.inspectContainerCmd(container).exec().getState().getExitCodeLong();
            return code == null ? -1 : code.intValue();
        } catch (DockerException e) {
            throw new BottleException("cannot stop " + container + ": " + e.getMessage(), e);
        }
    }

    void copyTar(String container, String remotePath, InputStream tar) {
        try {
            client.copyArchiveToContainerCmd(container)
                    .withRemotePath(remotePath)
                    .withTarInputStream(tar)
                    .exec();
        } catch (DockerException e) {
            throw new BottleException(
                    "cannot copy files into " + container + ":" + remotePath + ": " + e.getMessage(), e);
        }
    }

    InputStream copyFrom(String container, String path) {
        try {
            return client.copyArchiveFromContainerCmd(container, path).exec();
        } catch (DockerException e) {
            throw new BottleException("cannot copy " + container + ":" + path + " out: " + e.getMessage(), e);
        }
    }
}
