package dev.bottles.dockerengine;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import dev.bottles.dockerengine.DockerEngine.LogWait;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The engine's logs: wait for a readiness line, read the tail; {@link DockerEngine} delegates
 * here.
 */
final class EngineLogs extends EngineResource {
    private static final System.Logger LOG = System.getLogger(DockerEngine.class.getName());

    EngineLogs(DockerEngine engine, DockerClient client) {
        super(engine, client);
    }

    LogWait awaitLogLine(String container, String marker, String failure, Duration timeout) {
        CompletableFuture<LogWait> result = new CompletableFuture<>();
        StringBuilder partial = new StringBuilder();
        ResultCallback.Adapter<Frame> cb = new ResultCallback.Adapter<Frame>() {
            @Override
            public void onNext(Frame f) {
                partial.append(new String(f.getPayload(), StandardCharsets.UTF_8));
                int nl;
                while ((nl = partial.indexOf("\n")) >= 0) {
                    String line = partial.substring(0, nl);
                    partial.delete(0, nl + 1);
                    if (line.contains(marker)) {
                        result.complete(LogWait.FOUND);
                    } else if (line.contains(failure)) {
                        result.complete(LogWait.FAILED);
                    }
                }
            }

            @Override
            public void onComplete() {
                result.complete(partial.toString().contains(marker) ? LogWait.FOUND : LogWait.FAILED);
                super.onComplete();
            }

            @Override
            public void onError(Throwable t) {
                result.complete(LogWait.FAILED);
                super.onError(t);
            }
        };
        try {
            client.logContainerCmd(container)
                    .withStdOut(true)
                    .withStdErr(true)
                    .withFollowStream(true)
                    .exec(cb);
            return result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return LogWait.TIMED_OUT;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return LogWait.TIMED_OUT;
        } catch (ExecutionException | RuntimeException e) {
            return LogWait.FAILED;
        } finally {
            try {
                cb.close();
            } catch (IOException e) {
                LOG.log(Level.DEBUG, "closing a log stream failed", e);
            }
        }
    }

    String logTail(String container, int lines) {
        StringBuilder sb = new StringBuilder();
        try {
            client.logContainerCmd(container)
                    .withStdOut(true)
                    .withStdErr(true)
                    .withTail(lines)
                    .exec(new ResultCallback.Adapter<Frame>() {
                        @Override
                        public void onNext(Frame f) {
                            sb.append(new String(f.getPayload(), StandardCharsets.UTF_8));
                        }
                    })
                    .awaitCompletion(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            return "";
        }
        return sb.toString().strip();
    }
}
