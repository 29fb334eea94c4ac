package org.summoner.relay.netty;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

import java.util.List;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs a test class with Netty's leak detector at PARANOID (every buffer tracked) and fails it if Netty reports a
 * leak: a buffer garbage-collected without having been released. Reports surface when the detector next polls,
 * so the check collects garbage and allocates a little before reading them.
 */
final class LeakWatch implements BeforeAllCallback, AfterAllCallback {
    private static final String DETECTOR_LOGGER = ResourceLeakDetector.class.getName();
    private ListAppender<ILoggingEvent> reports;
    private ResourceLeakDetector.Level previous;

    @Override
    public void beforeAll(ExtensionContext context) {
        previous = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        reports = new ListAppender<>();
        reports.start();
        ((Logger) LoggerFactory.getLogger(DETECTOR_LOGGER)).addAppender(reports);
    }

    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException {
        try {
            for (int round = 0; round < 5; round++) {
                System.gc();
                Thread.sleep(50);
                for (int i = 0; i < 200; i++) {
                    release(PooledByteBufAllocator.DEFAULT.directBuffer(64));
                    release(UnpooledByteBufAllocator.DEFAULT.heapBuffer(64));
                }
            }
            final List<String> leaks = reports.list.stream()
                    .map(ILoggingEvent::getFormattedMessage)
                    .filter(message -> message.contains("LEAK"))
                    .toList();
            if (!leaks.isEmpty()) {
                fail(leaks.size() + " buffer leak(s) reported by Netty:\n" + String.join("\n\n", leaks));
            }
        } finally {
            ((Logger) LoggerFactory.getLogger(DETECTOR_LOGGER)).detachAppender(reports);
            ResourceLeakDetector.setLevel(previous);
        }
    }

    private static void release(ByteBuf buffer) {
        buffer.release();
    }
}
