package dev.bottles.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;

/**
 * A fake Anthropic Messages API for running real Claude Code without the internet: answers
 * {@code POST /v1/messages} (streamed as server-sent events when asked, as Claude Code does) with
 * scripted replies, {@code /v1/messages/count_tokens} with a count, and anything else with a 404;
 * logs every request's method, path and a fingerprint of its credential (never the credential).
 *
 * <p>A reply is used by the first request whose body holds its {@code when} text, once; a request
 * no reply matches gets the default text. Uses only the JDK, so it runs in a tiny container:
 * {@code java -cp testkit.jar dev.bottles.testkit.FakeAnthropicApi --tls /certs/server.p12 --password test}
 * (those are the defaults) serves HTTPS on 443 and a plain control port on 8099 ({@code POST /script?when=..&text=..},
 * {@code POST /script?when=..&tool=NAME} with the tool's JSON input as the body,
 * {@code POST /script?when=..&stall=MILLIS},
 * {@code GET /seen}, {@code POST /reset}); it prints {@value #READY} when it listens.
 */
public final class FakeAnthropicApi implements AutoCloseable {
    /** The line printed when the server listens. */
    public static final String READY = "fake anthropic api ready";
    /** The default reply's text. */
    public static final String DEFAULT_TEXT = "Hello from the fake Anthropic API.";

    private static final Pattern MODEL = Pattern.compile("\"model\"\\s*:\\s*\"([^\"]{1,100})\"");
    private static final Pattern STREAM = Pattern.compile("\"stream\"\\s*:\\s*true");

    private final HttpServer api;
    private final @Nullable HttpServer control;
    private final List<Reply> script = new ArrayList<>();
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final AtomicInteger ids = new AtomicInteger();
    private volatile String defaultText;

    /**
     * A scripted reply.
     *
     * @param when text the request's body must hold
     * @param text the assistant's text, or null for a tool call
     * @param tool the tool to call, or null for text
     * @param input the tool's input as JSON, e.g. {@code {"host":"example.org"}}
     * @param stall how long to hold the request before answering (zero for at once)
     */
    public record Reply(
            String when, @Nullable String text, @Nullable String tool, String input, Duration stall) {
        /**
         * Validates.
         *
         * @param when the match
         * @param text the text, or null
         * @param tool the tool, or null
         * @param input the input
         * @param stall the hold
         */
        public Reply {
            Objects.requireNonNull(when, "when");
            if ((text == null) == (tool == null)) {
                throw new IllegalArgumentException("a reply is either text or a tool call");
            }
        }

        /**
         * A text reply.
         *
         * @param when text the request must hold
         * @param text the assistant's answer
         * @return the reply
         */
        public static Reply text(String when, String text) {
            return new Reply(when, text, null, "{}", Duration.ZERO);
        }

        /**
         * A reply that holds the request open, then answers with the default text.
         *
         * @param when text the request must hold
         * @param stall how long to hold it
         * @return the reply
         */
        public static Reply stall(String when, Duration stall) {
            return new Reply(when, DEFAULT_TEXT, null, "{}", stall);
        }

        /**
         * A tool call.
         *
         * @param when text the request must hold
         * @param tool the tool's name as Claude Code lists it, e.g. {@code mcp__supervise__egress-allow}
         * @param inputJson the tool's input as a JSON object
         * @return the reply
         */
        public static Reply toolUse(String when, String tool, String inputJson) {
            return new Reply(when, null, tool, inputJson, Duration.ZERO);
        }
    }

    /**
     * One request the fake saw.
     *
     * @param method the method
     * @param path the path and query
     * @param credential the first 16 hex digits of the SHA-256 of the {@code Authorization} or
     *     {@code x-api-key} value, or {@code none}
     * @param model the model the body asked for, or empty
     * @param reply what was answered: {@code text}, {@code tool:NAME}, {@code default}, {@code count},
     *     or {@code 404}
     * @param body the request body's first 64 KiB
     */
    public record Seen(String method, String path, String credential, String model, String reply, String body) {
        /**
         * Renders the request as one line (without the body).
         *
         * @return e.g. {@code POST /v1/messages?beta=true cred=ab12.. model=claude-x reply=text}
         */
        public String line() {
            return method + " " + path + " cred=" + credential + " model=" + model + " reply=" + reply;
        }
    }

    private FakeAnthropicApi(HttpServer api, @Nullable HttpServer control, String defaultText) {
        this.api = api;
        this.control = control;
        this.defaultText = defaultText;
        api.createContext("/", this::serve);
        if (control != null) {
            control.createContext("/", this::control);
        }
    }

    /**
     * Starts a fake on loopback over plain HTTP (for in-process tests of API clients).
     *
     * @return the running fake; {@link #port()} tells where
     * @throws IOException when it cannot listen
     */
    public static FakeAnthropicApi startPlain() throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        return start(s, null, DEFAULT_TEXT);
    }

    private static FakeAnthropicApi start(HttpServer api, @Nullable HttpServer control, String text) {
        FakeAnthropicApi f = new FakeAnthropicApi(api, control, text);
        api.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fake-anthropic");
            t.setDaemon(true);
            return t;
        }));
        api.start();
        if (control != null) {
            control.setExecutor(Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "fake-anthropic-control");
                t.setDaemon(true);
                return t;
            }));
            control.start();
        }
        return f;
    }

    /**
     * Runs the fake as a server: {@code --tls FILE.p12 --password PW [--port 443] [--control 8099]
     * [--text DEFAULT]}.
     *
     * @param args the arguments
     * @throws Exception when it cannot start
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> a = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i], args[i + 1]);
        }
        char[] pw = a.getOrDefault("--password", "test").toCharArray();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(Path.of(a.getOrDefault("--tls", "/certs/server.p12")))) {
            ks.load(in, pw);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, pw);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(kmf.getKeyManagers(), null, null);
        HttpsServer https =
                HttpsServer.create(new InetSocketAddress(Integer.parseInt(a.getOrDefault("--port", "443"))), 256);
        https.setHttpsConfigurator(new HttpsConfigurator(ssl));
        HttpServer control =
                HttpServer.create(new InetSocketAddress(Integer.parseInt(a.getOrDefault("--control", "8099"))), 16);
        start(https, control, a.getOrDefault("--text", DEFAULT_TEXT));
        System.out.println(READY);
        System.out.flush();
        Thread.currentThread().join();
    }

    /**
     * Returns the port the API listens on.
     *
     * @return the port
     */
    public int port() {
        return api.getAddress().getPort();
    }

    /**
     * Adds scripted replies.
     *
     * @param replies the replies, used in order of matching
     * @return this fake
     */
    public FakeAnthropicApi script(Reply... replies) {
        synchronized (script) {
            script.addAll(List.of(replies));
        }
        return this;
    }

    /**
     * Returns what the fake has seen so far.
     *
     * @return the requests, oldest first
     */
    public List<Seen> seen() {
        return List.copyOf(seen);
    }

    @Override
    public void close() {
        api.stop(0);
        if (control != null) {
            control.stop(0);
        }
    }

    private void serve(HttpExchange x) throws IOException {
        try (x) {
            byte[] raw = x.getRequestBody().readAllBytes();
            String body = new String(raw, StandardCharsets.UTF_8);
            String path = x.getRequestURI().getRawPath();
            String query = x.getRequestURI().getRawQuery();
            String full = path + (query == null ? "" : "?" + query);
            String cred = fingerprint(first(x, "authorization", first(x, "x-api-key", null)));
            Matcher mm = MODEL.matcher(body);
            String model = mm.find() ? mm.group(1) : "";
            if (!x.getRequestMethod().equals("POST") || !path.startsWith("/v1/messages")) {
                record(x, full, cred, model, "404", body);
                send(
                        x,
                        404,
                        "application/json",
                        "{\"type\":\"error\",\"error\":{\"type\":\"not_found_error\","
                                + "\"message\":\"the fake Anthropic API serves only /v1/messages\"}}");
                return;
            }
            if (path.equals("/v1/messages/count_tokens")) {
                record(x, full, cred, model, "count", body);
                send(x, 200, "application/json", "{\"input_tokens\":" + Math.max(1, raw.length / 4) + "}");
                return;
            }
            Reply r = take(body);
            record(
                    x,
                    full,
                    cred,
                    model,
                    r == null
                            ? "default"
                            : !r.stall().isZero() ? "stall" : r.text() != null ? "text" : "tool:" + r.tool(),
                    body);
            if (r == null) {
                r = Reply.text("", defaultText);
            }
            if (!r.stall().isZero()) {
                try {
                    Thread.sleep(r.stall().toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            String id = "msg_fake_" + ids.incrementAndGet();
            String m = model.isEmpty() ? "claude-fake" : model;
            if (STREAM.matcher(body).find()) {
                stream(x, id, m, r);
            } else {
                send(x, 200, "application/json", message(id, m, r));
            }
        } catch (RuntimeException e) {
            e.printStackTrace();
        }
    }

    private @Nullable Reply take(String body) {
        synchronized (script) {
            for (int i = 0; i < script.size(); i++) {
                if (body.contains(script.get(i).when())) {
                    return script.remove(i);
                }
            }
        }
        return null;
    }

    private void record(HttpExchange x, String path, String cred, String model, String reply, String body) {
        Seen s = new Seen(
                x.getRequestMethod(),
                path,
                cred,
                model,
                reply,
                body.length() > 65536 ? body.substring(0, 65536) : body);
        seen.add(s);
        System.out.println("seen " + s.line());
        System.out.flush();
    }

    private static String message(String id, String model, Reply r) {
        String content = r.text() != null
                ? "{\"type\":\"text\",\"text\":" + quote(r.text()) + "}"
                : "{\"type\":\"tool_use\",\"id\":\"toolu_" + id + "\",\"name\":" + quote(r.tool()) + ",\"input\":"
                        + r.input() + "}";
        return "{\"id\":\"" + id + "\",\"type\":\"message\",\"role\":\"assistant\",\"model\":" + quote(model)
                + ",\"content\":[" + content + "],\"stop_reason\":\"" + (r.text() != null ? "end_turn" : "tool_use")
                + "\",\"stop_sequence\":null,\"usage\":{\"input_tokens\":12,\"output_tokens\":7}}";
    }

    private static void stream(HttpExchange x, String id, String model, Reply r) throws IOException {
        x.getResponseHeaders().set("Content-Type", "text/event-stream");
        x.getResponseHeaders().set("Cache-Control", "no-cache");
        x.getResponseHeaders().set("request-id", "req_" + id);
        x.sendResponseHeaders(200, 0);
        OutputStream out = x.getResponseBody();
        event(
                out,
                "message_start",
                "{\"type\":\"message_start\",\"message\":{\"id\":\"" + id + "\",\"type\":\"message\","
                        + "\"role\":\"assistant\",\"model\":" + quote(model) + ",\"content\":[],\"stop_reason\":null,"
                        + "\"stop_sequence\":null,\"usage\":{\"input_tokens\":12,\"output_tokens\":1}}}");
        if (r.text() != null) {
            event(
                    out,
                    "content_block_start",
                    "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":"
                            + "{\"type\":\"text\",\"text\":\"\"}}");
            String t = r.text();
            int half = t.length() / 2;
            for (String piece : List.of(t.substring(0, half), t.substring(half))) {
                event(
                        out,
                        "content_block_delta",
                        "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
                                + "{\"type\":\"text_delta\",\"text\":" + quote(piece) + "}}");
            }
        } else {
            event(
                    out,
                    "content_block_start",
                    "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":"
                            + "{\"type\":\"tool_use\",\"id\":\"toolu_" + id + "\",\"name\":" + quote(r.tool())
                            + ",\"input\":{}}}");
            event(
                    out,
                    "content_block_delta",
                    "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
                            + "{\"type\":\"input_json_delta\",\"partial_json\":" + quote(r.input()) + "}}");
        }
        event(out, "content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}");
        event(
                out,
                "message_delta",
                "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\""
                        + (r.text() != null ? "end_turn" : "tool_use") + "\",\"stop_sequence\":null},"
                        + "\"usage\":{\"output_tokens\":7}}");
        event(out, "message_stop", "{\"type\":\"message_stop\"}");
        out.close();
    }

    private static void event(OutputStream out, String name, String data) throws IOException {
        out.write(("event: " + name + "\ndata: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private void control(HttpExchange x) throws IOException {
        try (x) {
            String path = x.getRequestURI().getPath();
            Map<String, String> q = query(x.getRequestURI().getRawQuery());
            String body = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            switch (path) {
                case "/script" -> {
                    String when = q.getOrDefault("when", "");
                    script(
                            q.containsKey("stall")
                                    ? Reply.stall(when, Duration.ofMillis(Long.parseLong(q.get("stall"))))
                                    : q.containsKey("tool")
                                            ? Reply.toolUse(when, q.get("tool"), body.isBlank() ? "{}" : body)
                                            : Reply.text(when, q.getOrDefault("text", body)));
                    send(x, 200, "text/plain", "ok\n");
                }
                case "/default" -> {
                    defaultText = body;
                    send(x, 200, "text/plain", "ok\n");
                }
                case "/seen" -> {
                    StringBuilder sb = new StringBuilder();
                    for (Seen s : seen) {
                        sb.append(s.line()).append('\n');
                    }
                    send(x, 200, "text/plain", sb.toString());
                }
                case "/bodies" -> {
                    StringBuilder sb = new StringBuilder();
                    for (Seen s : seen) {
                        sb.append(s.line()).append('\n').append(s.body()).append("\n\n");
                    }
                    send(x, 200, "text/plain", sb.toString());
                }
                case "/reset" -> {
                    synchronized (script) {
                        script.clear();
                    }
                    seen.clear();
                    send(x, 200, "text/plain", "ok\n");
                }
                default -> send(x, 404, "text/plain", "unknown control path\n");
            }
        }
    }

    private static Map<String, String> query(@Nullable String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw != null) {
            for (String kv : raw.split("&")) {
                int eq = kv.indexOf('=');
                if (eq > 0) {
                    out.put(
                            URLDecoder.decode(kv.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return out;
    }

    private static @Nullable String first(HttpExchange x, String header, @Nullable String fallback) {
        String v = x.getRequestHeaders().getFirst(header);
        return v == null ? fallback : v;
    }

    /**
     * Returns the fingerprint the fake logs for a credential.
     *
     * @param value the header's value (e.g. {@code Bearer abc}), or null
     * @return the first 16 hex digits of its SHA-256, or {@code none}
     */
    public static String fingerprint(@Nullable String value) {
        if (value == null) {
            return "none";
        }
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256")
                            .digest(value.strip().getBytes(StandardCharsets.UTF_8)))
                    .substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void send(HttpExchange x, int status, String type, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", type);
        x.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
        if (b.length > 0) {
            x.getResponseBody().write(b);
        }
    }

    /**
     * Quotes a string as JSON.
     *
     * @param s the string
     * @return the JSON string literal
     */
    static String quote(@Nullable String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
