package org.summoner.relay.tck;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * TLS records written by hand, for what the JDK's client will not send: a {@code ClientHello} whose server name
 * (SNI) holds control characters ({@code SNIHostName} refuses them), handshake records written under an established
 * session without its keys, and a reader of record headers. Only the record layer and the {@code ClientHello}
 * message (RFC 5246 sections 6.2 and 7.4.1.2, RFC 6066 section 3) are built; nothing is encrypted.
 *
 * <p>Stateless; every call returns a new array.
 */
final class RawTls {
    /** Record content types (RFC 8446 section 5.1). */
    static final int ALERT = 21;
    static final int HANDSHAKE = 22;
    static final int APPLICATION_DATA = 23;

    private RawTls() {
    }

    /**
     * @return one handshake record holding a TLS 1.2 {@code ClientHello} (no {@code supported_versions}, so a server
     *         that also speaks TLS 1.3 answers in 1.2) that offers ECDHE-ECDSA with AES-128-GCM on P-256, which the
     *         kit's certificate serves, the secure renegotiation signal, and {@code serverName} as its SNI
     *         {@code host_name}, byte for byte.
     */
    static byte[] clientHello(byte[] serverName) {
        final ByteArrayOutputStream extensions = new ByteArrayOutputStream();
        u16(extensions, 0x0000); // server_name
        u16(extensions, serverName.length + 5);
        u16(extensions, serverName.length + 3); // server_name_list
        extensions.write(0); // host_name
        u16(extensions, serverName.length);
        extensions.writeBytes(serverName);
        u16(extensions, 0x000a); // supported_groups: secp256r1
        u16(extensions, 4);
        u16(extensions, 2);
        u16(extensions, 0x0017);
        u16(extensions, 0x000b); // ec_point_formats: uncompressed
        u16(extensions, 2);
        extensions.write(1);
        extensions.write(0);
        u16(extensions, 0x000d); // signature_algorithms: ecdsa_secp256r1_sha256, rsa_pss_rsae_sha256
        u16(extensions, 6);
        u16(extensions, 4);
        u16(extensions, 0x0403);
        u16(extensions, 0x0804);

        final ByteArrayOutputStream hello = new ByteArrayOutputStream();
        u16(hello, 0x0303); // client_version: TLS 1.2
        for (int i = 0; i < 32; i++) {
            hello.write(i); // random: not random, which no server can tell
        }
        hello.write(0); // session_id: none
        u16(hello, 4);
        u16(hello, 0xc02b); // TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
        u16(hello, 0x00ff); // TLS_EMPTY_RENEGOTIATION_INFO_SCSV
        hello.write(1); // compression_methods: null
        hello.write(0);
        u16(hello, extensions.size());
        hello.writeBytes(extensions.toByteArray());
        return record(HANDSHAKE, handshakeMessage(1, hello.toByteArray()));
    }

    /**
     * @return {@code count} handshake records, each holding one {@code HelloRequest} (type 0, empty): what a server
     *         sends to ask for a renegotiation, here from a client, in plaintext under a session that has keys.
     */
    static byte[] helloRequests(int count) {
        final byte[] one = record(HANDSHAKE, handshakeMessage(0, new byte[0]));
        final byte[] all = new byte[one.length * count];
        for (int i = 0; i < count; i++) {
            System.arraycopy(one, 0, all, i * one.length, one.length);
        }
        return all;
    }

    /**
     * @return the content type of each record in {@code bytes[from, to)}, which must start at a record's header;
     *         a record cut at {@code to} is listed too.
     */
    static List<Integer> recordTypes(byte[] bytes, int from, int to) {
        final List<Integer> types = new ArrayList<>();
        int at = from;
        while (at + 5 <= to) {
            types.add(bytes[at] & 0xFF);
            at += 5 + (((bytes[at + 3] & 0xFF) << 8) | (bytes[at + 4] & 0xFF));
        }
        return types;
    }

    private static byte[] handshakeMessage(int type, byte[] body) {
        final ByteArrayOutputStream message = new ByteArrayOutputStream();
        message.write(type);
        message.write(body.length >>> 16);
        u16(message, body.length);
        message.writeBytes(body);
        return message.toByteArray();
    }

    private static byte[] record(int type, byte[] fragment) {
        final ByteArrayOutputStream record = new ByteArrayOutputStream();
        record.write(type);
        u16(record, 0x0303);
        u16(record, fragment.length);
        record.writeBytes(fragment);
        return record.toByteArray();
    }

    private static void u16(ByteArrayOutputStream out, int value) {
        out.write(value >>> 8);
        out.write(value);
    }
}
