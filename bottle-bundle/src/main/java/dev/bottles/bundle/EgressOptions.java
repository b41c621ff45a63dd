package dev.bottles.bundle;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * How an {@link EgressProxy} runs. {@link #builder} gives the bundle's defaults.
 *
 * @param listen where the proxy listens (in the bundle: {@code 0.0.0.0:8080})
 * @param routesFile the policy, {@code routes.yaml}; re-read when it changes
 * @param caCertificate the egress CA certificate (PEM), which the agent trusts
 * @param caKey the egress CA key (PEM)
 * @param upstreamProxy pipelock's address when the bundle runs it (every upstream connection is
 *     then a CONNECT through it), or null to dial upstreams directly
 * @param extraAnchors PEM files of CA certificates trusted for upstream TLS beside the system
 *     store (a corporate CA; pipelock's CA when it intercepts)
 * @param tokens looks a credential up by its variable name (the bundle's environment); a value is
 *     never logged
 * @param resolver maps an allowed host to the address dialled
 * @param log where decisions and lifecycle events go
 * @param headTimeout how long a client may take to send a complete request head (slow clients)
 * @param idleTimeout how long a connection or tunnel may be idle in both directions
 * @param connectTimeout how long dialling an upstream may take
 * @param maxHeaderBytes the largest request head accepted (431 beyond)
 * @param ports the ports a client may ask for (CONNECT and {@code http://}); others are refused
 * @param reloadInterval how often the routes file is checked for changes
 * @param secrets the bottle's secret values by name, which no request may carry except on a route
 *     that {@code carries} them (route tokens are added from {@code tokens})
 * @param accessToken the bottle's access credential every client must send as
 *     {@code Proxy-Authorization}, or null to serve any client (tests)
 */
public record EgressOptions(
        InetSocketAddress listen,
        Path routesFile,
        Path caCertificate,
        Path caKey,
        @Nullable InetSocketAddress upstreamProxy,
        List<Path> extraAnchors,
        Function<String, @Nullable String> tokens,
        UpstreamResolver resolver,
        BundleLog log,
        Duration headTimeout,
        Duration idleTimeout,
        Duration connectTimeout,
        int maxHeaderBytes,
        Set<Integer> ports,
        Duration reloadInterval,
        Map<String, String> secrets,
        @Nullable String accessToken) {

    /**
     * Validates and copies.
     *
     * @param listen the listen address
     * @param routesFile the policy
     * @param caCertificate the CA certificate
     * @param caKey the CA key
     * @param upstreamProxy pipelock, or null
     * @param extraAnchors extra trust anchors
     * @param tokens the credential lookup
     * @param resolver the upstream resolver
     * @param log the log
     * @param headTimeout the request-head bound
     * @param idleTimeout the idle bound
     * @param connectTimeout the dial bound
     * @param maxHeaderBytes the head size bound
     * @param ports the allowed ports
     * @param reloadInterval the reload check interval
     * @param secrets the secret values by name
     * @param accessToken the access credential, or null
     */
    public EgressOptions {
        secrets = Map.copyOf(secrets);
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(routesFile, "routesFile");
        Objects.requireNonNull(caCertificate, "caCertificate");
        Objects.requireNonNull(caKey, "caKey");
        extraAnchors = List.copyOf(extraAnchors);
        Objects.requireNonNull(tokens, "tokens");
        Objects.requireNonNull(resolver, "resolver");
        Objects.requireNonNull(log, "log");
        ports = Set.copyOf(ports);
        if (maxHeaderBytes < 1024) {
            throw new IllegalArgumentException("maxHeaderBytes must be at least 1024");
        }
    }

    /**
     * Starts options with the bundle's defaults: listen on {@code 0.0.0.0:8080}, direct upstreams,
     * tokens from the environment, a 10 s head timeout, 10 min idle, 10 s connect, 32 KiB heads,
     * ports 80 and 443, reload checks every second, JSON lines on stdout.
     *
     * @param routesFile the policy
     * @param caCertificate the CA certificate
     * @param caKey the CA key
     * @return a builder
     */
    public static Builder builder(Path routesFile, Path caCertificate, Path caKey) {
        return new Builder(routesFile, caCertificate, caKey);
    }

    /** Builds {@link EgressOptions}; every setter returns the builder. */
    public static final class Builder {
        private final Path routesFile;
        private final Path caCertificate;
        private final Path caKey;
        private InetSocketAddress listen = new InetSocketAddress("0.0.0.0", 8080);
        private @Nullable InetSocketAddress upstreamProxy;
        private List<Path> extraAnchors = List.of();
        private Function<String, @Nullable String> tokens = System::getenv;
        private UpstreamResolver resolver = UpstreamResolver.SYSTEM;
        private BundleLog log = BundleLog.jsonLines(System.out, "", Clock.systemUTC());
        private Duration headTimeout = Duration.ofSeconds(10);
        private Duration idleTimeout = Duration.ofMinutes(10);
        private Duration connectTimeout = Duration.ofSeconds(10);
        private int maxHeaderBytes = 32 * 1024;
        private Map<String, String> secrets = Map.of();
        private @Nullable String accessToken;
        private Set<Integer> ports = Set.of(80, 443);
        private Duration reloadInterval = Duration.ofSeconds(1);

        private Builder(Path routesFile, Path caCertificate, Path caKey) {
            this.routesFile = routesFile;
            this.caCertificate = caCertificate;
            this.caKey = caKey;
        }

        /**
         * Sets the listen address.
         *
         * @param v the address
         * @return this
         */
        public Builder listen(InetSocketAddress v) {
            listen = v;
            return this;
        }

        /**
         * Sets pipelock's address.
         *
         * @param v the address, or null for direct upstreams
         * @return this
         */
        public Builder upstreamProxy(@Nullable InetSocketAddress v) {
            upstreamProxy = v;
            return this;
        }

        /**
         * Sets the extra trust anchors.
         *
         * @param v PEM files
         * @return this
         */
        public Builder extraAnchors(List<Path> v) {
            extraAnchors = v;
            return this;
        }

        /**
         * Sets the credential lookup.
         *
         * @param v name to value
         * @return this
         */
        public Builder tokens(Function<String, @Nullable String> v) {
            tokens = v;
            return this;
        }

        /**
         * Sets the upstream resolver.
         *
         * @param v the resolver
         * @return this
         */
        public Builder resolver(UpstreamResolver v) {
            resolver = v;
            return this;
        }

        /**
         * Sets the log.
         *
         * @param v the log
         * @return this
         */
        public Builder log(BundleLog v) {
            log = v;
            return this;
        }

        /**
         * Sets the request-head bound.
         *
         * @param v the bound
         * @return this
         */
        public Builder headTimeout(Duration v) {
            headTimeout = v;
            return this;
        }

        /**
         * Sets the idle bound.
         *
         * @param v the bound
         * @return this
         */
        public Builder idleTimeout(Duration v) {
            idleTimeout = v;
            return this;
        }

        /**
         * Sets the dial bound.
         *
         * @param v the bound
         * @return this
         */
        public Builder connectTimeout(Duration v) {
            connectTimeout = v;
            return this;
        }

        /**
         * Sets the head size bound.
         *
         * @param v bytes
         * @return this
         */
        public Builder maxHeaderBytes(int v) {
            maxHeaderBytes = v;
            return this;
        }

        /**
         * Sets the bottle's secret values, by name.
         *
         * @param v name to value
         * @return this builder
         */
        public Builder secrets(Map<String, String> v) {
            secrets = v;
            return this;
        }

        /**
         * Sets the access credential clients must send.
         *
         * @param v the credential, or null to serve any client
         * @return this builder
         */
        public Builder accessToken(@Nullable String v) {
            accessToken = v;
            return this;
        }

        /**
         * Sets the ports clients may ask for.
         *
         * @param v the ports
         * @return this
         */
        public Builder ports(Set<Integer> v) {
            ports = v;
            return this;
        }

        /**
         * Sets the reload check interval.
         *
         * @param v the interval
         * @return this
         */
        public Builder reloadInterval(Duration v) {
            reloadInterval = v;
            return this;
        }

        /**
         * Builds the options.
         *
         * @return the options
         */
        public EgressOptions build() {
            return new EgressOptions(
                    listen,
                    routesFile,
                    caCertificate,
                    caKey,
                    upstreamProxy,
                    extraAnchors,
                    tokens,
                    resolver,
                    log,
                    headTimeout,
                    idleTimeout,
                    connectTimeout,
                    maxHeaderBytes,
                    ports,
                    reloadInterval,
                    secrets,
                    accessToken);
        }
    }
}
