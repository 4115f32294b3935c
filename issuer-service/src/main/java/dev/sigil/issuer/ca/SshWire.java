package dev.sigil.issuer.ca;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/** The SSH wire encoding (RFC 4251 §5) that OpenSSH certificates are written in. */
final class SshWire {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    SshWire string(byte[] value) {
        uint32(value.length);
        out.writeBytes(value);
        return this;
    }

    SshWire string(String value) {
        return string(value.getBytes(StandardCharsets.UTF_8));
    }

    SshWire raw(byte[] value) {
        out.writeBytes(value);
        return this;
    }

    SshWire uint32(long value) {
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) value).array());
        return this;
    }

    SshWire uint64(long value) {
        out.writeBytes(ByteBuffer.allocate(8).putLong(value).array());
        return this;
    }

    /** A list of strings packed into one string, as principals are. */
    SshWire strings(List<String> values) {
        SshWire inner = new SshWire();
        values.forEach(inner::string);
        return string(inner.bytes());
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    static String readFirstString(byte[] blob) {
        ByteBuffer buf = ByteBuffer.wrap(blob);
        int len = buf.getInt();
        if (len < 0 || len > buf.remaining()) {
            throw new IllegalArgumentException("truncated SSH key blob");
        }
        return new String(blob, 4, len, StandardCharsets.US_ASCII);
    }

    /** The blob without its leading key-type string: the key fields a certificate embeds. */
    static byte[] withoutFirstString(byte[] blob) {
        int len = ByteBuffer.wrap(blob).getInt();
        return Arrays.copyOfRange(blob, 4 + len, blob.length);
    }
}
