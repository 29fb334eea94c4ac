package org.summoner.relay.wire;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Strict UTF-8 validation (RFC 3629, Unicode table 3-7): rejects overlong forms, surrogates (U+D800..U+DFFF),
 * code points above U+10FFFF and truncated sequences, exactly as Python's {@code bytes.decode("utf-8")} does.
 *
 * <p>Stateless and thread-safe; allocates nothing. ASCII runs are checked eight bytes at a time.
 */
public final class Utf8 {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long HIGH_BITS = 0x8080808080808080L;

    private Utf8() {
    }

    /**
     * @return whether {@code bytes[offset, offset + length)} is well-formed UTF-8.
     */
    public static boolean isValid(byte[] bytes, int offset, int length) {
        int i = offset;
        final int end = offset + length;
        while (i < end) {
            if (end - i >= Long.BYTES && (((long) LONGS.get(bytes, i)) & HIGH_BITS) == 0) {
                i += Long.BYTES;
                continue;
            }
            final int b0 = bytes[i] & 0xFF;
            if (b0 < 0x80) {
                i++;
                continue;
            }
            if (b0 < 0xC2) { // continuation byte, or an overlong two-byte lead (C0, C1)
                return false;
            }
            if (b0 < 0xE0) {
                if (end - i < 2 || !isContinuation(bytes[i + 1])) {
                    return false;
                }
                i += 2;
                continue;
            }
            if (b0 < 0xF0) {
                if (end - i < 3) {
                    return false;
                }
                final int b1 = bytes[i + 1] & 0xFF;
                final int low = b0 == 0xE0 ? 0xA0 : 0x80; // E0: no overlong forms
                final int high = b0 == 0xED ? 0x9F : 0xBF; // ED: no surrogates
                if (b1 < low || b1 > high || !isContinuation(bytes[i + 2])) {
                    return false;
                }
                i += 3;
                continue;
            }
            if (b0 < 0xF5) {
                if (end - i < 4) {
                    return false;
                }
                final int b1 = bytes[i + 1] & 0xFF;
                final int low = b0 == 0xF0 ? 0x90 : 0x80; // F0: no overlong forms
                final int high = b0 == 0xF4 ? 0x8F : 0xBF; // F4: nothing above U+10FFFF
                if (b1 < low || b1 > high || !isContinuation(bytes[i + 2]) || !isContinuation(bytes[i + 3])) {
                    return false;
                }
                i += 4;
                continue;
            }
            return false; // F5..FF never appear in UTF-8
        }
        return true;
    }

    private static boolean isContinuation(byte b) {
        return (b & 0xC0) == 0x80;
    }
}
