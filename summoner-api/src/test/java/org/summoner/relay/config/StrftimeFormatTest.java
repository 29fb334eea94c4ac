package org.summoner.relay.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Summoner's date_format, a Python strftime pattern, formats as Python would. */
class StrftimeFormatTest {
    /** 2026-11-24 07:05:09.123456 +02:00, a Tuesday, day 328 of the year. */
    private static final ZonedDateTime TIME = ZonedDateTime.of(2026, 11, 24, 7, 5, 9, 123_456_789, ZoneOffset.ofHours(2));

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "%Y-%m-%d %H:%M:%S.%3f | 2026-11-24 07:05:09.123",
            "%Y-%m-%d %H:%M:%S.%6f | 2026-11-24 07:05:09.123456",
            "%H:%M:%S.%f           | 07:05:09.123456",
            "%d/%m/%y %I:%M %p     | 24/11/26 07:05 AM",
            "%a %A %b %B           | Tue Tuesday Nov November",
            "%j                    | 328",
            "%Y%m%dT%H%M%S%z       | 20261124T070509+0200",
            "100%% at %H o'clock   | 100% at 07 o'clock",
            "[%Y]                  | [2026]",
    })
    void directives_format_as_python_does(String strftime, String expected) {
        assertEquals(expected, StrftimeFormat.formatter(strftime).format(TIME));
    }

    @Test
    void text_without_directives_is_kept_as_it_is() {
        assertEquals("at noon: 'soon'", StrftimeFormat.formatter("at noon: 'soon'").format(TIME));
    }

    @Test
    void an_unsupported_directive_is_named() {
        assertEquals("%c is not supported", assertThrows(IllegalArgumentException.class, () -> StrftimeFormat.formatter("%Y %c")).getMessage());
        assertEquals("a lone % at the end is not a directive",
                assertThrows(IllegalArgumentException.class, () -> StrftimeFormat.formatter("%H:%M %")).getMessage());
    }

    @Test
    void the_supported_directives_are_listed() {
        assertEquals("%Y %y %m %d %H %I %M %S %f %3f %6f %p %z %Z %a %A %b %B %j %%", StrftimeFormat.supported());
    }
}
