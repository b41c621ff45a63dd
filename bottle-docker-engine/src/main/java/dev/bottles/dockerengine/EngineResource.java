package dev.bottles.dockerengine;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import dev.bottles.BottleException;

/** One kind of engine resource's verbs, over the facade's client ({@link DockerEngine} delegates to them). */
abstract class EngineResource {
    /** The facade, for its messages and the other resources. */
    final DockerEngine engine;
    /** The docker-java client every call goes through. */
    final DockerClient client;

    EngineResource(DockerEngine engine, DockerClient client) {
        this.engine = engine;
        this.client = client;
    }

    /**
     * Runs an inspect call to learn whether something exists: a 404 says no; any other refusal
     * names what was inspected, and an engine that does not answer says so.
     */
    final boolean found(String what, Runnable inspect) {
        try {
            inspect.run();
            return true;
        } catch (NotFoundException e) {
            return false;
        } catch (RuntimeException e) {
            if (e instanceof DockerException) {
                throw new BottleException("cannot inspect " + what + ": " + e.getMessage(), e);
            }
            throw engine.unreachable(e);
        }
    }
}
