package dev.bottles.internal;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/** Finds the closest known word to a mistyped one, for "did you mean" hints. */
public final class Suggestions {
    private Suggestions() {}

    /**
     * Returns the candidate closest to {@code word} by edit distance, if it is close enough to be a
     * plausible typo (at most 2 edits, or a third of the word's length for long words).
     *
     * @param word the mistyped word
     * @param candidates the known words
     * @return the suggestion, if any
     */
    public static Optional<String> closest(String word, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = distance(word.toLowerCase(Locale.ROOT), c.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                best = c;
                bestDistance = d;
            }
        }
        int limit = Math.max(2, word.length() / 3);
        return best != null && bestDistance <= limit ? Optional.of(best) : Optional.empty();
    }

    /**
     * Formats a hint: {@code did you mean 'x'? } followed by the list of allowed words.
     *
     * @param word the mistyped word
     * @param candidates the known words, in the order to list them
     * @param noun what the words are, e.g. "keys"
     * @return the hint
     */
    public static String hint(String word, Collection<String> candidates, String noun) {
        String allowed = "allowed " + noun + ": " + String.join(", ", candidates);
        return closest(word, candidates)
                .map(s -> "did you mean '" + s + "'? " + allowed)
                .orElse(allowed);
    }

    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
