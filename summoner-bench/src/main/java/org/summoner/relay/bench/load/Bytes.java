package org.summoner.relay.bench.load;

/** Searches and comparisons over {@code byte[]} ranges, for the protocol parsers. */
final class Bytes {
    private Bytes() {
    }

    /** @return the index of {@code value} in {@code bytes[from, to)}, or -1. */
    static int indexOf(byte[] bytes, int from, int to, byte value) {
        for (int i = from; i < to; i++) {
            if (bytes[i] == value) {
                return i;
            }
        }
        return -1;
    }

    /** @return the index where {@code needle} starts in {@code bytes[from, to)}, or -1. */
    static int indexOf(byte[] bytes, int from, int to, byte[] needle) {
        for (int i = indexOf(bytes, from, to, needle[0]); i >= 0 && i <= to - needle.length;
             i = indexOf(bytes, i + 1, to, needle[0])) {
            if (startsWith(bytes, i, to, needle)) {
                return i;
            }
        }
        return -1;
    }

    /** @return the index of the {@code \r} of the first {@code \r\n} in {@code bytes[from, to)}, or -1. */
    static int indexOfCrlf(byte[] bytes, int from, int to) {
        for (int i = indexOf(bytes, from, to, (byte) '\r'); i >= 0 && i < to - 1; i = indexOf(bytes, i + 1, to, (byte) '\r')) {
            if (bytes[i + 1] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** @return whether {@code bytes[from, to)} starts with {@code prefix}. */
    static boolean startsWith(byte[] bytes, int from, int to, byte[] prefix) {
        if (to - from < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (bytes[from + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** @return whether {@code bytes[from, to)} is exactly {@code expected}. */
    static boolean equals(byte[] bytes, int from, int to, byte[] expected) {
        return to - from == expected.length && startsWith(bytes, from, to, expected);
    }
}
