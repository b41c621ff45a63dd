package dev.bottles.bundle;

import dev.bottles.sidecars.EgressConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/**
 * {@code bundle routes <length>}: replaces egress's live policy with exactly {@code length} bytes read
 * from stdin, checked to be a policy egress can load, written beside the live file and renamed over
 * it, so egress's reload sees the old file or the new one and never half of one. A backend with no
 * host directory in the bundle (kubernetes) pushes an approved route this way over its exec channel;
 * the length makes the end of the input explicit where that channel cannot close stdin.
 */
public final class RoutesPush {
    /** The subcommand. */
    public static final String COMMAND = "routes";
    /** The bundle variable naming the writable live policy file. */
    public static final String ROUTES_ENV = "EGRESS_ROUTES";
    /** The largest policy accepted. */
    public static final int MAX_BYTES = 1 << 20;

    private RoutesPush() {}

    /**
     * Runs the subcommand.
     *
     * @param args {@code routes <length>}
     * @param env the bundle's environment ({@value #ROUTES_ENV} names the file)
     * @param in where the policy comes from
     * @param err where a refusal is explained
     * @return 0 when the policy is in place, 2 when it was refused
     */
    static int run(String[] args, Map<String, String> env, InputStream in, PrintStream err) {
        String target = env.get(ROUTES_ENV);
        if (target == null || target.isBlank()) {
            err.println("routes: " + ROUTES_ENV + " is not set in this bundle; its policy is not pushed");
            return 2;
        }
        int length;
        try {
            length = args.length == 2 ? Integer.parseInt(args[1]) : -1;
        } catch (NumberFormatException e) {
            length = -1;
        }
        if (length < 0 || length > MAX_BYTES) {
            err.println("routes: usage: routes <length>, with 0 <= length <= " + MAX_BYTES);
            return 2;
        }
        try {
            byte[] body = in.readNBytes(length);
            if (body.length != length) {
                err.println("routes: stdin ended after " + body.length + " of " + length + " bytes");
                return 2;
            }
            String text = new String(body, StandardCharsets.UTF_8);
            EgressConfig.parse(text, "the pushed policy");
            Path file = Path.of(target);
            Path tmp = file.resolveSibling("." + file.getFileName() + ".push");
            Files.write(tmp, body);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return 0;
        } catch (IOException | RuntimeException e) {
            err.println("routes: refused: " + e.getMessage());
            return 2;
        }
    }
}
