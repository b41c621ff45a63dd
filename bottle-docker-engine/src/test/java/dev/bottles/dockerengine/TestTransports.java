package dev.bottles.dockerengine;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Recorded engines answering the calls prepare makes. */
public final class TestTransports {
    private static final Map<DockerEngine, RecordingTransport> TRANSPORTS = new IdentityHashMap<>();

    private TestTransports() {}

    /**
     * Returns an engine whose containers, runtimes and images are these.
     *
     * @param containers names that exist
     * @param runtimes registered runtimes
     * @param images images that exist
     * @return the engine
     */
    public static synchronized DockerEngine engine(Set<String> containers, Set<String> runtimes, Set<String> images) {
        RecordingTransport t = new RecordingTransport();
        t.on("GET", "/containers/", c -> {
            if (c.path().startsWith("/containers/json")) {
                return new RecordingTransport.Answer(200, "[]"); // a listing by label: no bottles yet
            }
            String name = c.path().substring("/containers/".length()).replaceFirst("/json.*", "");
            return containers.contains(name)
                    ? new RecordingTransport.Answer(200, "{\"Id\":\"" + name + "\"}")
                    : new RecordingTransport.Answer(404, "{\"message\":\"No such container: " + name + "\"}");
        });
        t.on("GET", "/images/", c -> {
            String name = c.path().substring("/images/".length()).replaceFirst("/json.*", "");
            return images.contains(name)
                    ? new RecordingTransport.Answer(200, "{\"Id\":\"sha256:1\"}")
                    : new RecordingTransport.Answer(404, "{\"message\":\"No such image\"}");
        });
        StringBuilder rt = new StringBuilder("{");
        runtimes.forEach(r -> rt.append(rt.length() > 1 ? "," : "")
                .append('"')
                .append(r)
                .append("\":{\"path\":\"")
                .append(r)
                .append("\"}"));
        rt.append('}');
        t.on("GET", "/version", 200, "{\"Version\":\"20.10.24\",\"ApiVersion\":\"1.41\"}");
        t.on("GET", "/info", 200, "{\"OperatingSystem\":\"Debian GNU/Linux 12\",\"Runtimes\":" + rt + "}");
        t.on("POST", "/containers/create", 201, "{\"Id\":\"probe1\"}");
        t.on("POST", "/containers/probe1/start", 204, "");
        t.on("DELETE", "/containers/probe1", 204, "");
        DockerEngine e = DockerEngine.over(t, "1.41");
        TRANSPORTS.put(e, t);
        return e;
    }

    /**
     * Returns the runtimes of the containers created on an engine.
     *
     * @param e the engine
     * @return each created container's runtime
     */
    public static synchronized List<String> runtimesStarted(DockerEngine e) {
        List<String> out = new ArrayList<>();
        for (RecordingTransport.Call c : TRANSPORTS.get(e).calls("POST", "/containers/create")) {
            out.add(c.json().path("HostConfig").path("Runtime").asText());
        }
        return out;
    }

    /**
     * Returns the calls that create something and were not undone.
     *
     * @param e the engine
     * @return the paths of creating calls
     */
    public static synchronized List<String> creations(DockerEngine e) {
        return TRANSPORTS.get(e).calls.stream()
                .filter(c -> c.method().equals("POST"))
                .map(RecordingTransport.Call::path)
                .toList();
    }
}
