package org.summoner.relay.server.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.summoner.relay.config.ConfigException;
import org.summoner.relay.config.LoggerSettings;
import org.summoner.relay.config.ServerConfig;
import org.summoner.relay.counters.RelayedLines;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The logger section applied: files written, formats, rotation, JSON read back, log_keys, levels. */
class LogSetupTest {
    private static final String TIME = "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3}";

    @TempDir
    Path dir;

    @AfterEach
    void restoreDefaultLogging() throws Exception {
        final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        new ContextInitializer(context).autoConfig();
    }

    private LoggerContext apply(Map<String, Object> logger) {
        final LoggerSettings settings = ServerConfig.fromMap(Map.of("logger", logger)).logger();
        return LogSetup.apply(settings, "first_server");
    }

    /** Stops the appenders as a server's shutdown does: the asynchronous ones write out their queues first. */
    private static void flush(LoggerContext context) {
        context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).detachAndStopAllAppenders();
    }

    private List<String> lines(String file) throws Exception {
        return Files.readAllLines(dir.resolve(file), StandardCharsets.UTF_8);
    }

    private static void relay(String remoteAddr, String content) {
        final byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        RelayedLines.received(remoteAddr, bytes, 0, bytes.length);
    }

    @Test
    void a_file_log_in_the_python_format_goes_to_the_directory_it_names() throws Exception {
        final LoggerContext context = apply(Map.of("enable_console_log", false, "enable_file_log", true,
                "log_file_path", dir.resolve("logs").toString(), "log_level", "WARNING",
                "log_format", "%(asctime)s | %(levelname)-8s| %(name)s | %(message)s"));
        final Logger log = LoggerFactory.getLogger("first_server");
        log.info("not at WARNING");
        log.warn("disk is slow");
        log.error("disk is gone");
        flush(context); // the asynchronous appenders write what they hold

        final List<String> lines = Files.readAllLines(dir.resolve("logs/first_server.log"));
        assertEquals(2, lines.size(), lines.toString());
        assertTrue(lines.get(0).matches(TIME + " \\| WARNING \\| first_server \\| disk is slow"), lines.get(0));
        assertTrue(lines.get(1).matches(TIME + " \\| ERROR   \\| first_server \\| disk is gone"), lines.get(1));
    }

    @Test
    void the_file_rolls_over_at_max_file_size_keeping_backup_count_files() throws Exception {
        final LoggerContext context = apply(Map.of("enable_console_log", false, "enable_file_log", true,
                "log_file_path", dir.toString(), "max_file_size", 2_000, "backup_count", 2));
        final Logger log = LoggerFactory.getLogger("first_server");
        for (int i = 0; i < 400; i++) {
            log.info("line {} {}", i, "x".repeat(80));
            if (i % 50 == 49) {
                Thread.sleep(20); // let the asynchronous appender write, as a running server would
            }
        }
        flush(context);

        assertTrue(Files.exists(dir.resolve("first_server.log")));
        assertTrue(Files.exists(dir.resolve("first_server.log.1")));
        assertTrue(Files.exists(dir.resolve("first_server.log.2")));
        assertFalse(Files.exists(dir.resolve("first_server.log.3")), "backup_count 2 keeps two");
        final List<String> newest = lines("first_server.log");
        assertTrue(newest.get(newest.size() - 1).endsWith("line 399 " + "x".repeat(80)), newest.toString());
    }

    /** Lines as the SDK's {@code wrap_with_types} makes them: {@code json.dumps} of {@code _version}, {@code _payload}, {@code _type}. */
    private static final String WRAPPED_DICT = "{\"_version\": \"1.3.0\", \"_payload\": {\"to\": \"bob\", \"secret\": \"s3cr3t\", "
            + "\"n\": 3}, \"_type\": {\"to\": \"str\", \"secret\": \"str\", \"n\": \"int\"}}";
    private static final String WRAPPED_STRING = "{\"_version\": \"1.3.0\", \"_payload\": \"s3cr3t plan\", \"_type\": \"str\"}";
    private static final String WRAPPED_LIST = "{\"_version\": \"1.3.0\", \"_payload\": [\"s3cr3t\", 1], \"_type\": [\"str\", \"int\"]}";

    @Test
    void json_lines_have_upstreams_fields_and_a_relayed_line_is_an_object_as_the_rust_server_writes_it() throws Exception {
        final LoggerContext context = apply(Map.of("enable_console_log", false, "enable_file_log", true, "enable_json_log", true,
                "log_file_path", dir.toString(), "log_level", "DEBUG", "date_format", "%Y-%m-%dT%H:%M:%S.%6f%z"));
        relay("127.0.0.1:5000", WRAPPED_DICT);
        relay("[::1]:7", "plain text");
        relay("[::1]:7", "42");
        LoggerFactory.getLogger("first_server").info("started");
        flush(context);

        final ObjectMapper json = new ObjectMapper();
        final List<String> lines = lines("first_server.log");
        assertEquals(4, lines.size(), lines.toString());
        final JsonNode first = json.readTree(lines.get(0));
        assertEquals(List.of("timestamp", "name", "level", "message", "logger"), fieldNames(first));
        assertEquals("first_server", first.get("name").asText());
        assertEquals("DEBUG", first.get("level").asText());
        assertEquals(RelayedLines.LOGGER, first.get("logger").asText());
        assertEquals(json.readTree("{\"remote_addr\": \"127.0.0.1:5000\", \"content\": " + WRAPPED_DICT + "}"), first.get("message"),
                "without log_keys the whole line, as the JSON it is");
        assertTrue(first.get("timestamp").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}[+-]\\d{4}"),
                first.get("timestamp").asText());
        assertEquals(json.readTree("{\"remote_addr\": \"[::1]:7\", \"content\": \"plain text\"}"), json.readTree(lines.get(1)).get("message"),
                "a line that is not JSON is a string");
        assertEquals(42, json.readTree(lines.get(2)).get("message").get("content").asInt(), "a JSON number stays one");
        final JsonNode last = json.readTree(lines.get(3));
        assertEquals("started", last.get("message").asText());
        assertEquals("INFO", last.get("level").asText());
    }

    @Test
    void log_keys_keep_version_and_the_listed_keys_inside_payload_and_type_of_an_sdk_line_as_the_rust_server_does() throws Exception {
        final LoggerContext context = apply(Map.of("enable_console_log", false, "enable_file_log", true, "enable_json_log", true,
                "log_file_path", dir.toString(), "log_level", "DEBUG", "log_keys", List.of("to", "n", "_version")));
        relay("127.0.0.1:5000", WRAPPED_DICT);
        relay("127.0.0.1:5000", WRAPPED_STRING);
        relay("127.0.0.1:5000", WRAPPED_LIST);
        relay("127.0.0.1:5000", "{\"to\": \"bob\", \"type\": \"chat\", \"secret\": \"s3cr3t\"}");
        relay("127.0.0.1:5000", "[\"s3cr3t\"]");
        flush(context);

        final ObjectMapper json = new ObjectMapper();
        final List<String> lines = lines("first_server.log");
        assertEquals(5, lines.size(), lines.toString());
        // What prune_content_value (rust_server_v1_1_0/src/logger/mod.rs) gives for each:
        assertEquals(json.readTree("{\"_version\": \"1.3.0\", \"_payload\": {\"to\": \"bob\", \"n\": 3}, \"_type\": {\"to\": \"str\", \"n\": \"int\"}}"),
                content(json, lines.get(0)));
        assertEquals(json.readTree("{\"_version\": \"1.3.0\"}"), content(json, lines.get(1)), "a payload that is not an object is left out");
        assertEquals(json.readTree("{\"_version\": \"1.3.0\"}"), content(json, lines.get(2)));
        assertEquals(json.readTree("{\"to\": \"bob\"}"), content(json, lines.get(3)), "a line the SDK did not wrap: its top-level keys");
        assertEquals(json.readTree("[\"s3cr3t\"]"), content(json, lines.get(4)), "not an object: as it is");
        for (int i = 0; i < 4; i++) {
            assertFalse(lines.get(i).contains("s3cr3t"), "a key not in log_keys never reaches the log: " + lines.get(i));
        }
    }

    @Test
    void an_empty_log_keys_keeps_only_the_version_of_an_sdk_line() throws Exception {
        final LoggerContext context = apply(Map.of("enable_console_log", false, "enable_file_log", true, "enable_json_log", true,
                "log_file_path", dir.toString(), "log_level", "DEBUG", "log_keys", List.of()));
        relay("127.0.0.1:5000", WRAPPED_DICT);
        flush(context);

        assertEquals(new ObjectMapper().readTree("{\"_version\": \"1.3.0\", \"_payload\": {}, \"_type\": {}}"),
                content(new ObjectMapper(), lines("first_server.log").get(0)));
    }

    @Test
    void with_log_keys_a_line_that_starts_as_json_but_cannot_be_read_is_withheld_never_logged_whole() throws Exception {
        final LoggerContext context = apply(Map.of("enable_console_log", false, "enable_file_log", true, "enable_json_log", true,
                "log_file_path", dir.toString(), "log_level", "DEBUG", "log_keys", List.of("to")));
        final List<String> unreadable = List.of(
                "[".repeat(5_000) + "{\"secret\": 1}" + "]".repeat(5_000), // past Jackson's nesting limit (1,000)
                "{\"to\": \"bob\", \"secret\": " + "1".repeat(2_000) + "}", // past its number length limit
                "{\"to\": \"bob\", \"secret\": \"s3cr3t\"}{\"x\": 1}", // trailing data: not one JSON value
                "\uFEFF {\"to\": \"bob\", \"secret\": \"s3cr3t\"", // a BOM, then a cut object
                "{\"\\ud800\": \"x\", \"secret\": \"s3cr3t\""); // a lone surrogate, cut
        for (String line : unreadable) {
            relay("127.0.0.1:5000", line);
        }
        // Python's json.dumps writes NaN and Infinity for such floats: the SDK's lines are read, and filtered.
        relay("127.0.0.1:5000", "{\"_version\": \"1.3.0\", \"_payload\": {\"to\": \"bob\", \"secret\": \"s3cr3t\", \"x\": NaN}, "
                + "\"_type\": {\"to\": \"str\", \"x\": \"float\"}}");
        relay("127.0.0.1:5000", "not JSON at all: logged as it is");
        flush(context);

        final ObjectMapper json = new ObjectMapper();
        final List<String> lines = lines("first_server.log");
        assertEquals(unreadable.size() + 2, lines.size(), lines.toString());
        for (int i = 0; i < unreadable.size(); i++) {
            assertEquals("(not logged: " + unreadable.get(i).length() + " characters that start as JSON but could not be read, "
                    + "so log_keys could not filter them)", content(json, lines.get(i)).asText());
        }
        assertEquals(json.readTree("{\"_version\": \"1.3.0\", \"_payload\": {\"to\": \"bob\"}, \"_type\": {\"to\": \"str\"}}"),
                content(json, lines.get(unreadable.size())));
        assertEquals("not JSON at all: logged as it is", content(json, lines.get(unreadable.size() + 1)).asText());
        assertTrue(lines.stream().noneMatch(line -> line.contains("s3cr3t") || line.contains("secret")), lines.toString());
    }

    @Test
    void without_log_keys_a_line_the_reader_cannot_read_is_logged_whole_as_a_string() throws Exception {
        final LoggerContext context = apply(Map.of("enable_console_log", false, "enable_file_log", true, "enable_json_log", true,
                "log_file_path", dir.toString(), "log_level", "DEBUG"));
        relay("127.0.0.1:5000", "{\"to\": \"bob\"} trailing");
        flush(context);

        assertEquals("{\"to\": \"bob\"} trailing", content(new ObjectMapper(), lines("first_server.log").get(0)).asText());
    }

    @Test
    void the_json_log_writes_every_character_outside_ascii_escaped_so_no_line_separator_or_control_reaches_the_file() throws Exception {
        final LoggerContext context = apply(Map.of("enable_console_log", false, "enable_file_log", true, "enable_json_log", true,
                "log_file_path", dir.toString(), "log_level", "DEBUG"));
        final String hostile = "{\"to\": \"x\u2028\u0085\u202e\u009b31m \u00e9t\u00e9 \uD83D\uDE80\"}";
        relay("127.0.0.1:5000", hostile);
        relay("127.0.0.1:5000", "plain \u2029 text \u001b[2J");
        flush(context);

        final byte[] file = Files.readAllBytes(dir.resolve("first_server.log"));
        for (byte b : file) {
            assertTrue(b >= 0x20 && b < 0x7f || b == '\n', "only printable ASCII and line ends in the file, found byte " + (b & 0xff));
        }
        final ObjectMapper json = new ObjectMapper();
        final List<String> lines = lines("first_server.log");
        assertEquals(2, lines.size(), lines.toString());
        assertEquals(json.readTree(hostile), content(json, lines.get(0)), "read back, it is what was sent");
        assertEquals("plain \u2029 text \u001b[2J", content(json, lines.get(1)).asText());
    }

    @Test
    void a_log_file_that_cannot_be_written_stops_start_up_naming_the_key_and_the_file() throws Exception {
        Files.createDirectories(dir.resolve("first_server.log")); // a directory where the file should be
        final LoggerSettings settings = ServerConfig.fromMap(Map.of("logger", Map.of("enable_file_log", true,
                "log_file_path", dir.toString()))).logger();
        final ConfigException e = assertThrows(ConfigException.class, () -> LogSetup.apply(settings, "first_server"));
        assertEquals("logger.log_file_path", e.key());
        assertEquals("key \"logger.log_file_path\" (with the server's name): cannot write the log file " + dir.resolve("first_server.log")
                + ": java.nio.file.FileSystemException: " + dir.resolve("first_server.log") + ": Is a directory", e.getMessage());

        Files.writeString(dir.resolve("a-file"), "");
        final LoggerSettings under = ServerConfig.fromMap(Map.of("logger", Map.of("enable_file_log", true,
                "log_file_path", dir.resolve("a-file/sub").toString()))).logger();
        final ConfigException notADirectory = assertThrows(ConfigException.class, () -> LogSetup.apply(under, "first_server"));
        assertTrue(notADirectory.getMessage().startsWith("key \"logger.log_file_path\" (with the server's name): cannot write the log file "
                + dir.resolve("a-file/sub") + ": cannot create the directory ("), notADirectory.getMessage());
    }

    @Test
    void a_reload_whose_log_file_cannot_be_written_leaves_the_running_logging_as_it_was() throws Exception {
        final LoggerContext context = apply(Map.of("enable_console_log", false, "enable_file_log", true,
                "log_file_path", dir.resolve("logs").toString()));
        Files.writeString(dir.resolve("a-file"), "");
        assertThrows(ConfigException.class, () -> apply(Map.of("enable_console_log", false, "enable_file_log", true,
                "log_file_path", dir.resolve("a-file/sub").toString(), "log_level", "ERROR")));
        LoggerFactory.getLogger("first_server").info("still logged where it was, at INFO");
        flush(context);
        final List<String> lines = lines("logs/first_server.log");
        assertEquals(1, lines.size(), lines.toString());
        assertTrue(lines.get(0).endsWith(" - first_server - INFO - still logged where it was, at INFO"), lines.get(0));
    }

    @Test
    void the_log_file_is_named_after_the_server_with_dots_as_underscores() throws Exception {
        final LoggerSettings settings = ServerConfig.fromMap(Map.of("logger", Map.of("enable_console_log", false,
                "enable_file_log", true, "log_file_path", dir.toString()))).logger();
        final LoggerContext context = LogSetup.apply(settings, "relay.eu.1");
        LoggerFactory.getLogger("first_server").info("started");
        flush(context);

        assertTrue(lines("relay_eu_1.log").get(0).endsWith(" - INFO - started"), lines("relay_eu_1.log").toString());
    }

    private static JsonNode content(ObjectMapper json, String line) throws Exception {
        return json.readTree(line).get("message").get("content");
    }

    private static List<String> fieldNames(JsonNode node) {
        final List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void relayed_lines_are_logged_only_at_debug() throws Exception {
        final LoggerContext context = apply(Map.of("enable_console_log", false, "enable_file_log", true,
                "log_file_path", dir.toString()));
        relay("127.0.0.1:5000", "hello");
        LoggerFactory.getLogger("first_server").info("at INFO");
        flush(context);

        assertEquals(1, lines("first_server.log").size());
        assertTrue(lines("first_server.log").get(0).endsWith(" - first_server - INFO - at INFO"));
    }

    @Test
    void text_logs_prune_relayed_json_too_and_keep_ansi_colours() throws Exception {
        final LoggerContext context = apply(Map.of("enable_console_log", false, "enable_file_log", true,
                "log_file_path", dir.toString(), "log_level", "DEBUG", "log_keys", List.of("to"),
                "log_format", "\u001b[92m%(levelname)s\u001b[0m %(message)s"));
        relay("127.0.0.1:5000", "{\"to\":\"bob\",\"secret\":1}");
        relay("127.0.0.1:5000", WRAPPED_DICT);
        flush(context);

        assertEquals(List.of("\u001b[92mDEBUG\u001b[0m Received from 127.0.0.1:5000: {\"to\":\"bob\"}",
                "\u001b[92mDEBUG\u001b[0m Received from 127.0.0.1:5000: {\"_version\":\"1.3.0\",\"_payload\":{\"to\":\"bob\"},\"_type\":{\"to\":\"str\"}}"),
                lines("first_server.log"));
    }

    @Test
    void a_relayed_line_in_a_text_log_is_whole_but_cannot_forge_a_log_line() throws Exception {
        final LoggerContext context = apply(Map.of("enable_console_log", false, "enable_file_log", true,
                "log_file_path", dir.toString(), "log_level", "DEBUG", "log_format", "%(message)s"));
        final String forged = "x".repeat(300) + "\r2026-12-07 00:00:00.000 - first_server - INFO - forged\u001b[2K";
        relay("127.0.0.1:5000", forged);
        flush(context);

        assertEquals(List.of("Received from 127.0.0.1:5000: " + "x".repeat(300)
                + "\\r2026-12-07 00:00:00.000 - first_server - INFO - forged\\u001b[2K"), lines("first_server.log"));
    }
}
