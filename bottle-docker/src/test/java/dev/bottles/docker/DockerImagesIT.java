package dev.bottles.docker;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bottles.BottleException;
import dev.bottles.docker.testimages.TestImages;
import org.junit.jupiter.api.Test;

/**
 * Publishing an image for a cluster ({@code bottle k8s push-images}) with a registry that does not
 * answer: the push fails with the registry's reason, and a malformed registry is refused before
 * anything is tagged. (No registry can run on this machine; a successful push is not shown here.)
 */
class DockerImagesIT {
    @Test
    void aRegistryThatDoesNotAnswerFailsThePushWithItsReason() {
        String local = TestImages.agent();
        String name = local.substring(0, local.lastIndexOf(':'));
        String tag = local.substring(local.lastIndexOf(':') + 1);
        String target = "127.0.0.1:1/bottles-test/" + name.substring(name.lastIndexOf('/') + 1) + ":" + tag;
        try (DockerImages images = DockerImages.connect()) {
            BottleException e = assertThrows(
                    BottleException.class, () -> images.publish(local, "127.0.0.1:1/bottles-test", line -> {}));
            assertTrue(e.getMessage().contains("pushing 127.0.0.1:1/bottles-test/"), e.getMessage());
            BottleException bad = assertThrows(
                    BottleException.class, () -> images.publish(local, "not a registry; rm -rf /", line -> {}));
            assertTrue(bad.getMessage().contains("is not a registry"), bad.getMessage());
        } finally {
            // the tag this test made, and only it
            TestImages.engine().removeImage(target);
        }
        assertFalse(TestImages.engine().imageExists(target));
        assertTrue(TestImages.engine().imageExists(local), "the local image is untouched");
    }
}
