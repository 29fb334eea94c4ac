package org.summoner.relay.bench.load;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * What the harness publishes: {@code @<sender>:<seq>:<sendNanos>;} padded with {@code x} to a fixed size, plain
 * ASCII so no protocol escapes it. {@code sendNanos} counts from the run's epoch (the intended send time in
 * open-loop runs). Readiness probes are {@code !<sender>;} padded the same way and are never counted.
 */
final class Payload {
    /** Room for "@" + 5 digits + ":" + 19 digits + ":" + 19 digits + ";". */
    static final int MIN_BYTES = 48;

    private final byte[] bytes;
    private int headerLength;

    Payload(int size) {
        if (size < MIN_BYTES) {
            throw new IllegalArgumentException("line size " + size + " is below the payload header's " + MIN_BYTES + " bytes");
        }
        bytes = new byte[size];
        Arrays.fill(bytes, (byte) 'x');
    }

    /** @return the payload array, rewritten in place by {@link #stamp}. */
    byte[] bytes() {
        return bytes;
    }

    /** Writes the header for one message over the previous one. */
    Payload stamp(int sender, long seq, long sendNanos) {
        int p = 0;
        bytes[p++] = '@';
        p = writeLong(sender, p);
        bytes[p++] = ':';
        p = writeLong(seq, p);
        bytes[p++] = ':';
        p = writeLong(sendNanos, p);
        bytes[p++] = ';';
        for (int i = p; i < headerLength; i++) {
            bytes[i] = 'x';
        }
        headerLength = p;
        return this;
    }

    static byte[] probe(int sender, int size) {
        final byte[] probe = new byte[size];
        Arrays.fill(probe, (byte) 'x');
        final byte[] head = ("!" + sender + ";").getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(head, 0, probe, 0, head.length);
        return probe;
    }

    static boolean isProbe(byte[] bytes, int offset, int length) {
        return length > 0 && bytes[offset] == '!';
    }

    /**
     * Reads a stamped header into {@code fields} (sender, seq, sendNanos).
     *
     * @return false if the bytes are not a stamped payload.
     */
    static boolean read(byte[] bytes, int offset, int length, long[] fields) {
        if (length < 2 || bytes[offset] != '@') {
            return false;
        }
        int p = offset + 1;
        final int end = offset + length;
        for (int field = 0; field < 3; field++) {
            long value = 0;
            final int start = p;
            while (p < end && bytes[p] >= '0' && bytes[p] <= '9') {
                value = value * 10 + (bytes[p] - '0');
                p++;
            }
            if (p == start || p == end || bytes[p] != (field < 2 ? ':' : ';')) {
                return false;
            }
            fields[field] = value;
            p++;
        }
        return true;
    }

    private int writeLong(long value, int at) {
        if (value == 0) {
            bytes[at] = '0';
            return at + 1;
        }
        int digits = 0;
        for (long v = value; v > 0; v /= 10) {
            digits++;
        }
        long v = value;
        for (int i = at + digits - 1; i >= at; i--) {
            bytes[i] = (byte) ('0' + v % 10);
            v /= 10;
        }
        return at + digits;
    }
}
