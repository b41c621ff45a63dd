package dev.bottles.internal;

import dev.bottles.ManifestException;
import dev.bottles.manifest.AgentDefinition;
import dev.bottles.manifest.BottleDefinition;
import dev.bottles.manifest.EgressRoute;
import dev.bottles.manifest.EnvValue;
import dev.bottles.manifest.GitRemote;
import dev.bottles.manifest.Manifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The host-side checks every backend shares, run before a backend's own prepare (the seeds' base
 * class template): the agent and its bottle exist, forwarded variables and route tokens are set,
 * a prompter is there for secrets, git keys are readable, skills are present. Every problem found
 * is reported at once, each naming its file, line, field and fix.
 */
public final class HostValidator {
    private HostValidator() {}

    /**
     * Validates an agent's definitions against the host.
     *
     * @param manifest the definitions
     * @param agentName the agent to run
     * @param hostEnv the host environment
     * @param canPrompt whether a secret prompter was given
     * @param skillsDir the host skills directory
     * @throws ManifestException listing every problem
     */
    public static void validate(
            Manifest manifest, String agentName, Map<String, String> hostEnv, boolean canPrompt, Path skillsDir) {
        AgentDefinition agent = manifest.requireAgent(agentName);
        BottleDefinition bottle = manifest.bottleFor(agentName);
        List<ManifestException> problems = new ArrayList<>();
        for (Map.Entry<String, EnvValue> e : bottle.env().entrySet()) {
            String field = "env." + e.getKey();
            if (e.getValue() instanceof EnvValue.HostVariable hv && !hostEnv.containsKey(hv.variable())) {
                problems.add(bottle.origin()
                        .locate(ManifestException.of(
                                field,
                                "'" + e.getKey() + "' is copied from host variable " + hv.variable()
                                        + ", which is not set",
                                "export " + hv.variable() + " before launching, or change the value")));
            } else if (e.getValue() instanceof EnvValue.Secret && !canPrompt) {
                problems.add(bottle.origin()
                        .locate(ManifestException.of(
                                field,
                                "'" + e.getKey() + "' is a secret to ask for, but no SecretPrompter was given",
                                "set one with BottleSpec.builder(...).secretPrompter(SecretPrompter.console()), or forward"
                                        + " the value from the host with \"${HOST_VAR}\"")));
            }
        }
        for (int i = 0; i < bottle.git().size(); i++) {
            GitRemote g = bottle.git().get(i);
            Path key = g.identityFile();
            if (!Files.isRegularFile(key) || !Files.isReadable(key)) {
                problems.add(bottle.origin()
                        .locate(ManifestException.of(
                                "git[" + i + "].IdentityFile",
                                "the gate's key " + key + " for '" + g.name() + "' is missing or unreadable",
                                "create the key or point IdentityFile at a readable private key")));
            }
        }
        for (int i = 0; i < bottle.routes().size(); i++) {
            EgressRoute r = bottle.routes().get(i);
            if (r.auth() != null) {
                String ref = r.auth().tokenRef();
                String v = hostEnv.get(ref);
                if (v == null || v.isEmpty()) {
                    problems.add(bottle.origin()
                            .locate(ManifestException.of(
                                    "egress.routes[" + i + "].auth.token_ref",
                                    "route " + r.host() + " injects the token in host variable " + ref
                                            + ", which is not set",
                                    "export " + ref + " before launching")));
                }
            }
        }
        for (int i = 0; i < agent.skills().size(); i++) {
            Path dir = skillsDir.resolve(agent.skills().get(i));
            if (!Files.isDirectory(dir)) {
                problems.add(agent.origin()
                        .locate(ManifestException.of(
                                "skills[" + i + "]",
                                "skill '" + agent.skills().get(i) + "' is not on the host (" + dir
                                        + " is not a directory)",
                                "install the skill in " + skillsDir + " or remove it from 'skills'")));
            }
        }
        if (!problems.isEmpty()) {
            throw ManifestException.combine(problems);
        }
    }
}
