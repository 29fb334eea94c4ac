package org.summoner.relay.config;

import org.junit.jupiter.api.Test;
import org.summoner.relay.config.PythonLogFormat.Part;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Summoner's console_log_format and log_format, Python logging formats, read into text and fields. */
class PythonLogFormatTest {
    private static Part field(String name) {
        return new Part(null, name, false, 0);
    }

    private static Part text(String text) {
        return new Part(text, null, false, 0);
    }

    @Test
    void the_default_format_is_four_fields_between_dashes() {
        assertEquals(List.of(field("asctime"), text(" - "), field("name"), text(" - "), field("levelname"), text(" - "),
                field("message")), PythonLogFormat.parse("%(asctime)s - %(name)s - %(levelname)s - %(message)s"));
    }

    @Test
    void ansi_colours_padding_and_percent_signs_are_kept() {
        assertEquals(List.of(text("\u001b[32m"), new Part(null, "levelname", true, 8), text("\u001b[0m 100% "), field("message")),
                PythonLogFormat.parse("\u001b[32m%(levelname)-8s\u001b[0m 100%% %(message)s"));
        assertEquals(List.of(new Part(null, "levelno", false, 3)), PythonLogFormat.parse("%(levelno)3d"));
    }

    @Test
    void what_the_relay_cannot_fill_is_named() {
        assertEquals("%(funcName)s is not supported",
                assertThrows(IllegalArgumentException.class, () -> PythonLogFormat.parse("%(funcName)s %(message)s")).getMessage());
        assertEquals("%(message) needs a conversion: s, d or f",
                assertThrows(IllegalArgumentException.class, () -> PythonLogFormat.parse("%(message)")).getMessage());
        assertEquals("'%' must start %(name)s or be written %%",
                assertThrows(IllegalArgumentException.class, () -> PythonLogFormat.parse("50% %(message)s")).getMessage());
        assertEquals("%( is not closed", assertThrows(IllegalArgumentException.class, () -> PythonLogFormat.parse("%(message")).getMessage());
    }

    @Test
    void the_supported_fields_are_listed() {
        assertEquals("%(asctime)s %(created)s %(msecs)s %(name)s %(levelname)s %(levelno)s %(message)s %(process)s "
                + "%(threadName)s", PythonLogFormat.supported());
    }
}
