package dev.bottles;

/**
 * Receives each finished phase and step of a bottle's life. Called on the thread that did the
 * work; keep it quick. An exception it throws is logged and otherwise ignored.
 */
@FunctionalInterface
public interface BottleListener {

    /**
     * Receives one event.
     *
     * @param event the finished step
     */
    void onEvent(BottleEvent event);

    /**
     * Receives one line of progress from a long step (an image build's output, for example).
     * Ignored unless overridden.
     *
     * @param identity the bottle's identity
     * @param step the step that printed it, e.g. {@code build-image}
     * @param line the line, without its newline
     */
    default void onProgress(String identity, String step, String line) {
        // most listeners only want finished steps
    }
}
