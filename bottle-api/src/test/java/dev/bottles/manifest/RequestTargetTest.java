package dev.bottles.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Request targets as egress decides on them: the walk-arounds of a {@code path_allowlist} that
 * reached the upstream with the real token are refused or land inside the prefix, and a property
 * test checks the promise for random paths and spellings against upstreams that read paths in
 * different ways.
 */
class RequestTargetTest {
    private static final String PREFIX = "/v1/";

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/v1/../admin",
                "/v1/%2e%2e/admin",
                "/v1/%2E%2E/admin",
                "/v1/.%2e/admin",
                "/v1/..%2fadmin",
                "/v1/%2F..%2Fadmin",
                "/v1/;x/../../admin",
                "/v1/..;/admin",
                "/v1/%252e%252e/admin",
                "/v1/%c0%ae%c0%ae/admin",
                "/v1/%00/../admin",
                "/v1/%25%32%65%25%32%65/admin",
                "/v1\\..\\admin",
                "/v1/%5c../admin",
                "/v1//../../admin",
                "/v1/./../admin",
                "/v1/%2e%2e%2fadmin",
                "/v1/x/..%00/admin",
                "/v1/%u002e%u002e/admin",
                "/v1/%e0%80%ae/admin"
            })
    void everyKnownWalkAroundIsRefusedOrStaysInsideThePrefix(String raw) {
        try {
            RequestTarget t = RequestTarget.parse(raw);
            assertFalse(
                    t.under(PREFIX) && t.path().contains("admin") && !t.path().startsWith("/v1/"), raw);
            assertFalse(t.under(PREFIX), raw + " is canonical " + t.path() + ", outside " + PREFIX);
        } catch (RequestTarget.Refused e) {
            assertTrue(e.getMessage().startsWith("request "), e.getMessage());
        }
    }

    @Test
    void canonicalFormsAreDecodedOnceAndSpelledOneWay() {
        RequestTarget t = RequestTarget.parse("/v1/%61b%20c/./d//e/?q=%2F..&x");
        assertEquals("/v1/ab c/d/e/", t.path());
        assertEquals("q=%2F..&x", t.query());
        assertEquals("/v1/ab%20c/d/e/?q=%2F..&x", t.originForm());
        assertEquals("/", RequestTarget.parse("/").path());
        assertEquals("/", RequestTarget.parse("/..").path());
        assertEquals("/a/", RequestTarget.parse("/a/b/..").path());
        assertEquals("/a", RequestTarget.parse("/a").path());
        assertNull(RequestTarget.parse("/a").query());
        assertEquals("/%C3%A9t%C3%A9", RequestTarget.parse("/%c3%a9t%C3%A9").originForm());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "*",
                "v1/x",
                "http://h/v1/",
                "",
                "/a#frag",
                "/a%zz",
                "/a%2",
                "/a b",
                "/a\u00e9",
                "/a?x y",
                "/a?%zz"
            })
    void whatIsNotOriginFormOrIsMalformedIsRefused(String raw) {
        assertThrows(RequestTarget.Refused.class, () -> RequestTarget.parse(raw));
    }

    @Test
    void aPathAllowlistPrefixMustBeCanonical() {
        assertNull(RequestTarget.checkPrefix("/v1/"));
        assertNull(RequestTarget.checkPrefix("/owner/repo"));
        for (String bad : List.of("/v1/../", "/v1//x", "/v1/%2e/", "/a;b/", "/v1/?x")) {
            assertTrue(RequestTarget.checkPrefix(bad) != null, bad);
        }
    }

    /**
     * For random paths made of words, dot segments, separators and parameters, each character
     * percent-encoded at random (either case, sometimes twice): whenever the target is allowed under
     * {@code /v1/}, every way an upstream might read the forwarded target is under {@code /v1/} too,
     * and the forwarded spelling parses back to itself.
     */
    @Test
    void anAllowedTargetIsUnderThePrefixHoweverTheUpstreamReadsIt() {
        Random rnd = new Random(20261130L);
        List<String> pieces = List.of(
                "v1", "admin", "..", ".", "", "x", ";p", "..;", "a b", "\u00e9", "%", "\\", "?", "#", "\u0000", "v1..",
                "..v1", "2e", "2e%2e", "%2e%2e");
        int allowed = 0;
        for (int i = 0; i < 20_000; i++) {
            StringBuilder sb = new StringBuilder(rnd.nextInt(4) == 0 ? "" : "/v1");
            int n = 1 + rnd.nextInt(6);
            for (int k = 0; k < n; k++) {
                sb.append(rnd.nextInt(12) == 0 ? "\\" : "/").append(pieces.get(rnd.nextInt(pieces.size())));
            }
            String raw = encodeRandomly(sb.toString(), rnd);
            RequestTarget t;
            try {
                t = RequestTarget.parse(raw);
            } catch (RequestTarget.Refused e) {
                continue;
            }
            if (!t.under(PREFIX)) {
                continue;
            }
            allowed++;
            String forwarded = t.originForm();
            assertEquals(t, RequestTarget.parse(forwarded), "canonical forms are fixed points: " + raw);
            for (String seen : List.of(rfcUpstream(forwarded), lenientUpstream(forwarded))) {
                assertTrue(seen.startsWith(PREFIX), raw + " forwarded as " + forwarded + " reads as " + seen);
            }
        }
        assertTrue(allowed > 500, "the generator reaches allowed targets: " + allowed);
    }

    private static String encodeRandomly(String s, Random rnd) {
        StringBuilder out = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            boolean mustEncode = c >= 0x80 || c < 0x21 || c == '%';
            int roll = rnd.nextInt(10);
            if (mustEncode || roll < 3) {
                String hex = String.format("%02x", c);
                hex = rnd.nextBoolean() ? hex.toUpperCase(Locale.ROOT) : hex;
                out.append(roll == 0 ? "%25" + hex : "%" + hex);
            } else {
                out.append((char) c);
            }
        }
        return out.toString();
    }

    /** An upstream that follows RFC 3986: decode once per segment, then remove dot segments. */
    private static String rfcUpstream(String target) {
        String path = target.contains("?") ? target.substring(0, target.indexOf('?')) : target;
        Deque<String> out = new ArrayDeque<>();
        String[] segs = path.split("/", -1);
        for (int i = 1; i < segs.length; i++) {
            String s = URLDecoder.decode(segs[i].replace("+", "%2B"), StandardCharsets.UTF_8);
            if (s.equals("..")) {
                out.pollLast();
            } else if (!s.equals(".") && !(s.isEmpty() && i < segs.length - 1)) {
                out.addLast(s);
            }
        }
        return "/" + String.join("/", out);
    }

    /** A lax upstream: decodes twice, reads {@code \} as {@code /}, strips {@code ;params}, collapses {@code //}. */
    private static String lenientUpstream(String target) {
        String path = target.contains("?") ? target.substring(0, target.indexOf('?')) : target;
        String once = URLDecoder.decode(path.replace("+", "%2B"), StandardCharsets.UTF_8);
        String twice;
        try {
            twice = URLDecoder.decode(once.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            twice = once;
        }
        String p = twice.replace('\\', '/').replaceAll(";[^/]*", "").replaceAll("/+", "/");
        Deque<String> out = new ArrayDeque<>();
        String[] segs = p.split("/", -1);
        for (int i = 1; i < segs.length; i++) {
            if (segs[i].equals("..")) {
                out.pollLast();
            } else if (!segs[i].equals(".")) {
                out.addLast(segs[i]);
            }
        }
        return "/" + String.join("/", out);
    }
}
