package dev.bottles.dockerengine;

import com.github.dockerjava.api.DockerClient;

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
}
