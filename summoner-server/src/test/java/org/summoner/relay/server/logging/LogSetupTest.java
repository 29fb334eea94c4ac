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
import org.summoner.relay.config.LoggerSettings;
import org.summoner.relay.config.ServerConfig;
import org.summoner.relay.spi.RelayedLines;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

    @Test
    void json_lines_carry_the_relayed_line_with_only_its_log_keys() throws Exception {
        final LoggerContext context = apply(Map.of("enable_console_log", false, "enable_file_log", true, "enable_json_log", true,
                "log_file_path", dir.toString(), "log_level", "DEBUG", "log_keys", List.of("to", "type"),
                "date_format", "%Y-%m-%dT%H:%M:%S.%6f%z"));
        relay("127.0.0.1:5000", "{\"to\":\"bob\",\"type\":\"chat\",\"secret\":\"s3cr3t\"}");
        relay("[::1]:7", "plain text");
        LoggerFactory.getLogger("first_server").info("started");
        flush(context);

        final ObjectMapper json = new ObjectMapper();
        final List<String> lines = lines("first_server.log");
        assertEquals(3, lines.size(), lines.toString());
        final JsonNode first = json.readTree(lines.get(0));
        assertEquals("DEBUG", first.get("level").asText());
        assertEquals(RelayedLines.LOGGER, first.get("logger").asText());
        assertEquals("127.0.0.1:5000", first.get("remote_addr").asText());
        assertEquals(json.readTree("{\"to\":\"bob\",\"type\":\"chat\"}"), first.get("content"));
        assertEquals("Received from 127.0.0.1:5000: {\"to\":\"bob\",\"type\":\"chat\"}", first.get("message").asText());
        assertFalse(lines.get(0).contains("s3cr3t"), "a key not in log_keys never reaches the log");
        assertTrue(first.get("time").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}[+-]\\d{4}"),
                first.get("time").asText());
        final JsonNode second = json.readTree(lines.get(1));
        assertEquals("plain text", second.get("content").asText(), "a line that is not JSON is logged as it is");
        final JsonNode third = json.readTree(lines.get(2));
        assertEquals("started", third.get("message").asText());
        assertEquals("INFO", third.get("level").asText());
        assertFalse(third.has("content"));
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
        flush(context);

        assertEquals(List.of("\u001b[92mDEBUG\u001b[0m Received from 127.0.0.1:5000: {\"to\":\"bob\"}"), lines("first_server.log"));
    }
}
