package dev.bottles.sidecars.internal;

import dev.bottles.BottleException;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.representer.Representer;

/** Renders and reads the sidecars' YAML files: block style, insertion order, safe loading only. */
public final class Yamls {
    private Yamls() {}

    /**
     * Renders a tree of maps, lists and scalars as block YAML, keys in insertion order.
     *
     * @param header a comment placed first (one line, without {@code #}), or empty
     * @param tree the document
     * @return the YAML text
     */
    public static String render(String header, Map<String, ?> tree) {
        DumperOptions o = new DumperOptions();
        o.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        o.setIndent(2);
        o.setIndicatorIndent(0);
        o.setWidth(120);
        o.setSplitLines(false);
        Yaml yaml = new Yaml(new Representer(o), o);
        String body = yaml.dump(tree);
        return header.isEmpty() ? body : "# " + header + "\n" + body;
    }

    /**
     * Reads YAML produced by {@link #render} (or edited by hand) with the safe constructor.
     *
     * @param text the YAML
     * @param source where it came from, for messages
     * @return the top-level mapping
     * @throws BottleException when the text is not a YAML mapping
     */
    public static Map<String, Object> read(String text, String source) {
        LoaderOptions lo = new LoaderOptions();
        lo.setAllowDuplicateKeys(false);
        lo.setMaxAliasesForCollections(10);
        lo.setCodePointLimit(4 << 20);
        Object root;
        try {
            root = new Yaml(new SafeConstructor(lo)).load(text);
        } catch (YAMLException e) {
            throw new BottleException(source + " is not valid YAML: " + e.getMessage(), e);
        }
        if (!(root instanceof Map<?, ?> m)) {
            throw new BottleException(source + " is not a YAML mapping");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> typed = (Map<String, Object>) m;
        return typed;
    }
}
