package dev.bottles.manifest;

import dev.bottles.ManifestException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An agent: the bottle it runs in, the skills copied into it, and its system prompt. Defined in
 * {@code $BOTTLE_HOME/agents/<name>.md} or {@code <cwd>/.claude-bottle/agents/<name>.md}, or in
 * code. The Claude Code subagent fields ({@code name}, {@code description}, {@code model},
 * {@code color}, {@code memory}) are accepted in files and ignored, as in the original.
 *
 * @param name the agent's name, {@code [a-z][a-z0-9-]*}
 * @param bottle the name of the bottle it runs in
 * @param skills names of host skill directories ({@code ~/.claude/skills/<name>/}) to copy in
 * @param prompt the system prompt (the file's Markdown body), stripped; may be empty
 * @param origin where the definition came from
 */
public record AgentDefinition(String name, String bottle, List<String> skills, String prompt, Origin origin) {
    private static final Pattern SKILL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

    /**
     * Validates the definition.
     *
     * @param name the agent's name, {@code [a-z][a-z0-9-]*}
     * @param bottle the name of the bottle it runs in
     * @param skills names of host skill directories ({@code ~/.claude/skills/<name>/}) to copy in
     * @param prompt the system prompt (the file's Markdown body), stripped; may be empty
     * @param origin where the definition came from
     */
    public AgentDefinition {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(bottle, "bottle");
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(origin, "origin");
        skills = List.copyOf(skills);
        List<ManifestException> problems = new ArrayList<>();
        if (!BottleDefinition.NAME.matcher(name).matches()) {
            problems.add(ManifestException.of(
                    null,
                    "'" + name + "' is not a valid agent name",
                    "use lower-case letters, digits and '-', starting with a letter"));
        }
        if (bottle.isBlank()) {
            problems.add(ManifestException.of(
                    "bottle",
                    "the agent names no bottle",
                    "set 'bottle:' to the name of a file in ~/.claude-bottle/bottles/"));
        }
        for (int i = 0; i < skills.size(); i++) {
            String s = skills.get(i);
            if (!SKILL.matcher(s).matches() || s.contains("..")) {
                problems.add(ManifestException.of(
                        "skills[" + i + "]",
                        "'" + s + "' is not a skill directory name",
                        "name a directory under ~/.claude/skills/ (letters, digits, '.', '_', '-')"));
            }
        }
        if (!problems.isEmpty()) {
            throw origin.locate(ManifestException.combine(problems));
        }
    }

    /**
     * Starts building an agent in code.
     *
     * @param name the agent's name
     * @return a builder
     */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** Builds an {@link AgentDefinition} in code. */
    public static final class Builder {
        private final String name;
        private String bottle = "";
        private final List<String> skills = new ArrayList<>();
        private String prompt = "";

        private Builder(String name) {
            this.name = Objects.requireNonNull(name, "name");
        }

        /**
         * Sets the bottle the agent runs in.
         *
         * @param bottleName the bottle's name
         * @return this builder
         */
        public Builder bottle(String bottleName) {
            this.bottle = Objects.requireNonNull(bottleName, "bottleName");
            return this;
        }

        /**
         * Adds a skill copied into the agent.
         *
         * @param skill the skill directory's name
         * @return this builder
         */
        public Builder skill(String skill) {
            skills.add(Objects.requireNonNull(skill, "skill"));
            return this;
        }

        /**
         * Sets the system prompt.
         *
         * @param text the prompt
         * @return this builder
         */
        public Builder prompt(String text) {
            this.prompt = Objects.requireNonNull(text, "text").strip();
            return this;
        }

        /**
         * Builds the agent.
         *
         * @return the agent
         * @throws ManifestException when the definition is invalid
         */
        public AgentDefinition build() {
            return new AgentDefinition(name, bottle, skills, prompt, Origin.inCode());
        }
    }
}
