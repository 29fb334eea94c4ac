package org.summoner.relay.identity;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * Base64 as Aurora writes it (standard alphabet, padded), read strictly: a text decodes only if it is the one
 * canonical spelling of its bytes, so nothing outside the alphabet, nothing after the padding, no missing padding and
 * no unused bit set. Aurora's own decoder accepts all of these, so one signature has many spellings there
 * ({@code aurora_quirks} of the vectors); here it has one. Stateless and thread-safe.
 */
public final class Base64Strict {
    private Base64Strict() {
    }

    /** @return the bytes, or null when {@code text} is not canonical base64. */
    public static byte[] decode(String text) {
        final byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
        final byte[] again = Base64.getEncoder().encode(bytes);
        return Arrays.equals(again, text.getBytes(StandardCharsets.ISO_8859_1)) ? bytes : null;
    }

    public static String encode(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }
}
