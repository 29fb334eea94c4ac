package org.summoner.relay.wire;

/**
 * The bytes of every {@link ServerNotice} a connection may be sent while it is served, built once per server with
 * the numbers they quote ({@code max_line_bytes}, {@code max_envelope_bytes}) and shared by every connection. The
 * refusals at admission quote numbers of their moment and are built by the admission control instead.
 *
 * <p>Immutable and thread-safe. The arrays it returns are shared: callers must not change them.
 */
public final class NoticeLines {
    private final byte[][] lines = new byte[ServerNotice.values().length][];
    private final byte[][] rejections = new byte[Rejection.values().length][];

    public NoticeLines(int maxLineBytes, int maxEnvelopeBytes) {
        for (ServerNotice notice : ServerNotice.values()) {
            if (!notice.atAdmission() && notice != ServerNotice.REJECTED) {
                lines[notice.ordinal()] = notice.toBytes(switch (notice) {
                    case LINE_TOO_LONG -> maxLineBytes;
                    case ENVELOPE_TOO_LONG -> maxEnvelopeBytes;
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
