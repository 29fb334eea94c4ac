package org.summoner.relay.server.logging;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.Layout;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.rolling.FixedWindowRollingPolicy;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeBasedTriggeringPolicy;
import ch.qos.logback.core.util.Duration;
import ch.qos.logback.core.util.FileSize;
import org.slf4j.LoggerFactory;
import org.summoner.relay.config.ConfigException;
import org.summoner.relay.config.LoggerSettings;
import org.summoner.relay.config.PythonLogFormat;
import org.summoner.relay.config.StrftimeFormat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * Configures Logback from a {@code logger} section, replacing whatever was configured before:
 *
 * <ul>
 *   <li>{@code log_level} on the root logger (WARNING is WARN, CRITICAL is ERROR);</li>
 *   <li>{@code enable_console_log}: standard output in {@code console_log_format};</li>
 *   <li>{@code enable_file_log}: {@code <log_file_path>/<server name>.log}, each {@code .} of the name an
 *       {@code _} as upstream names it (the directory is created), in
 *       {@code log_format}, rolled over past {@code max_file_size} bytes into {@code .1} ... {@code .<backup_count>},
 *       as Python's {@code RotatingFileHandler} does ({@code backup_count} 0: never rolled);</li>
 *   <li>{@code enable_json_log}: the file, or the console when there is no file, gets one JSON object per line with
 *       upstream's fields ({@link JsonLineLayout});</li>
 *   <li>{@code date_format} for every timestamp, {@code log_keys} for every relayed line.</li>
 * </ul>
 *
 * Every appender sits behind a {@link DroppingAsyncAppender}: logging never makes the relay wait.
 */
public final class LogSetup {
    private LogSetup() {
    }

    /** @return the logging context, configured; stop it to flush and close the files. */
    public static LoggerContext apply(LoggerSettings settings, String serverName) {
        // Checked before anything changes: a reload whose log file cannot be written leaves the logging as it was.
        final String file = settings.enableFileLog() ? openable(settings, serverName) : null;
        final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        final DateTimeFormatter dates = StrftimeFormat.formatter(settings.dateFormat()).withZone(ZoneId.systemDefault());
        final LogKeys keys = new LogKeys(settings.logKeys());
        final Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Levels.of(settings.logLevel()));
        final boolean jsonOnConsole = settings.enableJsonLog() && !settings.enableFileLog();

        if (settings.enableConsoleLog()) {
            final ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
            console.setName("console");
            console.setEncoder(encoder(context, jsonOnConsole ? new JsonLineLayout(dates, keys, serverName)
                    : new PythonFormatLayout(PythonLogFormat.parse(settings.consoleLogFormat()), dates, keys)));
            root.addAppender(async(context, "console-async", start(context, console)));
        }
        if (settings.enableFileLog()) {
            final Layout<ILoggingEvent> layout = settings.enableJsonLog() ? new JsonLineLayout(dates, keys, serverName)
                    : new PythonFormatLayout(PythonLogFormat.parse(settings.logFormat()), dates, keys);
            root.addAppender(async(context, "file-async", start(context, fileAppender(context, file, settings, layout))));
        }
        context.start();
        return context;
    }

    /**
     * @return the log file's path, its directory created and the file opened for appending once, so that a file the
     *         server cannot write stops start-up naming it (Logback would only turn the file log off).
     * @throws ConfigException naming {@code logger.log_file_path}.
     */
    private static String openable(LoggerSettings settings, String serverName) {
        final Path directory;
        final Path file;
        try {
            directory = Path.of(settings.logFilePath().isEmpty() ? "." : settings.logFilePath());
            file = directory.resolve(fileName(serverName));
        } catch (InvalidPathException e) {
            throw cannotWrite(settings.logFilePath() + "/" + fileName(serverName), e.getMessage(), e);
        }
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw cannotWrite(directory.toString(), "cannot create the directory (" + e + ")", e);
        }
        try {
            Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND).close();
            return file.toString();
        } catch (IOException e) {
            throw cannotWrite(file.toString(), e.toString(), e);
        }
    }

    private static ConfigException cannotWrite(String where, String why, Exception cause) {
        return new ConfigException(null, "logger.log_file_path",
                "key \"logger.log_file_path\" (with the server's name): cannot write the log file " + where + ": " + why, cause);
    }

    /** @return the log file's name, as upstream Summoner names it: the server's name, each {@code .} an {@code _}. */
    static String fileName(String serverName) {
        return serverName.replace('.', '_') + ".log";
    }

    private static FileAppender<ILoggingEvent> fileAppender(LoggerContext context, String file, LoggerSettings settings,
                                                           Layout<ILoggingEvent> layout) {
        final FileAppender<ILoggingEvent> appender = settings.backupCount() > 0 ? new RollingFileAppender<>() : new FileAppender<>();
        appender.setContext(context);
        appender.setName("file");
        appender.setFile(file);
        appender.setAppend(true);
        appender.setEncoder(encoder(context, layout));
        if (appender instanceof RollingFileAppender<ILoggingEvent> rolling) {
            final FixedWindowRollingPolicy window = new FixedWindowRollingPolicy();
            window.setContext(context);
            window.setParent(rolling);
            window.setFileNamePattern(file + ".%i");
            window.setMinIndex(1);
            window.setMaxIndex(settings.backupCount());
            final SizeBasedTriggeringPolicy<ILoggingEvent> size = new SizeBasedTriggeringPolicy<>();
            size.setContext(context);
            size.setMaxFileSize(new FileSize(settings.maxFileSize()));
            size.setCheckIncrement(Duration.buildByMilliseconds(0)); // every write, as Python's RotatingFileHandler
            rolling.setRollingPolicy(window);
            rolling.setTriggeringPolicy(size);
            window.start();
            size.start();
        }
        return appender;
    }

    private static LayoutWrappingEncoder<ILoggingEvent> encoder(LoggerContext context, Layout<ILoggingEvent> layout) {
        layout.setContext(context);
        layout.start();
        final LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
        encoder.setContext(context);
        encoder.setCharset(StandardCharsets.UTF_8);
        encoder.setLayout(layout);
        encoder.start();
        return encoder;
    }

    private static Appender<ILoggingEvent> start(LoggerContext context, Appender<ILoggingEvent> appender) {
        appender.setContext(context);
        appender.start();
        return appender;
    }

    private static Appender<ILoggingEvent> async(LoggerContext context, String name, Appender<ILoggingEvent> target) {
        final DroppingAsyncAppender async = new DroppingAsyncAppender();
        async.setName(name);
        async.setContext(context);
        async.addAppender(target);
        async.start();
        return async;
    }
}
