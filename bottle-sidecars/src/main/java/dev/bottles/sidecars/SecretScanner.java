package dev.bottles.sidecars;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Finds a bottle's secrets in bytes leaving the bottle: egress scans request lines, headers and
 * bodies with it, the git gate scans pushed commits. One rule set for both:
 *
 * <ul>
 *   <li>the bottle's own secret values, each in its plain, base64 (standard and URL alphabets, at
 *       every byte alignment) and hex (lower and upper case) forms, and percent-encoded: every
 *       window holding a {@code %} is also scanned decoded ({@code +} read as a space), up to three
 *       times over for double and triple encoding;
 *   <li>well-known token shapes ({@link #RULES}): GitHub, GitLab, AWS, Slack, Anthropic and OpenAI
 *       keys, and private key blocks.
 * </ul>
 *
 * <p>Values shorter than {@value #MIN_SECRET} characters are not looked for: they would match
 * ordinary text. A secret split across requests, or transformed otherwise (reversed, encrypted,
 * compressed), is not found; DLP here catches the plain exfiltration a prompt injection asks for,
 * and credential routes keep their tokens out of the bottle altogether. Matching is a single pass
 * over each byte with a two-byte prefilter; a finding names the secret or rule and the form, never
 * the value.
 */
public final class SecretScanner {
    /** The shortest value looked for. */
    public static final int MIN_SECRET = 8;

    /** A well-known token shape: a literal prefix, then a tail the regex must match. */
    record Rule(String name, String prefix, Pattern tail) {}

    /** The well-known token shapes, by name. */
    static final List<Rule> RULES = List.of(
            new Rule("github-token", "ghp_", Pattern.compile("[A-Za-z0-9]{36,}")),
            new Rule("github-token", "gho_", Pattern.compile("[A-Za-z0-9]{36,}")),
            new Rule("github-token", "ghu_", Pattern.compile("[A-Za-z0-9]{36,}")),
            new Rule("github-token", "ghs_", Pattern.compile("[A-Za-z0-9]{36,}")),
            new Rule("github-token", "ghr_", Pattern.compile("[A-Za-z0-9]{36,}")),
            new Rule("github-pat", "github_pat_", Pattern.compile("[A-Za-z0-9_]{40,}")),
            new Rule("gitlab-token", "glpat-", Pattern.compile("[A-Za-z0-9_-]{20,}")),
            new Rule("aws-access-key", "AKIA", Pattern.compile("[0-9A-Z]{16}")),
            new Rule("slack-token", "xoxa-", Pattern.compile("[A-Za-z0-9-]{10,}")),
            new Rule("slack-token", "xoxb-", Pattern.compile("[A-Za-z0-9-]{10,}")),
            new Rule("slack-token", "xoxp-", Pattern.compile("[A-Za-z0-9-]{10,}")),
            new Rule("slack-token", "xoxo-", Pattern.compile("[A-Za-z0-9-]{10,}")),
            new Rule("slack-token", "xoxs-", Pattern.compile("[A-Za-z0-9-]{10,}")),
            new Rule("slack-token", "xoxr-", Pattern.compile("[A-Za-z0-9-]{10,}")),
            new Rule("api-key", "sk-", Pattern.compile("(ant-)?[A-Za-z0-9_-]{32,}")),
            new Rule("private-key", "-----BEGIN ", Pattern.compile("[A-Z ]{0,40}PRIVATE KEY-----")));

    private static final int RULE_TAIL = 64;
    private static final SecretScanner SHAPES_ONLY = new SecretScanner(Map.of());

    /** One thing to find: exact bytes, and what finding them means. */
    private record Needle(
            byte[] bytes, String what, @Nullable Rule rule) {}

    /** A needle indexed by the two bytes at {@code anchor} in it. */
    private record Entry(Needle needle, int anchor) {}

    private final Map<String, String> secrets;
    private final Entry[][] buckets = new Entry[1 << 16][];
    /** Only every stride-th position is looked at: every needle is indexed by as many consecutive pairs. */
    private final int stride;

    private final long[] filter = new long[1 << 10];
    private final int longest;
    private final boolean plusMatters;

    private SecretScanner(Map<String, String> secrets) {
        this.secrets = Map.copyOf(secrets);
        List<Needle> all = new ArrayList<>();
        secrets.forEach((name, value) -> {
            if (value.length() >= MIN_SECRET) {
                forms(name, value.getBytes(StandardCharsets.UTF_8), all);
            }
        });
        for (Rule r : RULES) {
            all.add(new Needle(r.prefix().getBytes(StandardCharsets.US_ASCII), "rule " + r.name(), r));
        }
        int max = 0;
        int shortest = all.stream().mapToInt(n -> n.bytes().length).min().orElse(2);
        // at most 2: every byte is then in a sampled pair, so no escape goes unseen
        stride = Math.max(1, Math.min(2, shortest - 1));
        for (Needle n : all) {
            int from = quietestWindow(n.bytes(), stride);
            for (int j = from; j < from + stride; j++) {
                int key = key(n.bytes(), j);
                Entry[] b = buckets[key];
                Entry e = new Entry(n, j);
                buckets[key] = b == null ? new Entry[] {e} : append(b, e);
                filter[key >>> 6] |= 1L << (key & 63);
            }
            max = Math.max(max, n.rule() == null ? n.bytes().length : n.bytes().length + RULE_TAIL);
        }
        longest = max;
        plusMatters = secrets.values().stream().anyMatch(v -> v.indexOf(' ') >= 0);
        // a pair holding an escape ('%', and '+' when a secret holds a space) passes the filter too
        for (int x = 0; x < 256; x++) {
            for (int esc : plusMatters ? new int[] {'%', '+'} : new int[] {'%'}) {
                for (int key : new int[] {esc << 8 | x, x << 8 | esc}) {
                    filter[key >>> 6] |= 1L << (key & 63);
                }
            }
        }
    }

    /** How common a byte is in text, JSON and code: lower case, spaces and quotes most, then the rest. */
    private static int commonness(int c) {
        return c >= 'a' && c <= 'z' || c == ' '
                ? 10
                : c == '"' || c == ',' || c == ':' || c == '.' || c == '/'
                        ? 8
                        : c >= '0' && c <= '9'
                                ? 5
                                : c >= 'A' && c <= 'Z' ? 3 : c == '-' || c == '_' || c == '=' ? 2 : 1;
    }

    /** The start of the run of {@code stride} pairs in a needle that ordinary text holds least often. */
    private static int quietestWindow(byte[] b, int stride) {
        int best = 0;
        int bestScore = Integer.MAX_VALUE;
        for (int j = 0; j + stride < b.length; j++) {
            int score = 0;
            for (int k = j; k < j + stride; k++) {
                score = Math.max(score, commonness(b[k] & 0xff) * commonness(b[k + 1] & 0xff));
            }
            if (score < bestScore) {
                best = j;
                bestScore = score;
            }
        }
        return best;
    }

    /**
     * Returns a scanner for the token shapes alone.
     *
     * @return the scanner
     */
    public static SecretScanner shapesOnly() {
        return SHAPES_ONLY;
    }

    /**
     * Returns a scanner for a bottle's secrets and the token shapes.
     *
     * @param secrets secret name (a variable or key name) to value
     * @return the scanner
     */
    public static SecretScanner of(Map<String, String> secrets) {
        return secrets.isEmpty() ? SHAPES_ONLY : new SecretScanner(secrets);
    }

    /**
     * Returns this scanner without some secrets: those a route {@code carries}.
     *
     * @param names the secret names to leave out
     * @return the scanner
     */
    public SecretScanner without(Collection<String> names) {
        if (names.isEmpty() || names.stream().noneMatch(secrets::containsKey)) {
            return this;
        }
        Map<String, String> rest = new LinkedHashMap<>(secrets);
        names.forEach(rest::remove);
        return of(rest);
    }

    /**
     * Returns the names of the secrets looked for.
     *
     * @return the names
     */
    public Set<String> names() {
        return secrets.keySet();
    }

    /**
     * Returns how many bytes a match can span, encoded forms included; a streaming caller holds that
     * many back between pieces.
     *
     * @return the span
     */
    public int window() {
        return 3 * longest;
    }

    /**
     * Looks for a secret in text.
     *
     * @param text the text (its UTF-8 bytes are scanned)
     * @return what was found, or null
     */
    public @Nullable String find(CharSequence text) {
        byte[] b = text.toString().getBytes(StandardCharsets.UTF_8);
        return find(b, 0, b.length);
    }

    /**
     * Looks for a secret in bytes, also percent-decoded when they hold a {@code %} or {@code +}.
     *
     * @param data the bytes
     * @param off where to start
     * @param len how many
     * @return what was found (e.g. {@code GITHUB_TOKEN (base64)} or {@code rule github-token}), or null
     */
    public @Nullable String find(byte[] data, int off, int len) {
        return find(data, off, len, 0);
    }

    /** Where escapes are: merged ranges of {@link #window()} bytes around each, as from/to pairs. */
    private static final class Regions {
        int[] at = new int[8];
        int n;

        void add(int from, int to) {
            if (n > 0 && from <= at[n - 1]) {
                at[n - 1] = Math.max(at[n - 1], to);
                return;
            }
            if (n + 2 > at.length) {
                at = Arrays.copyOf(at, at.length * 2);
            }
            at[n++] = from;
            at[n++] = to;
        }
    }

    /**
     * Scans bytes, then the percent-decoded form of the regions around their escapes: a secret that
     * is found only decoded holds an escape, so it lies within {@link #window()} bytes of one.
     * Decoded regions are scanned the same way, up to three decodings deep (double and triple
     * encoding).
     */
    private @Nullable String find(byte[] d, int off, int len, int depth) {
        Regions regions = depth < 3 ? new Regions() : null;
        String f = scan(d, off, len, regions);
        if (f != null || regions == null) {
            return f;
        }
        for (int r = 0; r < regions.n; r += 2) {
            byte[] decoded = percentDecode(d, regions.at[r], regions.at[r + 1] - regions.at[r]);
            String g = find(decoded, 0, decoded.length, depth + 1);
            if (g != null) {
                return g.contains("percent-encoded")
                        ? g
                        : g.endsWith(")")
                                ? g.substring(0, g.length() - 1) + ", percent-encoded)"
                                : g + " (percent-encoded)";
            }
        }
        return null;
    }

    /**
     * One pass over the bytes, looking at every {@link #stride}-th pair: a pair no needle and no
     * escape holds costs one filter look-up; otherwise the needles indexed by it are checked, and an
     * escape adds its surroundings to {@code regions}.
     *
     * @return a finding, or null
     */
    private @Nullable String scan(byte[] d, int off, int len, @Nullable Regions regions) {
        int end = off + len;
        long[] f = filter;
        int step = stride;
        for (int i = off; i < end - 1; i += step) {
            int key = (d[i] & 0xff) << 8 | (d[i + 1] & 0xff);
            if ((f[key >>> 6] & (1L << key)) != 0) {
                String found = hit(d, i, key, off, end, regions);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    /** A pair passed the filter: note its escapes, check the needles indexed by it. */
    private @Nullable String hit(byte[] d, int i, int key, int off, int end, @Nullable Regions regions) {
        if (regions != null) {
            int span = window();
            for (int q = i; q <= i + 1; q++) {
                if (escapeAt(d, q, end)) {
                    regions.add(Math.max(off, q - span), Math.min(end, q + span));
                }
            }
        }
        Entry[] bucket = buckets[key];
        if (bucket != null) {
            for (Entry e : bucket) {
                if (matches(d, i - e.anchor(), off, end, e.needle())) {
                    return e.needle().what();
                }
            }
        }
        return null;
    }

    private boolean escapeAt(byte[] d, int q, int end) {
        byte b = d[q];
        return b == '%' ? q + 2 < end && hexDigit(d[q + 1]) >= 0 && hexDigit(d[q + 2]) >= 0 : b == '+' && plusMatters;
    }

    private static boolean matches(byte[] d, int at, int start, int limit, Needle n) {
        byte[] b = n.bytes();
        if (at < start || at + b.length > limit) {
            return false;
        }
        for (int k = 0; k < b.length; k++) {
            if (d[at + k] != b[k]) {
                return false;
            }
        }
        if (n.rule() == null) {
            return true;
        }
        int from = at + b.length;
        int to = Math.min(limit, from + RULE_TAIL);
        String tail = new String(d, from, to - from, StandardCharsets.ISO_8859_1);
        return n.rule().tail().matcher(tail).lookingAt();
    }

    /**
     * A scan over a body that arrives in pieces: each piece is scanned with the end of the one
     * before, so a match across pieces is found, and the last {@link #window()} bytes are held back
     * until the next piece (or the end) shows they are not the start of a match.
     */
    public final class Stream {
        private byte[] held = new byte[0];
        private byte[] released = new byte[0];
        private int safe;
        private @Nullable String finding;

        private Stream() {}

        /**
         * Scans the next piece: the piece itself, and the seam between it and the bytes held back
         * from the piece before (a match across pieces is never longer than {@link #window()}).
         * Nothing is copied but the seam and the new held-back tail.
         *
         * @param piece the bytes
         * @param last whether the body ends with it
         * @return true when nothing was found: then forward {@link #released()}, followed by the
         *     first {@link #safeLength()} bytes of {@code piece}; false when a secret was found
         *     ({@link #finding()} says which), and nothing of it may go out
         */
        public boolean next(byte[] piece, boolean last) {
            String f = find(piece, 0, piece.length);
            if (f == null && held.length > 0) {
                int take = Math.min(piece.length, 2 * window());
                byte[] seam = new byte[held.length + take];
                System.arraycopy(held, 0, seam, 0, held.length);
                System.arraycopy(piece, 0, seam, held.length, take);
                f = find(seam, 0, seam.length);
            }
            if (f != null) {
                finding = f;
                return false;
            }
            released = held;
            int keep = last ? 0 : Math.min(window(), piece.length);
            safe = piece.length - keep;
            if (keep == window() || last) {
                held = Arrays.copyOfRange(piece, safe, piece.length);
            } else {
                // a piece shorter than the window: what stays held is the old tail and this piece, trimmed
                byte[] both = new byte[released.length + piece.length];
                System.arraycopy(released, 0, both, 0, released.length);
                System.arraycopy(piece, 0, both, released.length, piece.length);
                int hold = Math.min(window(), both.length);
                released = Arrays.copyOf(both, both.length - hold);
                held = Arrays.copyOfRange(both, both.length - hold, both.length);
                safe = 0;
            }
            return true;
        }

        /**
         * Returns the bytes held back from earlier pieces that {@link #next} released.
         *
         * @return the bytes, possibly empty
         */
        public byte[] released() {
            return released;
        }

        /**
         * Returns how many leading bytes of the last piece may go out after {@link #released()}.
         *
         * @return the count
         */
        public int safeLength() {
            return safe;
        }

        /**
         * Returns what the scan found.
         *
         * @return the finding, or null
         */
        public @Nullable String finding() {
            return finding;
        }
    }

    /**
     * Starts a streaming scan.
     *
     * @return the scan
     */
    public Stream stream() {
        return new Stream();
    }

    private static void forms(String name, byte[] v, List<Needle> out) {
        out.add(new Needle(v, name, null));
        HexFormat hex = HexFormat.of();
        out.add(new Needle(hex.formatHex(v).getBytes(StandardCharsets.US_ASCII), name + " (hex)", null));
        out.add(new Needle(
                hex.withUpperCase().formatHex(v).getBytes(StandardCharsets.US_ASCII), name + " (hex)", null));
        for (int shift = 0; shift < 3; shift++) {
            for (Base64.Encoder enc : List.of(Base64.getEncoder(), Base64.getUrlEncoder())) {
                byte[] padded = new byte[shift + v.length];
                System.arraycopy(v, 0, padded, shift, v.length);
                String b64 = enc.withoutPadding().encodeToString(padded);
                // drop the characters that depend on the bytes before the value, and the last one,
                // which depends on the bytes after it
                int skip = shift == 0 ? 0 : shift == 1 ? 2 : 3;
                int stable = (shift + v.length) * 8 / 6;
                if (stable - skip >= MIN_SECRET) {
                    out.add(new Needle(
                            b64.substring(skip, stable).getBytes(StandardCharsets.US_ASCII), name + " (base64)", null));
                }
            }
        }
    }

    private byte[] percentDecode(byte[] d, int off, int len) {
        byte[] out = new byte[len];
        int n = 0;
        for (int i = off; i < off + len; i++) {
            byte b = d[i];
            if (b == '%' && i + 2 < off + len && hexDigit(d[i + 1]) >= 0 && hexDigit(d[i + 2]) >= 0) {
                out[n++] = (byte) (hexDigit(d[i + 1]) << 4 | hexDigit(d[i + 2]));
                i += 2;
            } else {
                out[n++] = b == '+' && plusMatters ? (byte) ' ' : b;
            }
        }
        return Arrays.copyOf(out, n);
    }

    private static int hexDigit(byte b) {
        return b >= '0' && b <= '9'
                ? b - '0'
                : b >= 'a' && b <= 'f' ? b - 'a' + 10 : b >= 'A' && b <= 'F' ? b - 'A' + 10 : -1;
    }

    private static int key(byte[] b, int at) {
        return (b[at] & 0xff) << 8 | (b[at + 1] & 0xff);
    }

    private static Entry[] append(Entry[] a, Entry n) {
        Entry[] r = Arrays.copyOf(a, a.length + 1);
        r[a.length] = n;
        return r;
    }

    @Override
    public String toString() {
        return "SecretScanner[" + secrets.keySet() + " + " + RULES.size() + " rules]";
    }
}
