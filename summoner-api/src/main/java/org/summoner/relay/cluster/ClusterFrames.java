package org.summoner.relay.cluster;

import org.summoner.relay.counters.RelayCounters.FrameRejection;
import org.summoner.relay.wire.Utf8;

import java.io.ByteArrayOutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The frames nodes send each other over any backplane, written and read in one place. Big-endian; strings are
 * length-prefixed UTF-8.
 *
 * <pre>
 * every frame: 'S' (0x53), version, type, origin node (u8 length + ASCII), destination node (u8 length, 0 = every node)
 *              version 4 (sealed, {@code cluster.secret_file}): then incarnation (i64), stream (i32), sequence (i64),
 *              sent at (i64 ms), and after the body the HMAC-SHA-256 of all before it (32 bytes): {@link FrameSeal}
 * LINE     (1): one or more lines, each its route and envelope ({@link LineBatch})
 * PRESENCE (2): incarnation (i64), hosts (i32), identities (i32 count, each u16 length + UTF-8),
 *               participants (i32 count, each u16 length + UTF-8), the settings that must agree (u16 length + ASCII:
 *               {@link Agreement}), where the backplane reaches the node (u16 length + UTF-8, empty for none:
 *               {@link Backplane#address()})
 * BYE      (3): nothing: the origin node stops
 * </pre>
 *
 * A frame of another version or type, or one that ends early, is refused by {@link #read}, never half-read. Versions 1
 * (unsealed) and 2 (sealed) were those of nodes whose LINE frames carried one line: they are refused as such.
 */
public final class ClusterFrames {
    static final byte MAGIC = 0x53;
    static final byte VERSION = 3;
    static final byte VERSION_SEALED = 4;
    /** The sealed version of nodes whose LINE frames carried one line (the unsealed was 1). */
    private static final byte VERSION_ONE_LINE_SEALED = 2;
    static final byte LINE = 1;
    static final byte PRESENCE = 2;
    static final byte BYE = 3;

    private ClusterFrames() {
    }

    /** A frame refused while it is read: named in the log, counted by its reason, never delivered. */
    static final class MalformedFrame extends Exception {
        final FrameRejection reason;

        /** Not one of ours, or cut short. */
        MalformedFrame(String message) {
            this(FrameRejection.MALFORMED, message);
        }

        MalformedFrame(FrameRejection reason, String message) {
            super(message, null, false, false);
            this.reason = reason;
        }
    }

    /** The most bytes of a node's name (letters, digits, {@code -} and {@code _}), as {@code cluster.node} allows. */
    static final int MAX_NODE_NAME = 64;
    /** How every envelope a node encodes begins, what is between its two strings, and how it ends. */
    static final byte[] ENVELOPE_START = "{\"remote_addr\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ENVELOPE_MIDDLE = "\",\"content\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ENVELOPE_END = "\"}\n".getBytes(StandardCharsets.US_ASCII);

    /**
     * @return whether {@code frame[start, end)} is one envelope line exactly as a node encodes one:
     *         {@code {"remote_addr":"<string>","content":"<string>"}} and a line feed, both strings well-formed JSON
     *         strings (no raw control byte, valid escapes) of well-formed UTF-8. So a frame cannot hand a client a
     *         server's {@code Warning:} notice, a second line, half of one, or JSON its SDK cannot read.
     */
    static boolean isOneEnvelope(byte[] frame, int start, int end) {
        if (end - start < ENVELOPE_START.length + ENVELOPE_MIDDLE.length + ENVELOPE_END.length
                || !EnvelopeBytes.isAscii(frame, start, end) && !Utf8.isValid(frame, start, end - start)
                || !startsWith(frame, start, ENVELOPE_START)) {
            return false;
        }
        final int afterAddress = EnvelopeBytes.jsonStringEnd(frame, start + ENVELOPE_START.length, end);
        if (afterAddress < 0 || !startsWith(frame, afterAddress, ENVELOPE_MIDDLE)) {
            return false;
        }
        final int afterContent = EnvelopeBytes.jsonStringEnd(frame, afterAddress + ENVELOPE_MIDDLE.length, end);
        return afterContent == end - ENVELOPE_END.length && startsWith(frame, afterContent, ENVELOPE_END);
    }

    private static boolean startsWith(byte[] frame, int at, byte[] expected) {
        return at + expected.length <= frame.length
                && Arrays.equals(frame, at, at + expected.length, expected, 0, expected.length);
    }

    /** @return whether {@code frame[start, start + length)} is a node name: 1 to 64 letters, digits, "-" or "_". */
    private static boolean isNodeName(byte[] frame, int start, int length) {
        if (length < 1 || length > MAX_NODE_NAME) {
            return false;
        }
        for (int i = start; i < start + length; i++) {
            final byte b = frame[i];
            if (!(b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '-' || b == '_')) {
                return false;
            }
        }
        return true;
    }

    /** The header of a frame, where its body starts and ends, and a sealed frame's stamp. */
    static final class Header {
        byte version;
        byte type;
        String origin;
        String destination;
        int body;
        /** The body's end: the frame's, or where a sealed frame's MAC starts. */
        int end;
        long incarnation;
        int stream;
        long sequence;
        long sentAtMillis;
    }

    /** A node's presence: who is connected to it that another node may address, and its settings that must agree. */
    record Presence(String node, long incarnation, int hosts, List<String> identities, List<String> participants,
                    String agreement, String address) {
    }

    /**
     * Writes the header of a frame at {@code buffer[0..)}, sealed (version 2, stamped) when {@code seal} is not null.
     *
     * @return the index after it.
     */
    static int writeHeader(byte[] buffer, byte type, byte[] origin, byte[] destination, FrameSeal seal) {
        buffer[0] = MAGIC;
        buffer[1] = seal == null ? VERSION : VERSION_SEALED;
        buffer[2] = type;
        int at = 3;
        buffer[at++] = (byte) origin.length;
        System.arraycopy(origin, 0, buffer, at, origin.length);
        at += origin.length;
        buffer[at++] = (byte) destination.length;
        System.arraycopy(destination, 0, buffer, at, destination.length);
        at += destination.length;
        return seal == null ? at : seal.stamp(buffer, at);
    }

    /** @return the header length of a frame from {@code origin} to {@code destination}, sealed or not. */
    static int headerBytes(byte[] origin, byte[] destination, FrameSeal seal) {
        return 3 + 1 + origin.length + 1 + destination.length + (seal == null ? 0 : FrameSeal.STAMP_BYTES);
    }

    /** @return a frame with a header only (a BYE), sealed when {@code seal} is not null. */
    static byte[] headerOnly(byte type, byte[] origin, FrameSeal seal) {
        final byte[] frame = new byte[headerBytes(origin, new byte[0], seal) + (seal == null ? 0 : FrameSeal.MAC_BYTES)];
        final int length = writeHeader(frame, type, origin, new byte[0], seal);
        if (seal != null) {
            seal.seal(frame, length);
        }
        return frame;
    }

    /** @return a PRESENCE frame to every node; at most {@code maxBytes}: the lists are cut where they would not fit. */
    static byte[] presence(byte[] origin, long incarnation, int hosts, List<String> identities, List<String> participants,
                           String agreement, int maxBytes, int[] written, FrameSeal seal) {
        return presence(origin, incarnation, hosts, identities, participants, agreement, null, maxBytes, written, seal);
    }

    /** @return a PRESENCE frame that says where the backplane reaches the node ({@code address}, null for nowhere). */
    static byte[] presence(byte[] origin, long incarnation, int hosts, List<String> identities, List<String> participants,
                           String agreement, String address, int maxBytes, int[] written, FrameSeal seal) {
        final byte[] settings = agreement.getBytes(StandardCharsets.US_ASCII);
        final byte[] where = address == null ? new byte[0] : address.getBytes(StandardCharsets.UTF_8);
        final ByteArrayOutputStream out = new ByteArrayOutputStream(64 + 24 * (identities.size() + participants.size()));
        final byte[] header = new byte[headerBytes(origin, new byte[0], seal)];
        writeHeader(header, PRESENCE, origin, new byte[0], seal);
        out.write(header, 0, header.length);
        writeLong(out, incarnation);
        writeInt(out, hosts);
        int room = maxBytes - out.size() - 8 - 2 - settings.length - 2 - where.length - (seal == null ? 0 : FrameSeal.MAC_BYTES);
        written[0] = 0;
        written[1] = 0;
        final List<byte[]> ids = fitting(identities, room);
        room -= size(ids);
        final List<byte[]> addrs = fitting(participants, room);
        writeStrings(out, ids);
        writeStrings(out, addrs);
        out.write(settings.length >>> 8);
        out.write(settings.length);
        out.write(settings, 0, settings.length);
        out.write(where.length >>> 8);
        out.write(where.length);
        out.write(where, 0, where.length);
        written[0] = ids.size();
        written[1] = addrs.size();
        if (seal == null) {
            return out.toByteArray();
        }
        final byte[] frame = new byte[out.size() + FrameSeal.MAC_BYTES];
        final byte[] unsealed = out.toByteArray();
        System.arraycopy(unsealed, 0, frame, 0, unsealed.length);
        seal.seal(frame, unsealed.length);
        return frame;
    }

    private static List<byte[]> fitting(List<String> strings, int room) {
        final List<byte[]> out = new ArrayList<>(strings.size());
        int used = 0;
        for (String s : strings) {
            final byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
            if (bytes.length > 0xFFFF || used + 2 + bytes.length > room) {
                continue;
            }
            used += 2 + bytes.length;
            out.add(bytes);
        }
        return out;
    }

    private static int size(List<byte[]> strings) {
        int size = 0;
        for (byte[] s : strings) {
            size += 2 + s.length;
        }
        return size;
    }

    private static void writeStrings(ByteArrayOutputStream out, List<byte[]> strings) {
        writeInt(out, strings.size());
        for (byte[] s : strings) {
            out.write(s.length >>> 8);
            out.write(s.length);
            out.write(s, 0, s.length);
        }
    }

    private static void writeInt(ByteArrayOutputStream out, int value) {
        out.write(value >>> 24);
        out.write(value >>> 16);
        out.write(value >>> 8);
        out.write(value);
    }

    private static void writeLong(ByteArrayOutputStream out, long value) {
        writeInt(out, (int) (value >>> 32));
        writeInt(out, (int) value);
    }

    /** Reads the header of {@code frame[offset, offset + length)} into {@code header}. */
    static void read(byte[] frame, int offset, int length, Header header) throws MalformedFrame {
        final int end = offset + length;
        if (length < 5 || frame[offset] != MAGIC) {
            throw new MalformedFrame("not a relay frame");
        }
        header.version = frame[offset + 1];
        if (header.version != VERSION && header.version != VERSION_SEALED) {
            throw new MalformedFrame("frame version " + header.version + ", this node reads " + VERSION + " and " + VERSION_SEALED
                    + (header.version > 0 && header.version <= VERSION_ONE_LINE_SEALED
                    ? " (a node of an earlier release, one line per frame: upgrade every node of a cluster together)" : ""));
        }
        header.type = frame[offset + 2];
        if (header.type != LINE && header.type != PRESENCE && header.type != BYE) {
            throw new MalformedFrame("unknown frame type " + header.type);
        }
        int at = offset + 3;
        final int originLength = frame[at++] & 0xFF;
        if (at + originLength + 1 > end) {
            throw new MalformedFrame("frame ends in its header");
        }
        if (!isNodeName(frame, at, originLength)) {
            throw new MalformedFrame("an origin that is no node name");
        }
        header.origin = new String(frame, at, originLength, StandardCharsets.US_ASCII);
        at += originLength;
        final int destinationLength = frame[at++] & 0xFF;
        if (at + destinationLength > end) {
            throw new MalformedFrame("frame ends in its header");
        }
        if (destinationLength != 0 && !isNodeName(frame, at, destinationLength)) {
            throw new MalformedFrame("a destination that is no node name");
        }
        header.destination = destinationLength == 0 ? null : new String(frame, at, destinationLength, StandardCharsets.US_ASCII);
        at += destinationLength;
        header.end = end;
        if (header.version == VERSION_SEALED) {
            if (at + FrameSeal.STAMP_BYTES + FrameSeal.MAC_BYTES > end) {
                throw new MalformedFrame("sealed frame ends in its header");
            }
            header.incarnation = readLong(frame, at);
            header.stream = readInt(frame, at + 8);
            header.sequence = readLong(frame, at + 12);
            header.sentAtMillis = readLong(frame, at + 20);
            at += FrameSeal.STAMP_BYTES;
            header.end = end - FrameSeal.MAC_BYTES;
        }
        header.body = at;
    }

    private static int readInt(byte[] frame, int at) {
        return (frame[at] & 0xFF) << 24 | (frame[at + 1] & 0xFF) << 16 | (frame[at + 2] & 0xFF) << 8 | frame[at + 3] & 0xFF;
    }

    private static long readLong(byte[] frame, int at) {
        long value = 0;
        for (int i = 0; i < 8; i++) {
            value = value << 8 | (frame[at + i] & 0xFF);
        }
        return value;
    }

    /** @return whether a destination named in a frame is {@code node}: an ASCII comparison that allocates nothing. */
    static boolean isFor(byte[] frame, int offset, byte[] node) {
        int at = offset + 3;
        at += 1 + (frame[at] & 0xFF);
        final int destinationLength = frame[at++] & 0xFF;
        if (destinationLength == 0) {
            return true;
        }
        return Arrays.equals(frame, at, at + destinationLength, node, 0, node.length);
    }

    /** Reads a PRESENCE body. */
    static Presence readPresence(String origin, byte[] frame, int body, int end) throws MalformedFrame {
        final ByteBuffer in = ByteBuffer.wrap(frame, body, end - body);
        try {
            final long incarnation = in.getLong();
            final int hosts = in.getInt();
            final List<String> identities = readStrings(in);
            final List<String> participants = readStrings(in);
            String agreement = ""; // a node of a version that sends none: its settings are unknown, so they differ
            if (in.remaining() >= 2) {
                final byte[] settings = new byte[in.getShort() & 0xFFFF];
                in.get(settings);
                agreement = new String(settings, StandardCharsets.US_ASCII);
            }
            String address = null;
            if (in.remaining() >= 2) {
                final byte[] where = new byte[in.getShort() & 0xFFFF];
                in.get(where);
                address = where.length == 0 ? null : new String(where, StandardCharsets.UTF_8);
            }
            return new Presence(origin, incarnation, hosts, identities, participants, agreement, address);
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new MalformedFrame("presence frame ends early");
        }
    }

    private static List<String> readStrings(ByteBuffer in) throws MalformedFrame {
        final int count = in.getInt();
        if (count < 0 || count > in.remaining() / 2) {
            throw new MalformedFrame("presence frame with a bad count " + count);
        }
        final List<String> strings = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            final int length = in.getShort() & 0xFFFF;
            final byte[] bytes = new byte[length];
            in.get(bytes);
            strings.add(new String(bytes, StandardCharsets.UTF_8));
        }
        return strings;
    }
}
