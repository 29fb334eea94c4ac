package org.summoner.relay.wire;

/**
 * The bytes of every {@link ServerNotice} a connection may be sent while it is served, built once per server with
 * the numbers they quote ({@code max_line_bytes}, {@code max_envelope_bytes}) and shared by every connection. The
 * refusals at admission quote numbers of their moment and are built by the admission control instead; a missing
 * recipient's line quotes its name ({@link #recipientNotConnected}).
 *
 * <p>Immutable and thread-safe. The arrays it returns are shared: callers must not change them.
 */
public final class NoticeLines {
    /**
     * The smallest {@code max_envelope_bytes}: it bounds every line the server writes, its own included (SPEC section
     * 2), and the longest fixed one, a quarantine quoting the most seconds configurable, is about 120 bytes
     * ({@code NoticeLinesTest} checks every one against this); a missing recipient's name is cut to fit.
     */
    public static final int MIN_ENVELOPE_BYTES = 256;

    /** The longest recipient name a notice quotes whole, in UTF-16 units. */
    public static final int MAX_QUOTED_NAME = 256;

    private final byte[][] lines = new byte[ServerNotice.values().length][];
    private final int maxEnvelopeBytes;
    private final byte[][] rejections = new byte[Rejection.values().length][];

    /** @param handshakeTimeoutSecs {@code handshake.timeout_secs}, which the handshake's timeout quotes. */
    public NoticeLines(int maxLineBytes, int maxEnvelopeBytes, long handshakeTimeoutSecs) {
        this.maxEnvelopeBytes = maxEnvelopeBytes;
        for (ServerNotice notice : ServerNotice.values()) {
            if ((!notice.atAdmission() || notice == ServerNotice.NOT_ALLOWED) && notice != ServerNotice.REJECTED && notice != ServerNotice.RECIPIENT_NOT_CONNECTED) {
                lines[notice.ordinal()] = notice.toBytes(switch (notice) {
                    case LINE_TOO_LONG -> maxLineBytes;
                    case ENVELOPE_TOO_LONG -> maxEnvelopeBytes;
                    case HANDSHAKE_TIMEOUT -> handshakeTimeoutSecs;
                    default -> 0;
                });
            }
        }
        for (Rejection rejection : Rejection.values()) {
            rejections[rejection.ordinal()] = ServerNotice.REJECTED.toBytes(rejection.code());
        }
    }

    /** @return {@code Warning: Line rejected (<code>) and was not relayed.} with its {@code \n}. */
    public byte[] rejected(Rejection rejection) {
        return rejections[rejection.ordinal()];
    }

    /**
     * @return {@code Warning: Recipient not connected: <name>.} with its {@code \n}, the name as the host wrote it
     *         but one line long and readable: a control character or an unpaired surrogate becomes U+FFFD, and past
     *         {@link #MAX_QUOTED_NAME} characters it is cut and ends in {@code ...}.
     */
    public static byte[] recipientNotConnected(String name) {
        return recipientNotConnected(name, Integer.MAX_VALUE);
    }

    /**
     * @return {@link #recipientNotConnected(String)} cut further, if need be, so that the line with its {@code \n} is
     *         at most {@code maxBytes} long ({@code max_envelope_bytes}, which bounds the server's own lines too).
     */
    public static byte[] recipientNotConnected(String name, int maxBytes) {
        final StringBuilder shown = new StringBuilder(Math.min(name.length(), MAX_QUOTED_NAME + 3));
        int i = 0;
        for (; i < name.length() && shown.length() < MAX_QUOTED_NAME; i++) {
            final char c = name.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < name.length() && Character.isLowSurrogate(name.charAt(i + 1))) {
                shown.append(c).append(name.charAt(++i));
            } else if (c < 0x20 || c == 0x7F || Character.isSurrogate(c)) {
                shown.append('\uFFFD');
            } else {
                shown.append(c);
            }
        }
        boolean cut = i < name.length();
        byte[] line = ServerNotice.RECIPIENT_NOT_CONNECTED.toBytes(cut ? shown + "..." : shown);
        while (line.length > maxBytes && shown.length() > 0) { // rare: a small max_envelope_bytes and a long name
            final int last = shown.length() - 1;
            shown.setLength(Character.isLowSurrogate(shown.charAt(last)) && last > 0 ? last - 1 : last);
            cut = true;
            line = ServerNotice.RECIPIENT_NOT_CONNECTED.toBytes(shown + "...");
        }
        return line;
    }

    /** @return {@link #recipientNotConnected(String, int)} under this server's {@code max_envelope_bytes}. */
    public byte[] recipientNotConnectedLine(String name) {
        return recipientNotConnected(name, maxEnvelopeBytes);
    }

    /**
     * @return the notice with its {@code \n}.
     * @throws IllegalArgumentException for a refusal at admission, whose line quotes the moment's numbers.
     */
    public byte[] line(ServerNotice notice) {
        final byte[] line = lines[notice.ordinal()];
        if (line == null) {
            throw new IllegalArgumentException(notice + " quotes what only its moment knows: see AdmissionControl or rejected()");
        }
        return line;
    }
}
