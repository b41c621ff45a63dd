package dev.bottles.manifest;

import dev.bottles.BottleException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A request target in the one spelling egress decides on and forwards: the path percent-decoded
 * (RFC 3986 §2.1), empty segments collapsed, dot segments removed (§5.2.4) and re-encoded
 * canonically, the query kept as sent. {@link #parse} refuses what an upstream could read another
 * way than egress does: an encoded {@code /} or {@code \}, a raw {@code \}, NUL or control bytes, a
 * {@code ;} path parameter, an encoded {@code %} (so no double-encoded escape such as {@code %252e}), invalid or
 * overlong UTF-8, and any
 * target that is not origin-form. Egress and the testkit both decide through
 * the egress policy's decide(host, target), which uses this class, so they cannot disagree.
 *
 * @param path the canonical path, decoded (what a {@code path_allowlist} prefix is matched against)
 * @param query the query as sent, without {@code ?}, or null when there is none
 */
public record RequestTarget(String path, @Nullable String query) {
    private static final String UNRESERVED_AND_SAFE = "-._~!$&'()*+,=:@";

    /**
     * Validates the parts.
     *
     * @param path the canonical decoded path
     * @param query the raw query, or null
     */
    public RequestTarget {
        Objects.requireNonNull(path, "path");
    }

    /** Why a target was refused; the message is the reason egress answers with. */
    public static final class Refused extends BottleException {
        private static final long serialVersionUID = 1L;

        Refused(String reason) {
            super(reason);
        }
    }

    /**
     * Canonicalises an origin-form request target.
     *
     * @param raw the target as sent, e.g. {@code /v1/models?x=1}
     * @return the canonical target
     * @throws Refused when the target is ambiguous or not origin-form
     */
    public static RequestTarget parse(String raw) {
        if (raw.isEmpty() || raw.charAt(0) != '/') {
            throw new Refused("request target " + printable(raw) + " is not origin-form (it must start with /)");
        }
        int q = raw.indexOf('?');
        String rawPath = q < 0 ? raw : raw.substring(0, q);
        String query = q < 0 ? null : raw.substring(q + 1);
        if (raw.indexOf('#') >= 0) {
            throw new Refused("request target holds a fragment (#)");
        }
        checkQuery(query);
        List<String> segments = new ArrayList<>();
        int start = 1;
        boolean trailingSlash = false;
        while (start <= rawPath.length()) {
            int end = rawPath.indexOf('/', start);
            if (end < 0) {
                end = rawPath.length();
            }
            String seg = decodeSegment(rawPath.substring(start, end));
            trailingSlash = end < rawPath.length() || seg.equals(".") || seg.equals("..");
            if (seg.equals("..")) {
                if (!segments.isEmpty()) {
                    segments.remove(segments.size() - 1);
                }
            } else if (!seg.isEmpty() && !seg.equals(".")) {
                segments.add(seg);
            }
            if (end == rawPath.length()) {
                trailingSlash = trailingSlash || (end > 0 && rawPath.charAt(end - 1) == '/');
            }
            start = end + 1;
        }
        StringBuilder p = new StringBuilder();
        for (String s : segments) {
            p.append('/').append(s);
        }
        if (p.length() == 0 || trailingSlash) {
            p.append('/');
        }
        return new RequestTarget(p.toString(), query);
    }

    /**
     * Returns the target to forward: the canonical path percent-encoded one way, then the query.
     *
     * @return e.g. {@code /v1/a%20b?x=1}
     */
    public String originForm() {
        StringBuilder sb = new StringBuilder();
        byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
        for (byte b : bytes) {
            int c = b & 0xff;
            if (c == '/' || (c < 0x80 && (Character.isLetterOrDigit(c) || UNRESERVED_AND_SAFE.indexOf(c) >= 0))) {
                sb.append((char) c);
            } else {
                sb.append('%')
                        .append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return query == null ? sb.toString() : sb.append('?').append(query).toString();
    }

    /**
     * Tells whether the path lies under a prefix of a {@code path_allowlist}.
     *
     * @param prefix a prefix such as {@code /v1/}
     * @return true when the canonical path starts with it
     */
    public boolean under(String prefix) {
        return path.startsWith(prefix);
    }

    /**
     * Tells whether a {@code path_allowlist} prefix is already canonical, so a manifest can refuse one
     * no request could ever match the way it reads.
     *
     * @param prefix the prefix
     * @return null when it is canonical, else why not
     */
    public static @Nullable String checkPrefix(String prefix) {
        try {
            RequestTarget t = parse(prefix);
            if (t.query() != null || !t.path().equals(prefix) || prefix.indexOf('%') >= 0) {
                return "'" + prefix + "' is not a canonical path (no %-escapes, dot segments, '//' or '?')";
            }
            return null;
        } catch (Refused e) {
            return e.getMessage();
        }
    }

    private static void checkQuery(@Nullable String query) {
        if (query == null) {
            return;
        }
        for (int i = 0; i < query.length(); i++) {
            char c = query.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                throw new Refused("request query holds a raw control, space or non-ASCII character");
            }
            if (c == '%' && (i + 2 >= query.length() || hex(query.charAt(i + 1)) < 0 || hex(query.charAt(i + 2)) < 0)) {
                throw new Refused("request query holds an invalid %-escape");
            }
        }
    }

    private static String decodeSegment(String seg) {
        if (seg.indexOf('%') < 0) {
            for (int i = 0; i < seg.length(); i++) {
                checkRaw(seg.charAt(i));
            }
            return seg;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(seg.length());
        for (int i = 0; i < seg.length(); i++) {
            char c = seg.charAt(i);
            if (c != '%') {
                checkRaw(c);
                out.write(c);
                continue;
            }
            if (i + 2 >= seg.length() || hex(seg.charAt(i + 1)) < 0 || hex(seg.charAt(i + 2)) < 0) {
                throw new Refused("request path holds an invalid %-escape");
            }
            int b = hex(seg.charAt(i + 1)) << 4 | hex(seg.charAt(i + 2));
            i += 2;
            if (b == '/' || b == '\\') {
                throw new Refused("request path holds an encoded " + (b == '/' ? "/" : "\\") + " (%"
                        + Integer.toHexString(b).toUpperCase(Locale.ROOT) + "), which upstreams read differently");
            }
            if (b < 0x20 || b == 0x7f) {
                throw new Refused("request path holds an encoded control byte (NUL or below 0x20)");
            }
            if (b == ';') {
                throw new Refused("request path holds an encoded ; (a path parameter upstreams may strip)");
            }
            if (b == '%') {
                throw new Refused("request path holds an encoded % (%25): an upstream that decodes twice would read"
                        + " what follows as another escape");
            }
            out.write(b);
        }
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(out.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new Refused("request path decodes to invalid or overlong UTF-8");
        }
    }

    private static void checkRaw(char c) {
        if (c == ';') {
            throw new Refused("request path holds a ; path parameter, which upstreams may strip or read differently");
        }
        if (c == '\\') {
            throw new Refused("request path holds a \\, which some upstreams read as /");
        }
        if (c <= 0x20 || c >= 0x7f) {
            throw new Refused("request path holds a raw control, space or non-ASCII character; percent-encode it");
        }
    }

    private static int hex(char c) {
        return Character.digit(c, 16) < 0 || c > 'f' ? -1 : Character.digit(c, 16);
    }

    private static String printable(String raw) {
        String s = raw.length() > 80 ? raw.substring(0, 80) + "..." : raw;
        return s.replaceAll("[^\\x21-\\x7e]", "?");
    }
}
