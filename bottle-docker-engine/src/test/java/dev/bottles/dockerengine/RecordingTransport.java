package dev.bottles.dockerengine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.transport.DockerHttpClient;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A docker-java transport that records each request and answers from rules, so tests see the
 * exact requests docker-java sends (its own serialization) without an engine.
 */
class RecordingTransport implements DockerHttpClient {
    /** One recorded request. */
    record Call(String method, String path, String body) {
        JsonNode json() {
            try {
                return new ObjectMapper().readTree(body);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** One canned answer. */
    record Answer(int status, String body) {}

    private record Rule(String method, String pathPrefix, Function<Call, Answer> answer) {}

    final List<Call> calls = new ArrayList<>();
    private final List<Rule> rules = new ArrayList<>();

    RecordingTransport on(String method, String pathPrefix, int status, String body) {
        return on(method, pathPrefix, c -> new Answer(status, body));
    }

    RecordingTransport on(String method, String pathPrefix, Function<Call, Answer> answer) {
        rules.add(0, new Rule(method, pathPrefix, answer));
        return this;
    }

    List<Call> calls(String method, String pathPrefix) {
        return calls.stream()
                .filter(c -> c.method().equals(method) && c.path().startsWith(pathPrefix))
                .toList();
    }

    @Override
    public Response execute(Request request) {
        byte[] b = request.bodyBytes();
        String path = request.path().replaceFirst("^/v[0-9.]+", "");
        Call call = new Call(request.method(), path, b == null ? "" : new String(b, StandardCharsets.UTF_8));
        calls.add(call);
        Answer a = rules.stream()
                .filter(r -> r.method().equals(call.method()) && call.path().startsWith(r.pathPrefix()))
                .findFirst()
                .map(r -> r.answer().apply(call))
                .orElse(new Answer(500, "{\"message\":\"no rule for " + call.method() + " " + call.path() + "\"}"));
        return new Response() {
            @Override
            public int getStatusCode() {
                return a.status();
            }

            @Override
            public Map<String, List<String>> getHeaders() {
                return Map.of("Content-Type", List.of("application/json"));
            }

            @Override
            public InputStream getBody() {
                return new ByteArrayInputStream(a.body().getBytes(StandardCharsets.UTF_8));
            }

            @Override
            public void close() {
                // nothing to release
            }
        };
    }

    @Override
    public void close() {
        // nothing to release
    }
}
