package dev.bottles.dockerengine;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Network;
import dev.bottles.BottleException;
import dev.bottles.dockerengine.DockerEngine.NetworkRef;
import dev.bottles.dockerengine.DockerEngine.PoolOverlapException;
import dev.bottles.spi.Subnet;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The engine's networks: create with a pinned subnet, remove, list by label; {@link DockerEngine}
 * delegates here.
 */
final class EngineNetworks extends EngineResource {
    private static final System.Logger LOG = System.getLogger(DockerEngine.class.getName());

    EngineNetworks(DockerEngine engine, DockerClient client) {
        super(engine, client);
    }

    String createNetwork(String name, Subnet subnet, boolean internal, Map<String, String> labels) {
        try {
            return client.createNetworkCmd()
                    .withName(name)
                    .withDriver("bridge")
                    .withInternal(internal)
                    .withCheckDuplicate(true)
                    .withLabels(Labels.owned(labels))
                    .withOptions(internal ? Map.of(DockerEngine.INHIBIT_IPV4, "true") : Map.of())
                    .withIpam(new Network.Ipam()
                            .withDriver("default")
                            .withConfig(new Network.Ipam.Config()
                                    .withSubnet(subnet.cidr())
                                    .withGateway(subnet.gateway())
                                    .withIpRange(dynamicRange(subnet))))
                    .exec()
                    .getId();
        } catch (ConflictException e) {
            return client.inspectNetworkCmd().withNetworkId(name).exec().getId();
        } catch (DockerException e) {
            if (e.getHttpStatus() == 403 && String.valueOf(e.getMessage()).contains("Pool overlaps")) {
                throw new PoolOverlapException("subnet " + subnet + " overlaps another network", e);
            }
            throw new BottleException("cannot create network " + name + " (" + subnet + "): " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw engine.unreachable(e);
        }
    }

    static String dynamicRange(Subnet subnet) {
        return subnet.first() + "." + subnet.second() + "." + subnet.third() + ".128/25";
    }

    boolean removeNetwork(String nameOrId) {
        for (int attempt = 1; ; attempt++) {
            try {
                client.removeNetworkCmd(nameOrId).exec();
                return true;
            } catch (NotFoundException e) {
                return false;
            } catch (DockerException e) {
                // dockerd detaches a force-removed container's endpoints asynchronously: retry briefly.
                if (String.valueOf(e.getMessage()).contains("active endpoints")
                        && attempt < DockerEngine.ENDPOINT_RETRIES) {
                    EngineExec.sleep(100);
                    continue;
                }
                LOG.log(Level.WARNING, "cannot remove network " + nameOrId + ": " + e.getMessage());
                throw new BottleException("cannot remove network " + nameOrId + ": " + e.getMessage(), e);
            }
        }
    }

    List<NetworkRef> networks(Map<String, String> labels) {
        List<String> filter = labels.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.toList());
        List<NetworkRef> out = new ArrayList<>();
        for (Network n : client.listNetworksCmd().withFilter("label", filter).exec()) {
            Map<String, String> l = n.getLabels() == null ? Map.of() : n.getLabels();
            if (l.entrySet().containsAll(labels.entrySet())) {
                out.add(new NetworkRef(n.getId(), n.getName(), l));
            }
        }
        return out;
    }
}
