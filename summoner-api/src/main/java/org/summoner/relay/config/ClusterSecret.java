package org.summoner.relay.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;

/**
 * {@code cluster.secret_file} (ours): the secret every node of a cluster holds, which keys the MAC of every frame a
 * node sends ({@code HMAC-SHA-256}), so that only the nodes can send frames the others accept. Made with, for example,
 * {@code head -c 32 /dev/urandom > cluster.secret && chmod 600 cluster.secret}, and copied to every node.
 *
 * <p>Checked when the config is read: a regular file of at least {@link #MIN_BYTES} bytes, readable, and on a file
 * system with POSIX permissions, readable and writable by its owner only (as {@code ssh} insists of a private key: a
 * secret others can read is no secret). The bytes are never logged: {@link #toString()} names the file only.
 */
public final class ClusterSecret {
    /** The fewest bytes a secret may have: 256 bits, the MAC's own strength. */
    public static final int MIN_BYTES = 32;
    /** The most read: a secret is a key, not a document. */
    static final int MAX_BYTES = 4096;
    private static final Set<PosixFilePermission> OTHERS = EnumSet.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private final Path file;
    private final byte[] bytes;

    private ClusterSecret(Path file, byte[] bytes) {
        this.file = file;
        this.bytes = bytes;
    }

    /**
     * Reads and checks {@code file} for the key {@code key} of {@code source}.
     *
     * @throws ConfigException naming the file, the key, what was expected and what was found.
     */
    static ClusterSecret read(String source, String key, Path file) {
        final String expected = "a file of at least " + MIN_BYTES + " random bytes that only its owner may read";
        if (!Files.isRegularFile(file)) {
            throw ConfigException.invalid(source, key, expected, "no file at " + file);
        }
        try {
            final Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            final Set<PosixFilePermission> extra = EnumSet.noneOf(PosixFilePermission.class);
            extra.addAll(permissions);
            extra.retainAll(OTHERS);
            if (!extra.isEmpty()) {
                throw new ConfigException(source, key, source + ": key \"" + key + "\": expected " + expected + ", found "
                        + file + " with permissions " + PosixFilePermissions.toString(permissions) + " (run: chmod 600 "
                        + file + ")", null);
            }
        } catch (UnsupportedOperationException e) {
            // No POSIX permissions here (Windows): the operating system's ACLs are the operator's to set.
        } catch (IOException e) {
            throw ConfigException.invalid(source, key, expected, file + " whose permissions cannot be read: " + e.getMessage());
        }
        final byte[] bytes;
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw ConfigException.invalid(source, key, expected + " (at most " + MAX_BYTES + ")",
                        file + " of " + Files.size(file) + " bytes");
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw ConfigException.invalid(source, key, expected, file + " that cannot be read: " + e.getMessage());
        }
        if (bytes.length < MIN_BYTES) {
            throw ConfigException.invalid(source, key, expected, file + " of " + bytes.length + " bytes");
        }
        return new ClusterSecret(file, bytes);
    }

    /** @return the file it was read from. */
    public Path file() {
        return file;
    }

    /** @return a copy of the secret's bytes, for the MAC's key. */
    public byte[] bytes() {
        return Arrays.copyOf(bytes, bytes.length);
    }

    @Override
    public String toString() {
        return "ClusterSecret{" + file + ", " + bytes.length + " bytes}";
    }
}
