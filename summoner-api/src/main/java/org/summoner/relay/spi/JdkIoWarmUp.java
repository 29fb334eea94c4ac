package org.summoner.relay.spi;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;

/**
 * For engines on JDK sockets: initialises the JDK's I/O dispatch classes while file descriptors are available.
 * The JDK initialises {@code sun.nio.ch.FileDispatcherImpl} lazily at the first socket write, and that
 * initialisation opens a descriptor of its own; left to the first write after a server ran out of descriptors, it
 * fails for good ({@code ExceptionInInitializerError}) and takes down the thread that tried. Call once at start.
 */
public final class JdkIoWarmUp {
    private JdkIoWarmUp() {
    }

    public static void run() throws IOException {
        final Pipe pipe = Pipe.open();
        try (Pipe.SinkChannel sink = pipe.sink(); Pipe.SourceChannel source = pipe.source()) {
            sink.write(ByteBuffer.wrap(new byte[]{1}));
            source.read(ByteBuffer.allocate(1));
        }
    }
}
