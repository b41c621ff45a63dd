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
}
