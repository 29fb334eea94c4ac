package org.summoner.relay.cluster;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The word-at-a-time scans say what the byte-at-a-time ones say, whichever byte of a word needs a look. */
class EnvelopeBytesTest {
    /** The scan as it was, a byte at a time. */
    private static int reference(byte[] frame, int at, int end) {
        for (int i = at; i < end; i++) {
            final byte b = frame[i];
            if (b == '"') {
                return i;
            }
            if (b >= 0 && b < 0x20) {
                return -1;
            }
            if (b == '\\') {
                if (i + 1 >= end) {
                    return -1;
                }
                final byte escaped = frame[i + 1];
                if (escaped == 'u') {
                    if (i + 6 > end) {
                        return -1;
                    }
                    for (int h = i + 2; h < i + 6; h++) {
                        if (Character.digit(frame[h], 16) < 0) {
                            return -1;
                        }
                    }
                    i += 5;
                    continue;
                }
                if ("\"\\/bfnrt".indexOf(escaped) < 0) {
                    return -1;
                }
                i++;
            }
        }
        return -1;
    }

    @Test
    void every_special_byte_at_every_place_of_a_word_is_seen() {
        final byte[] specials = {'"', '\\', 0, 0x1F, '\n', 0x20, 0x21, 0x5B, 0x5D, (byte) 0x80, (byte) 0xC3, (byte) 0xFF, 'u', 'n'};
        for (int length = 0; length < 40; length++) {
            for (int place = 0; place < length; place++) {
                for (byte special : specials) {
                    for (byte second : specials) {
                        final byte[] bytes = new byte[length + 3];
                        Arrays.fill(bytes, (byte) 'a');
                        bytes[1 + place] = special;
                        bytes[1 + (place * 7 + 3) % length] = second;
                        assertEquals(reference(bytes, 1, 1 + length), EnvelopeBytes.jsonStringEnd(bytes, 1, 1 + length),
                                "length " + length + " place " + place + " bytes " + special + " " + second);
                        boolean ascii = true;
                        for (int i = 1; i < 1 + length; i++) {
                            ascii &= bytes[i] >= 0;
                        }
                        assertEquals(ascii, EnvelopeBytes.isAscii(bytes, 1, 1 + length));
                    }
                }
            }
        }
    }

    @Test
    void random_bytes_scan_as_a_byte_at_a_time() {
        final Random random = new Random(27);
        final byte[] alphabet = {'a', 'z', '0', '"', '\\', 'u', 'n', 'F', '/', 0x01, 0x7F, (byte) 0x80, (byte) 0xE9};
        for (int run = 0; run < 200_000; run++) {
            final byte[] bytes = new byte[random.nextInt(48)];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = random.nextInt(4) == 0 ? alphabet[random.nextInt(alphabet.length)] : (byte) ('a' + random.nextInt(26));
            }
            assertEquals(reference(bytes, 0, bytes.length), EnvelopeBytes.jsonStringEnd(bytes, 0, bytes.length));
        }
    }
}
