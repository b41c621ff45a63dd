package dev.bottles.internal.yaml;

import dev.bottles.ManifestException;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * A Markdown file split into its YAML frontmatter (between two {@code ---} lines at the top) and
 * its body.
 *
 * <p>The frontmatter is read with SnakeYAML's safe composer only: no object construction, no
 * custom tags, a bounded number of aliases, bounded nesting and a bounded size.
 *
 * @param file the file
 * @param frontmatter the frontmatter mapping (empty when the frontmatter is empty)
 * @param body the Markdown body after the closing {@code ---}
 */
public record FrontmatterDocument(Path file, YamlNode.Mapping frontmatter, String body) {
    /** Largest file read, in bytes. */
    public static final int MAX_BYTES = 1 << 20;

    private static final int MAX_ALIASES = 50;
    private static final int MAX_DEPTH = 20;
    private static final Set<Tag> PLAIN_TAGS =
            Set.of(Tag.STR, Tag.INT, Tag.BOOL, Tag.FLOAT, Tag.NULL, Tag.MAP, Tag.SEQ, Tag.TIMESTAMP);
    private static final String FORMAT_FIX =
            "start the file with a line '---', then YAML (key: value), then a line '---', then the Markdown body";

    /**
     * Reads and splits a file.
     *
     * @param file the file
     * @return the document
     * @throws ManifestException when the file cannot be read or its frontmatter is not valid
     */
    public static FrontmatterDocument read(Path file) {
        byte[] bytes;
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw ManifestException.of(
                                null,
                                "the file is larger than " + MAX_BYTES + " bytes",
                                "keep definitions small; move long prompts into skills")
                        .at(file, 0);
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw ManifestException.of(null, "cannot read the file (" + e + ")", "check that it exists and is readable")
                    .at(file, 0);
        }
        String text;
        try {
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw ManifestException.of(null, "the file is not UTF-8 text", "save it as UTF-8")
                    .at(file, 0);
        }
        return parse(file, text);
    }

    /**
     * Splits text already read from a file.
     *
     * @param file the file, for messages
     * @param text the file's text
     * @return the document
     * @throws ManifestException when the frontmatter is missing or not valid
     */
    public static FrontmatterDocument parse(Path file, String text) {
        String normalized = text.replace("\r\n", "\n");
        if (normalized.startsWith("\uFEFF")) {
            normalized = normalized.substring(1);
        }
        String[] lines = normalized.split("\n", -1);
        if (lines.length == 0 || !lines[0].strip().equals("---")) {
            throw ManifestException.of(null, "the file has no YAML frontmatter", FORMAT_FIX)
                    .at(file, 1);
        }
        int close = -1;
        for (int i = 1; i < lines.length; i++) {
            String l = lines[i].stripTrailing();
            if (l.equals("---") || l.equals("...")) {
                close = i;
                break;
            }
        }
        if (close < 0) {
            throw ManifestException.of(null, "the frontmatter is not closed by a '---' line", FORMAT_FIX)
                    .at(file, 1);
        }
        StringBuilder yaml = new StringBuilder();
        for (int i = 1; i < close; i++) {
            yaml.append(lines[i]).append('\n');
        }
        StringBuilder body = new StringBuilder();
        for (int i = close + 1; i < lines.length; i++) {
            body.append(lines[i]);
            if (i < lines.length - 1) {
                body.append('\n');
            }
        }
        YamlNode.Mapping front = compose(file, yaml.toString());
        return new FrontmatterDocument(file, front, body.toString());
    }

    private static YamlNode.Mapping compose(Path file, String yamlText) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(MAX_ALIASES);
        options.setNestingDepthLimit(MAX_DEPTH);
        options.setCodePointLimit(MAX_BYTES);
        options.setAllowRecursiveKeys(false);
        Yaml yaml = new Yaml(new SafeConstructor(options));
        Node root;
        try {
            root = yaml.compose(new StringReader(yamlText));
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String problem = String.valueOf(e.getProblem() != null ? e.getProblem() : e.getMessage());
            throw ManifestException.of(null, "invalid YAML: " + problem.strip(), FORMAT_FIX)
                    .at(file, mark == null ? 0 : mark.getLine() + 2);
        } catch (YAMLException e) {
            throw ManifestException.of(null, "invalid YAML: " + e.getMessage(), FORMAT_FIX)
                    .at(file, 0);
        }
        if (root == null) {
            return new YamlNode.Mapping(List.of(), 2);
        }
        YamlNode converted = convert(file, root, 0);
        if (converted instanceof YamlNode.Null n) {
            return new YamlNode.Mapping(List.of(), n.line());
        }
        if (!(converted instanceof YamlNode.Mapping m)) {
            throw ManifestException.of(
                            null, "the frontmatter is " + converted.kind() + ", not a mapping of keys", FORMAT_FIX)
                    .at(file, converted.line());
        }
        return m;
    }

    private static YamlNode convert(Path file, Node node, int depth) {
        int line = node.getStartMark().getLine() + 2;
        if (depth > MAX_DEPTH) {
            throw ManifestException.of(null, "the frontmatter nests too deeply", "flatten it")
                    .at(file, line);
        }
        Tag tag = node.getTag();
        if (!PLAIN_TAGS.contains(tag)) {
            throw ManifestException.of(
                            null,
                            "the tag '" + tag.getValue() + "' is not allowed",
                            "remove the tag; definitions hold plain values only")
                    .at(file, line);
        }
        if (node instanceof ScalarNode s) {
            return tag.equals(Tag.NULL) ? new YamlNode.Null(line) : new YamlNode.Scalar(s.getValue(), line);
        }
        if (node instanceof SequenceNode seq) {
            List<YamlNode> items = new ArrayList<>();
            for (Node item : seq.getValue()) {
                items.add(convert(file, item, depth + 1));
            }
            return new YamlNode.Sequence(items, line);
        }
        MappingNode map = (MappingNode) node;
        List<YamlNode.Entry> entries = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (NodeTuple t : map.getValue()) {
            Node k = t.getKeyNode();
            int keyLine = k.getStartMark().getLine() + 2;
            if (!(k instanceof ScalarNode ks) || Tag.MERGE.equals(k.getTag())) {
                throw ManifestException.of(null, "a key is not a plain word", "write keys as plain words")
                        .at(file, keyLine);
            }
            String key = ks.getValue();
            if (!seen.add(key)) {
                throw ManifestException.of(key, "the key '" + key + "' appears twice", "keep one")
                        .at(file, keyLine);
            }
            entries.add(new YamlNode.Entry(key, keyLine, convert(file, t.getValueNode(), depth + 1)));
        }
        return new YamlNode.Mapping(entries, line);
    }
}
