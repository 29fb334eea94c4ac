package org.summoner.relay.wire;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Utf8Test {

    @ParameterizedTest
    @ValueSource(strings = {"", "41", "c2a9", "e282ac", "f09f9880", "efbfbf", "f48fbfbf", "ed9fbf", "ee8080",
            "4142434445464748494a", "e282ace282ace282ac41424344454647"})
    void well_formed_sequences_are_valid(String hex) {
        final byte[] bytes = HexFormat.of().parseHex(hex);
        assertTrue(Utf8.isValid(bytes, 0, bytes.length));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "80", "bf", "c0af", "c1bf", "c2", "c241", "e282", "e28241", "e08080", "e09fbf",
            "eda080", "edbfbf", "f08f8080", "f4908080", "f5808080", "ff", "fe", "f09f98", "414243444546474880"})
    void ill_formed_sequences_are_rejected(String hex) {
        final byte[] bytes = HexFormat.of().parseHex(hex);
        assertFalse(Utf8.isValid(bytes, 0, bytes.length));
    }

    @Test
    void only_the_given_range_is_checked() {
        final byte[] bytes = {(byte) 0xFF, 'o', 'k', (byte) 0xFF};
        assertTrue(Utf8.isValid(bytes, 1, 2));
        assertFalse(Utf8.isValid(bytes, 0, 2));
    }

    @Test
    void agrees_with_the_jdk_decoder_on_random_near_utf8_bytes() {
        final SplittableRandom random = new SplittableRandom(42);
        for (int round = 0; round < 200_000; round++) {
            final byte[] bytes = nearUtf8(random);
            assertEquals(jdkAccepts(bytes), Utf8.isValid(bytes, 0, bytes.length), () -> HexFormat.of().formatHex(bytes));
        }
    }

    /** Valid text of every width, then sometimes a byte flipped, dropped or inserted. */
    private static byte[] nearUtf8(SplittableRandom random) {
        final StringBuilder text = new StringBuilder();
        final int codePoints = random.nextInt(12);
        for (int i = 0; i < codePoints; i++) {
            int cp;
            switch (random.nextInt(4)) {
                case 0 -> cp = random.nextInt(0x80);
                case 1 -> cp = 0x80 + random.nextInt(0x800 - 0x80);
                case 2 -> {
                    cp = 0x800 + random.nextInt(0x10000 - 0x800);
                    if (cp >= 0xD800 && cp <= 0xDFFF) {
                        cp = 0xE000;
                    }
                }
                default -> cp = 0x10000 + random.nextInt(0x110000 - 0x10000);
            }
            text.appendCodePoint(cp);
        }
        final byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        if (bytes.length == 0 || random.nextInt(3) == 0) {
            return bytes;
        }
        final int at = random.nextInt(bytes.length);
        switch (random.nextInt(3)) {
            case 0 -> bytes[at] = (byte) random.nextInt(256);
            case 1 -> {
                final byte[] shorter = new byte[bytes.length - 1];
                System.arraycopy(bytes, 0, shorter, 0, at);
                System.arraycopy(bytes, at + 1, shorter, at, bytes.length - at - 1);
                return shorter;
            }
            default -> {
                final byte[] longer = new byte[bytes.length + 1];
                System.arraycopy(bytes, 0, longer, 0, at);
                longer[at] = (byte) (0x80 + random.nextInt(0x80));
                System.arraycopy(bytes, at, longer, at + 1, bytes.length - at);
                return longer;
            }
        }
        return bytes;
    }

    private static boolean jdkAccepts(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
