package org.vlm4j.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageDecoderTest {
    @TempDir
    Path dir;

    static Path image(String file) {
        return ImageFixtures.DIR.resolve("images").resolve(file);
    }

    private static ImageDecodeException fails(ImageDecoder dec, Path file, String expectedPart) {
        ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> dec.decode(file));
        String m = e.getMessage();
        System.out.println("[decoder] " + m);
        assertTrue(m.startsWith(file.toString() + ": "), "message should name the file: " + m);
        assertTrue(m.contains(expectedPart), "message should say '" + expectedPart + "': " + m);
        assertTrue(m.lines().count() == 1, "one line: " + m);
        return e;
    }

    private Path halfOf(String fixture, String newName) throws IOException {
        byte[] b = Files.readAllBytes(image(fixture));
        Path p = dir.resolve(newName);
        Files.write(p, Arrays.copyOf(b, b.length / 2));
        return p;
    }

    @Test
    void keepsPillowModesOfTheFixtures() throws IOException {
        ImageDecoder dec = ImageDecoder.defaults();
        DecodedImage rgba = dec.decode(image("camera-web.png"));
        assertEquals(DecodedImage.Mode.RGBA, rgba.mode());
        assertEquals("PNG", rgba.format());
        DecodedImage p = dec.decode(image("gnupg-card-architecture.png"));
        assertEquals(DecodedImage.Mode.P, p.mode());
        assertNotNull(p.palette());
        int maxIndex = 0;
        for (byte v : p.pixels()) {
            maxIndex = Math.max(maxIndex, v & 0xff);
        }
        assertTrue(maxIndex < 5, "4-bit PNG with a 5-entry palette, got index " + maxIndex);
        DecodedImage jpg = dec.decode(image("pyparsingClassDiagram_1.5.2.jpg"));
        assertEquals(DecodedImage.Mode.RGB, jpg.mode());
        assertEquals("JPEG", jpg.format());
        assertEquals(1155, jpg.width());
        assertEquals(1659, jpg.height());
        assertNull(jpg.palette());
    }

    @Test
    void truncatedPngFails() throws IOException {
        fails(ImageDecoder.defaults(), halfOf("synthetic_noise_301x203.png", "half.png"), "truncated or corrupt PNG");
        fails(ImageDecoder.defaults(), halfOf("gnupg-card-architecture.png", "half-p.png"),
                "truncated or corrupt PNG");
        fails(ImageDecoder.defaults(), halfOf("camera-web.png", "half-rgba.png"), "truncated or corrupt PNG");
    }

    @Test
    void pngCutAtAChunkBoundaryFails() throws IOException {
        byte[] b = Files.readAllBytes(image("synthetic_noise_301x203.png"));
        Path p = dir.resolve("no-iend.png");
        Files.write(p, Arrays.copyOf(b, b.length - 12)); // drop the IEND chunk only
        fails(ImageDecoder.defaults(), p, "without an IEND chunk");
    }

    @Test
    void pngWithIntactChunksButShortImageDataFails() throws IOException {
        // Chunk structure intact through IEND, but the image data itself is short: ImageIO must not hand back a
        // partial picture.
        byte[] b = Files.readAllBytes(image("synthetic_noise_301x203.png"));
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        byte[] ihdr = null;
        for (int pos = 8; pos < b.length; ) {
            int len = ByteBuffer.wrap(b, pos, 4).getInt();
            String type = new String(b, pos + 4, 4, StandardCharsets.ISO_8859_1);
            if (type.equals("IHDR")) {
                ihdr = Arrays.copyOfRange(b, pos + 8, pos + 8 + len);
            } else if (type.equals("IDAT")) {
                idat.write(b, pos + 8, len);
            }
            pos += 12 + len;
        }
        byte[] zdata = idat.toByteArray();
        // (a) the zlib stream cut short
        Path cut = dir.resolve("short-zlib.png");
        Files.write(cut, png(ihdr, Arrays.copyOf(zdata, zdata.length - 5000)));
        fails(ImageDecoder.defaults(), cut, "truncated or corrupt PNG");
        // (b) a complete zlib stream holding only half of the rows
        java.util.zip.Inflater inf = new java.util.zip.Inflater();
        inf.setInput(zdata);
        byte[] raw = new byte[203 * (1 + 301 * 3)];
        try {
            assertEquals(raw.length, inf.inflate(raw));
        } catch (java.util.zip.DataFormatException e) {
            throw new AssertionError(e);
        }
        java.util.zip.Deflater def = new java.util.zip.Deflater();
        def.setInput(raw, 0, raw.length / 2);
        def.finish();
        byte[] half = new byte[raw.length];
        int n = def.deflate(half);
        Path rows = dir.resolve("half-rows.png");
        Files.write(rows, png(ihdr, Arrays.copyOf(half, n)));
        fails(ImageDecoder.defaults(), rows, "truncated or corrupt PNG");
    }

    private static byte[] png(byte[] ihdr, byte[] idat) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        chunk(out, "IHDR", ihdr);
        chunk(out, "IDAT", idat);
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    @Test
    void truncatedJpegFails() throws IOException {
        fails(ImageDecoder.defaults(), halfOf("pyparsingClassDiagram_1.5.2.jpg", "half.jpg"),
                "truncated or corrupt JPEG");
        fails(ImageDecoder.defaults(), halfOf("webtide_logo.jpg", "half-logo.jpg"), "truncated or corrupt JPEG");
    }

    @Test
    void missingFileFails() {
        fails(ImageDecoder.defaults(), dir.resolve("nope.png"), "no such file");
    }

    @Test
    void directoryFails() {
        fails(ImageDecoder.defaults(), dir, "directory");
    }

    @Test
    void nonImageFileFails() throws IOException {
        Path p = dir.resolve("notes.png");
        Files.writeString(p, "this is not a picture\n");
        fails(ImageDecoder.defaults(), p, "unsupported or unrecognised image format");
        Path empty = dir.resolve("empty.jpg");
        Files.write(empty, new byte[0]);
        fails(ImageDecoder.defaults(), empty, "empty file");
    }

    @Test
    void overLimitPixelCountFails() throws IOException {
        // 301 x 203 = 61103 pixels
        ImageDecoder small = new ImageDecoder(61_102);
        fails(small, image("synthetic_noise_301x203.png"), "more than the limit of 61102");
        assertEquals(301, new ImageDecoder(61_103).decode(image("synthetic_noise_301x203.png")).width());
        fails(new ImageDecoder(10_000), image("webtide_logo.jpg"), "245x60 = 14700 pixels");
    }

    @Test
    void decompressionBombIsRefusedFromTheHeaderAlone() throws IOException {
        // A PNG that claims 20000 x 20000 RGB but carries one tiny IDAT: refused before any decoding,
        // so the bomb message wins over the (also present) corruption.
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(20_000).putInt(20_000).put((byte) 8).put((byte) 2)
                .put((byte) 0).put((byte) 0).put((byte) 0);
        chunk(out, "IHDR", ihdr.array());
        chunk(out, "IDAT", new byte[] {0x78, (byte) 0x9c, 0x03, 0x00});
        chunk(out, "IEND", new byte[0]);
        Path p = dir.resolve("bomb.png");
        Files.write(p, out.toByteArray());
        fails(ImageDecoder.defaults(), p, "20000x20000 = 400000000 pixels, more than the limit of 178956970");
    }

    @Test
    void corruptPngHeaderCrcFails() throws IOException {
        byte[] b = Files.readAllBytes(image("synthetic_noise_301x203.png"));
        b[23] ^= 0x01; // flip the low bit of IHDR's height (203 -> 202): size stays small, CRC breaks
        Path p = dir.resolve("crc.png");
        Files.write(p, b);
        fails(ImageDecoder.defaults(), p, "bad CRC in IHDR");
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) throws IOException {
        byte[] t = type.getBytes(StandardCharsets.ISO_8859_1);
        out.write(ByteBuffer.allocate(4).putInt(data.length).array());
        out.write(t);
        out.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.write(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}
