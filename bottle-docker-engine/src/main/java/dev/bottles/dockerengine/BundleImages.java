package dev.bottles.dockerengine;

import dev.bottles.BottleException;
import dev.bottles.sidecars.BundleImage;
import dev.bottles.sidecars.BundleLaunchSpec;
import dev.bottles.sidecars.Daemon;
import dev.bottles.spi.Settings;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.jspecify.annotations.Nullable;

/**
 * The SDK's own bundle image, {@code claude-bottle-sidecars:<content hash>}: the bottle-bundle jar
 * (packaged into this module) on a Java runtime, built when the engine lacks it and tagged by a hash
 * of everything that goes in, so it is rebuilt only when the bundle changes. Two recipes:
 * <ul>
 *   <li>{@code offline} (default): a {@code jlink} runtime of the local JDK plus the libraries it
 *       links, in a {@code FROM scratch} image; needs no registry;
 *   <li>{@code jre}: the jar on a JRE base image ({@code eclipse-temurin:17-jre} unless
 *       {@value #JRE_BASE_SETTING} names another), for engines that can pull.
 * </ul>
 * {@value BundleLaunchSpec#IMAGE_SETTING} replaces the image altogether; its daemons are read from
 * its {@value BundleImage#DAEMONS_LABEL} label.
 */
public final class BundleImages {
    /** The image repository. */
    public static final String REPOSITORY = "claude-bottle-sidecars";
    /** The setting choosing the recipe: {@code offline} or {@code jre}. */
    public static final String RECIPE_SETTING = EngineSettings.BUNDLE_RECIPE;
    /** The setting naming the JRE recipe's base image. */
    public static final String JRE_BASE_SETTING = EngineSettings.BUNDLE_JRE_BASE;
    /** The JRE recipe's default base image. */
    public static final String DEFAULT_JRE_BASE = "eclipse-temurin:17-jre";
    /** The modules the bundle needs (jdeps of the jar, plus the EC provider TLS loads as a service). */
    public static final List<String> MODULES = List.of(
            "java.base",
            "java.desktop",
            "java.logging",
            "java.management",
            "java.naming",
            "java.rmi",
            "java.security.jgss",
            "java.sql",
            "jdk.crypto.ec",
            "jdk.httpserver",
            "jdk.jfr",
            "jdk.unsupported");
    /** Where the jar sits in the image. */
    public static final String JAR_IN_IMAGE = dev.bottles.sidecars.BundleImage.JAR_IN_IMAGE;

    private static final String JAR_RESOURCE = "/dev/bottles/dockerengine/bundle/bottle-bundle.jar";
    /** The bundle's own daemon list, unpacked from its jar at build time (one source: bottle-bundle). */
    private static final String DAEMONS_RESOURCE = "/dev/bottles/dockerengine/bundle/dev/bottles/bundle/daemons";

    /**
     * The bundle's JVM: the serial collector on a heap that starts at 8 MiB, may grow to 128 MiB
     * (the git gate indexes packs) and shrinks to within 20% of what lives at each full collection
     * (egress asks for one when it goes idle); direct buffers and compiled code bounded; freed
     * native memory trimmed every 5 s. Both compilers: C1 alone starts no faster with the class
     * data archive and inspects large bodies ten times slower (decision 0012's figures).
     */
    static final List<String> JVM = List.of(
            "-XX:+UseSerialGC",
            "-XX:-UsePerfData",
            "-Xss512k",
            "-Xms8m",
            "-Xmx128m",
            "-XX:MinHeapFreeRatio=5",
            "-XX:MaxHeapFreeRatio=20",
            "-XX:MaxDirectMemorySize=64m",
            "-XX:ReservedCodeCacheSize=32m",
            "-XX:+UnlockExperimentalVMOptions",
            "-XX:TrimNativeHeapInterval=5000",
            "-jar",
            JAR_IN_IMAGE);

    private static @Nullable String jarSha256;

    private BundleImages() {}

    /** The recipes. */
    public enum Recipe {
        /** jlink runtime + libraries on {@code FROM scratch}. */
        OFFLINE,
        /** The jar on a JRE base image. */
        JRE;

        static Recipe of(Settings s) {
            String v = s.get(RECIPE_SETTING, "offline").strip().toLowerCase(Locale.ROOT);
            return switch (v) {
                case "offline" -> OFFLINE;
                case "jre" -> JRE;
                default -> throw new BottleException(RECIPE_SETTING + "=" + v + " is not a recipe; use offline or jre");
            };
        }
    }

    /**
     * Returns the daemons the SDK's bundle image runs, without reading the bundle jar.
     *
     * @return e.g. egress, git-gate, supervise
     */
    public static List<Daemon> sdkDaemons() {
        try (InputStream in = BundleImages.class.getResourceAsStream(DAEMONS_RESOURCE)) {
            if (in == null) {
                throw new BottleException("the bundle's daemon list is not packaged into bottle-docker-engine ("
                        + DAEMONS_RESOURCE + " is missing); build bottle-docker with Maven's package phase");
            }
            return Arrays.stream(new String(in.readAllBytes(), StandardCharsets.UTF_8).split("[,\\s]+"))
                    .filter(x -> !x.isBlank())
                    .map(Daemon::named)
                    .toList();
        } catch (IOException e) {
            throw new BottleException("cannot read " + DAEMONS_RESOURCE + " (" + e + ")", e);
        }
    }

    /**
     * Says which bundle image a bottle uses and what daemons it has, without building anything: the
     * override's labels, or the SDK's image (which may not be built yet).
     *
     * @param engine the engine (read only; needed only for an overriding image)
     * @param s the settings
     * @return the image
     * @throws BottleException when an overriding image is not on the engine
     */
    public static BundleImage describe(@Nullable DockerEngine engine, Settings s) {
        String override = s.get(BundleLaunchSpec.IMAGE_SETTING).orElse(null);
        if (override != null && !override.isBlank()) {
            if (engine == null) {
                throw new BottleException("reading bundle image " + override + " needs an engine");
            }
            Map<String, String> labels = engine.imageLabels(override)
                    .orElseThrow(() ->
                            new BottleException("bundle image " + override + " (from " + BundleLaunchSpec.IMAGE_SETTING
                                    + ") is not on the engine;" + " build or load it first, or unset "
                                    + BundleLaunchSpec.IMAGE_SETTING + " to use the SDK's"));
            return BundleImage.fromLabels(override, labels);
        }
        Recipe r = Recipe.of(s);
        return new BundleImage(REPOSITORY + ":" + hash(r, s), sdkDaemons());
    }

    /**
     * Builds the SDK's image when the engine lacks it.
     *
     * @param engine the engine
     * @param image the image {@link #describe} chose
     * @param s the settings
     * @param progress receives build output lines
     * @return true when it was built now
     * @throws BottleException when the build fails, or an overriding image has gone
     */
    public static boolean ensure(DockerEngine engine, BundleImage image, Settings s, Consumer<String> progress) {
        if (engine.imageExists(image.reference())) {
            return false;
        }
        if (!image.reference().startsWith(REPOSITORY + ":")
                || s.get(BundleLaunchSpec.IMAGE_SETTING).isPresent()) {
            throw new BottleException("bundle image " + image.reference() + " is not on the engine");
        }
        Recipe r = Recipe.of(s);
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("dev.bottles.role", "image");
        labels.put(
                BundleImage.DAEMONS_LABEL,
                String.join(",", sdkDaemons().stream().map(Daemon::wireName).toList()));
        labels.put("dev.bottles.bundle.recipe", r.name().toLowerCase(Locale.ROOT));
        Path tar = null;
        try {
            tar = Files.createTempFile("bottles-bundle-context-", ".tar");
            try (OutputStream os = Files.newOutputStream(tar);
                    TarArchiveOutputStream out = JavaRuntime.tar(os)) {
                if (r == Recipe.OFFLINE) {
                    new JavaRuntime(MODULES).writeTo(out, "rootfs/", progress);
                }
                try (InputStream jarIn = openJar()) {
                    JavaRuntime.stream(
                            out, r == Recipe.OFFLINE ? "rootfs" + JAR_IN_IMAGE : "bottle-bundle.jar", jarIn, 0644);
                }
                JavaRuntime.bytes(out, "Dockerfile", dockerfile(r, s).getBytes(StandardCharsets.UTF_8), 0644);
                out.finish();
            }
            progress.accept("building " + image.reference() + " (" + r.name().toLowerCase(Locale.ROOT) + " recipe)");
            String untrained = image.reference() + "-untrained";
            engine.buildTar(tar, "Dockerfile", untrained, labels, progress);
            try {
                Optional<byte[]> archive = BundleTraining.archive(engine, untrained, progress);
                Files.delete(tar);
                try (OutputStream os = Files.newOutputStream(tar);
                        TarArchiveOutputStream out = JavaRuntime.tar(os)) {
                    if (archive.isPresent()) {
                        JavaRuntime.bytes(out, "bundle.jsa", archive.get(), 0644);
                    }
                    JavaRuntime.bytes(
                            out,
                            "Dockerfile",
                            trainedDockerfile(r, untrained, archive.isPresent()).getBytes(StandardCharsets.UTF_8),
                            0644);
                    out.finish();
                }
                engine.buildTar(tar, "Dockerfile", image.reference(), labels, progress);
            } finally {
                engine.removeImage(untrained); // only the tag: the image stays as the final one's parent
            }
            return true;
        } catch (IOException e) {
            throw new BottleException("cannot write the bundle image's build context (" + e + ")", e);
        } finally {
            if (tar != null) {
                try {
                    Files.deleteIfExists(tar);
                } catch (IOException ignored) {
                    // a temp file; the OS cleans it
                }
            }
        }
    }

    /**
     * Returns a recipe's Dockerfile.
     *
     * @param r the recipe
     * @param s the settings (the JRE base)
     * @return the Dockerfile text
     */
    public static String dockerfile(Recipe r, Settings s) {
        String entry = "[\"" + (r == Recipe.OFFLINE ? JavaRuntime.JAVA_HOME_IN_IMAGE + "/bin/java" : "java") + "\", \""
                + String.join("\", \"", JVM) + "\"]";
        if (r == Recipe.OFFLINE) {
            return "FROM scratch\nCOPY rootfs/ /\nENV JAVA_HOME=" + JavaRuntime.JAVA_HOME_IN_IMAGE + " PATH="
                    + JavaRuntime.JAVA_HOME_IN_IMAGE + "/bin MALLOC_ARENA_MAX=2\nENTRYPOINT " + entry + "\n";
        }
        return "FROM " + s.get(JRE_BASE_SETTING, DEFAULT_JRE_BASE) + "\nCOPY bottle-bundle.jar " + JAR_IN_IMAGE
                + "\nENV MALLOC_ARENA_MAX=2\nENTRYPOINT " + entry + "\n";
    }

    /**
     * Returns the Dockerfile that puts the class data archive on the trained image.
     *
     * @param r the recipe
     * @param untrained the image built from {@link #dockerfile}
     * @param archive whether the training gave an archive ({@code bundle.jsa} in the context)
     * @return the Dockerfile text
     */
    static String trainedDockerfile(Recipe r, String untrained, boolean archive) {
        if (!archive) {
            return "FROM " + untrained + "\n";
        }
        List<String> jvm = new ArrayList<>();
        jvm.add(r == Recipe.OFFLINE ? JavaRuntime.JAVA_HOME_IN_IMAGE + "/bin/java" : "java");
        jvm.add("-XX:SharedArchiveFile=" + BundleTraining.ARCHIVE_IN_IMAGE);
        jvm.addAll(JVM);
        return "FROM " + untrained + "\nCOPY bundle.jsa " + BundleTraining.ARCHIVE_IN_IMAGE + "\nENTRYPOINT [\""
                + String.join("\", \"", jvm) + "\"]\n";
    }

    private static String hash(Recipe r, Settings s) {
        String inputs = jarSha256() + "\n" + dockerfile(r, s) + "\n" + trainedDockerfile(r, "", true) + "\n"
                + (r == Recipe.OFFLINE ? new JavaRuntime(MODULES).identity() : "");
        return JavaRuntime.sha256(inputs).substring(0, 12);
    }

    /** Hashes the packaged jar once per JVM, reading it as a stream (no copy is written). */
    private static synchronized String jarSha256() {
        if (jarSha256 == null) {
            try (InputStream in = openJar()) {
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                try (DigestInputStream din = new DigestInputStream(in, md)) {
                    din.transferTo(OutputStream.nullOutputStream());
                }
                jarSha256 = HexFormat.of().formatHex(md.digest());
            } catch (IOException e) {
                throw new BottleException("cannot read the packaged bundle jar (" + e + ")", e);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
        return jarSha256;
    }

    private static InputStream openJar() {
        InputStream in = BundleImages.class.getResourceAsStream(JAR_RESOURCE);
        if (in == null) {
            throw new BottleException("the bottle-bundle jar is not packaged into bottle-docker-engine (" + JAR_RESOURCE
                    + " is missing); build bottle-docker with Maven's package phase, or set "
                    + BundleLaunchSpec.IMAGE_SETTING + " to a bundle image of your own");
        }
        return in;
    }
}
