package org.vlm4j.image;

import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.SampleModel;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes PNG, JPEG, GIF, BMP and WebP files into {@link DecodedImage}s that keep Pillow's notion of the image mode,
 * so that the OpenCLIP transform can be reproduced exactly (see {@link ImagePreprocessor}).
 *
 * <p>Decoding goes through ImageIO: the JDK's PNG and GIF readers, and TwelveMonkeys' JPEG, BMP and WebP readers
 * (registered through {@code ServiceLoader}; TwelveMonkeys' JPEG reader wraps the JDK's libjpeg 6b decoder, whose
 * islow IDCT, fancy upsampling and YCbCr tables give the same pixels as Pillow's libjpeg-turbo for the baseline
 * 4:4:4 and 4:2:0 fixtures). Samples are taken from the raster, never through {@code getRGB}, so no colour
 * management is applied (Pillow applies none either: embedded ICC profiles and PNG gAMA are ignored).
 *
 * <p>Mode mapping (Pillow 9.4 {@code Image.open}):
 * <ul>
 *   <li>PNG: grey 1-bit {@code "1"}, grey 2/4/8-bit {@code L} (scaled to 0..255), grey+alpha {@code LA}, RGB
 *       {@code RGB}, RGBA {@code RGBA}, palette {@code P} (tRNS kept as palette alpha); 16-bit samples keep their
 *       high byte as Pillow's {@code ;16B} unpackers do. A tRNS chunk on grey/RGB does not add an alpha band
 *       (Pillow keeps L/RGB). Deviation: 16-bit greyscale opens as Pillow mode {@code I} (values up to 65535,
 *       clipped to 255 by {@code convert("RGB")}); here it is clipped to {@code L} on decode, which equals Pillow
 *       for the RGB-first order only.</li>
 *   <li>JPEG: 1 component {@code L}, otherwise {@code RGB}. CMYK/YCCK JPEGs are converted to RGB by TwelveMonkeys
 *       (Pillow would open them as CMYK): not Pillow-exact.</li>
 *   <li>GIF: {@code P} (first frame, frame-sized; Pillow pads a frame smaller than the logical screen).</li>
 *   <li>BMP: palette images are {@code P}, or {@code "1"}/{@code L} when the palette is Pillow's greyscale ramp;
 *       32-bit BI_RGB is {@code RGB} (the 4th byte is padding for Pillow); packed 16-bit is scaled with
 *       {@code v * 255 / max}.</li>
 *   <li>WebP: {@code RGB} or {@code RGBA} (TwelveMonkeys' pure-Java VP8 decoder; lossy WebP may differ from
 *       libwebp by a few levels).</li>
 * </ul>
 *
 * <p>Errors are {@link ImageDecodeException}s with a one-line message naming the file: missing or unreadable file,
 * unrecognised content, truncated or corrupt data (PNG chunk structure is checked through to IEND before decoding,
 * since ImageIO can otherwise return partial data; a JPEG that ends before its EOI marker is refused), and images
 * with more than {@link #maxPixels()} pixels, which are refused from the header alone, before the raster is
 * decoded (default {@value #DEFAULT_MAX_PIXELS} = 2 x Pillow's {@code MAX_IMAGE_PIXELS}, where Pillow raises
 * {@code DecompressionBombError}).
 *
 * <p>Thread-safe: instances are immutable and every call uses its own ImageIO reader and in-memory stream (no
 * ImageIO disk cache).
 */
public final class ImageDecoder {
    /** Pillow raises {@code DecompressionBombError} above {@code 2 * MAX_IMAGE_PIXELS} = 178,956,970 pixels. */
    public static final long DEFAULT_MAX_PIXELS = 178_956_970L;

    private static final Logger LOG = LoggerFactory.getLogger(ImageDecoder.class);
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    private static final ImageDecoder DEFAULT = new ImageDecoder(DEFAULT_MAX_PIXELS);

    private final long maxPixels;

    public ImageDecoder() {
        this(DEFAULT_MAX_PIXELS);
    }

    /** @param maxPixels images with more pixels than this (width x height) are refused before decoding */
    public ImageDecoder(long maxPixels) {
        if (maxPixels <= 0) {
            throw new IllegalArgumentException("maxPixels must be positive, got " + maxPixels);
        }
        this.maxPixels = maxPixels;
    }

    /** A shared decoder with the default pixel limit. */
    public static ImageDecoder defaults() {
        return DEFAULT;
    }

    public long maxPixels() {
        return maxPixels;
    }

    /** Reads and decodes one file. */
    public DecodedImage decode(Path file) throws ImageDecodeException {
        String name = file.toString();
        byte[] data;
        try {
            if (Files.isDirectory(file)) {
                throw new ImageDecodeException(name, "is a directory, not an image file");
            }
            long size = Files.size(file);
            if (size > Integer.MAX_VALUE - 16) {
                throw new ImageDecodeException(name, "file is " + size + " bytes, too large to decode");
            }
            data = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ImageDecodeException(name, "no such file");
        } catch (ImageDecodeException e) {
            throw e;
        } catch (IOException e) {
            throw new ImageDecodeException(name, "cannot read file (" + oneLine(e) + ")", e);
        }
        return decode(data, name);
    }

    /** Decodes an in-memory file; {@code name} is used in messages and as {@link DecodedImage#source()}. */
    public DecodedImage decode(byte[] data, String name) throws ImageDecodeException {
        if (data.length == 0) {
            throw new ImageDecodeException(name, "empty file, not an image");
        }
        String format = sniff(data);
        if (format == null) {
            throw new ImageDecodeException(name, "unsupported or unrecognised image format (file starts with "
                    + hexPrefix(data) + "; PNG, JPEG, GIF, BMP and WebP are supported)");
        }
        PngHeader png = null;
        if (format.equals("PNG")) {
            png = checkPng(data, name);
        } else if (format.equals("WEBP")) {
            checkRiff(data, name);
        }
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(data))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new ImageDecodeException(name, "no ImageIO reader for " + format
                        + " (are the TwelveMonkeys imageio plugins on the class path?)");
            }
            ImageReader reader = readers.next();
            List<String> warnings = new ArrayList<>();
            try {
                reader.setInput(in, true, false);
                reader.addIIOReadWarningListener((src, w) -> warnings.add(w));
                int w = reader.getWidth(0);
                int h = reader.getHeight(0);
                checkPixels(name, format, w, h);
                BufferedImage bi = reader.read(0);
                for (String warning : warnings) {
                    String lw = warning.toLowerCase(Locale.ROOT);
                    if (lw.contains("missing eoi") || lw.contains("premature end of jpeg file")
                            || lw.contains("truncated")) {
                        throw new ImageDecodeException(name, "truncated or corrupt " + format + " (" + warning + ")");
                    }
                    LOG.debug("{}: {} decoder warning: {}", name, format, warning);
                }
                return toDecoded(bi, data, name, format, png);
            } finally {
                reader.dispose();
            }
        } catch (ImageDecodeException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new ImageDecodeException(name, "truncated or corrupt " + format + " (" + oneLine(e) + ")", e);
        }
    }

    private void checkPixels(String name, String format, long w, long h) throws ImageDecodeException {
        if (w <= 0 || h <= 0) {
            throw new ImageDecodeException(name, "corrupt " + format + " (image size " + w + "x" + h + ")");
        }
        if (w * h > maxPixels) {
            throw new ImageDecodeException(name, "image is " + w + "x" + h + " = " + (w * h)
                    + " pixels, more than the limit of " + maxPixels + " (decompression bomb guard)");
        }
        if (w * h * 4 > Integer.MAX_VALUE - 16) {
            throw new ImageDecodeException(name, "image is " + w + "x" + h + ", too large for one Java array");
        }
    }

    // ---------------------------------------------------------------- format sniffing and structural checks

    static String sniff(byte[] b) {
        if (startsWith(b, PNG_SIGNATURE)) {
            return "PNG";
        }
        if (b.length >= 3 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xd8 && (b[2] & 0xff) == 0xff) {
            return "JPEG";
        }
        if (startsWith(b, "GIF87a".getBytes()) || startsWith(b, "GIF89a".getBytes())) {
            return "GIF";
        }
        if (b.length >= 14 && b[0] == 'B' && b[1] == 'M') {
            return "BMP";
        }
        if (b.length >= 12 && startsWith(b, "RIFF".getBytes()) && b[8] == 'W' && b[9] == 'E' && b[10] == 'B'
                && b[11] == 'P') {
            return "WEBP";
        }
        return null;
    }

    /** What the PNG's IHDR says. */
    record PngHeader(int width, int height, int bitDepth, int colorType) {}

    /**
     * Walks the PNG chunk structure through IEND: every chunk must lie inside the file, critical chunks before the
     * image data must have correct CRCs (Pillow checks those too), there must be IDAT data and an IEND chunk. The
     * pixel limit is checked from IHDR before anything else.
     */
    private PngHeader checkPng(byte[] b, String name) throws ImageDecodeException {
        int len = b.length;
        if (len < 8 + 25 || !chunkTypeIs(b, 12, "IHDR")) {
            throw new ImageDecodeException(name, "truncated or corrupt PNG (no IHDR chunk after the signature)");
        }
        if (readInt(b, 8) != 13) {
            throw new ImageDecodeException(name, "corrupt PNG (IHDR length " + readInt(b, 8) + ", expected 13)");
        }
        long w = readInt(b, 16) & 0xffffffffL;
        long h = readInt(b, 20) & 0xffffffffL;
        checkPixels(name, "PNG", w, h);
        PngHeader header = new PngHeader((int) w, (int) h, b[24] & 0xff, b[25] & 0xff);
        int pos = 8;
        boolean seenIdat = false;
        CRC32 crc = new CRC32();
        while (true) {
            if (pos == len) {
                throw new ImageDecodeException(name, "truncated or corrupt PNG (file ends after " + len
                        + " bytes without an IEND chunk" + (seenIdat ? "" : " or any image data") + ")");
            }
            if (pos + 12 > len) {
                throw new ImageDecodeException(name, "truncated or corrupt PNG (file ends inside a chunk header at"
                        + " offset " + pos + ", " + len + " bytes in all)");
            }
            long length = readInt(b, pos) & 0xffffffffL;
            String type = new String(b, pos + 4, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
            if (length > Integer.MAX_VALUE || pos + 12 + length > len) {
                throw new ImageDecodeException(name, "truncated or corrupt PNG (" + printable(type)
                        + " chunk at offset " + pos + " needs " + (12 + length) + " bytes, only " + (len - pos)
                        + " left in the file)");
            }
            boolean critical = Character.isUpperCase(type.charAt(0));
            if (type.equals("IDAT")) {
                seenIdat = true;
            } else if (!seenIdat && critical) {
                crc.reset();
                crc.update(b, pos + 4, 4 + (int) length);
                int stored = readInt(b, pos + 8 + (int) length);
                if ((int) crc.getValue() != stored) {
                    throw new ImageDecodeException(name, "corrupt PNG (bad CRC in " + printable(type)
                            + " chunk at offset " + pos + ")");
                }
            }
            if (type.equals("IEND")) {
                break;
            }
            pos += 12 + (int) length;
        }
        if (!seenIdat) {
            throw new ImageDecodeException(name, "corrupt PNG (no IDAT image data before IEND)");
        }
        return header;
    }

    private static void checkRiff(byte[] b, String name) throws ImageDecodeException {
        long riffSize = (b[4] & 0xffL) | (b[5] & 0xffL) << 8 | (b[6] & 0xffL) << 16 | (b[7] & 0xffL) << 24;
        if (riffSize + 8 > b.length) {
            throw new ImageDecodeException(name, "truncated or corrupt WebP (RIFF header says " + (riffSize + 8)
                    + " bytes, the file has " + b.length + ")");
        }
    }

    // ---------------------------------------------------------------- raster -> Pillow mode

    private static DecodedImage toDecoded(BufferedImage bi, byte[] data, String name, String format, PngHeader png)
            throws ImageDecodeException {
        int w = bi.getWidth();
        int h = bi.getHeight();
        Raster r = bi.getRaster();
        ColorModel cm = bi.getColorModel();
        int nb = r.getNumBands();
        SampleModel sm = r.getSampleModel();

        if (png != null && png.colorType() == 0) {
            // Greyscale PNG: the JDK may hand it over as an IndexColorModel (1/2/4 bit) or with a tRNS alpha band.
            int bits = png.bitDepth();
            byte[] out = new byte[w * h];
            int[] row = new int[w];
            int max = (1 << bits) - 1;
            for (int y = 0; y < h; y++) {
                r.getSamples(0, y, w, 1, 0, row);
                for (int x = 0; x < w; x++) {
                    int v = row[x];
                    out[y * w + x] = (byte) (bits == 16 ? Math.min(v, 255) : bits == 8 ? v : v * 255 / max);
                }
            }
            return new DecodedImage(name, format, bits == 1 ? DecodedImage.Mode.ONE : DecodedImage.Mode.L, w, h, out,
                    null);
        }

        if (cm instanceof IndexColorModel icm && nb == 1) {
            byte[] idx = new byte[w * h];
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                r.getSamples(0, y, w, 1, 0, row);
                for (int x = 0; x < w; x++) {
                    idx[y * w + x] = (byte) row[x];
                }
            }
            int size = icm.getMapSize();
            byte[] pal = new byte[DecodedImage.PALETTE_BYTES];
            for (int i = 0; i < 256; i++) {
                // Pillow's ImagingPaletteNew starts from a grey ramp; the file's entries overwrite the first ones.
                boolean have = i < size;
                pal[i * 4] = (byte) (have ? icm.getRed(i) : i);
                pal[i * 4 + 1] = (byte) (have ? icm.getGreen(i) : i);
                pal[i * 4 + 2] = (byte) (have ? icm.getBlue(i) : i);
                pal[i * 4 + 3] = (byte) (have ? icm.getAlpha(i) : 255);
            }
            if (format.equals("BMP")) {
                DecodedImage.Mode grey = bmpGreyMode(icm);
                if (grey != null) {
                    byte[] out = new byte[w * h];
                    for (int i = 0; i < out.length; i++) {
                        out[i] = pal[(idx[i] & 0xff) * 4];
                    }
                    return new DecodedImage(name, format, grey, w, h, out, null);
                }
            }
            return new DecodedImage(name, format, DecodedImage.Mode.P, w, h, idx, pal);
        }

        if (cm instanceof IndexColorModel) {
            throw new ImageDecodeException(name, "unsupported " + format + " layout (" + nb + "-band indexed raster)");
        }

        // Direct samples. How many bands does Pillow keep?
        int keep = nb;
        if (png != null && png.colorType() == 2) {
            keep = 3; // RGB + tRNS: Pillow stays RGB
        } else if (format.equals("BMP") && nb == 4 && bmpIsPlain32(data)) {
            keep = 3;
        } else if (nb == 4 && !cm.hasAlpha()) {
            throw new ImageDecodeException(name, "unsupported " + format + " colour space (4 channels without"
                    + " alpha, e.g. CMYK)");
        }
        DecodedImage.Mode mode = switch (keep) {
            case 1 -> DecodedImage.Mode.L;
            case 2 -> DecodedImage.Mode.LA;
            case 3 -> DecodedImage.Mode.RGB;
            case 4 -> DecodedImage.Mode.RGBA;
            default -> throw new ImageDecodeException(name, "unsupported " + format + " layout (" + nb + " bands)");
        };
        byte[] out = new byte[w * h * keep];
        if (!fastCopyBytes(r, w, h, keep, out)) {
            int[] shifts = new int[keep];
            int[] maxes = new int[keep];
            for (int b = 0; b < keep; b++) {
                int bits = sm.getSampleSize(b);
                maxes[b] = (1 << bits) - 1;
                shifts[b] = bits > 8 ? bits - 8 : 0;
            }
            int[] row = new int[w * nb];
            for (int y = 0; y < h; y++) {
                r.getPixels(0, y, w, 1, row);
                for (int x = 0; x < w; x++) {
                    for (int b = 0; b < keep; b++) {
                        int v = row[x * nb + b];
                        int bits = sm.getSampleSize(b);
                        v = bits == 8 ? v : bits > 8 ? v >>> shifts[b] : v * 255 / maxes[b];
                        out[(y * w + x) * keep + b] = (byte) v;
                    }
                }
            }
        }
        return new DecodedImage(name, format, mode, w, h, out, null);
    }

    /** Byte-interleaved rasters (the usual case) are copied without going through int[] pixels. */
    private static boolean fastCopyBytes(Raster r, int w, int h, int keep, byte[] out) {
        if (!(r.getSampleModel() instanceof ComponentSampleModel csm) || r.getDataBuffer().getDataType()
                != DataBuffer.TYPE_BYTE || r.getDataBuffer().getNumBanks() != 1
                || r.getSampleModelTranslateX() != 0 || r.getSampleModelTranslateY() != 0) {
            return false;
        }
        for (int bank : csm.getBankIndices()) {
            if (bank != 0) {
                return false;
            }
        }
        byte[] src = ((DataBufferByte) r.getDataBuffer()).getData();
        int base = r.getDataBuffer().getOffset();
        int ps = csm.getPixelStride();
        int ss = csm.getScanlineStride();
        int[] bo = csm.getBandOffsets();
        if (keep == 3 && ps == 3 && bo[0] == 0 && bo[1] == 1 && bo[2] == 2 && ss == w * 3) {
            System.arraycopy(src, base, out, 0, w * h * 3);
            return true;
        }
        int o = 0;
        if (keep == 3 && ps == 3) { // e.g. TYPE_3BYTE_BGR
            int b0 = bo[0];
            int b1 = bo[1];
            int b2 = bo[2];
            for (int y = 0; y < h; y++) {
                for (int x = 0, p = base + y * ss; x < w; x++, p += 3) {
                    out[o++] = src[p + b0];
                    out[o++] = src[p + b1];
                    out[o++] = src[p + b2];
                }
            }
            return true;
        }
        for (int y = 0; y < h; y++) {
            int p = base + y * ss;
            for (int x = 0; x < w; x++, p += ps) {
                for (int b = 0; b < keep; b++) {
                    out[o++] = src[p + bo[b]];
                }
            }
        }
        return true;
    }

    /** Pillow's BmpImagePlugin: a palette equal to the grey ramp makes the image "L" (or "1" for 0/255). */
    private static DecodedImage.Mode bmpGreyMode(IndexColorModel icm) {
        int n = icm.getMapSize();
        if (n == 2) {
            boolean bw = icm.getRed(0) == 0 && icm.getGreen(0) == 0 && icm.getBlue(0) == 0
                    && icm.getRed(1) == 255 && icm.getGreen(1) == 255 && icm.getBlue(1) == 255;
            return bw ? DecodedImage.Mode.ONE : null;
        }
        for (int i = 0; i < n; i++) {
            if (icm.getRed(i) != i || icm.getGreen(i) != i || icm.getBlue(i) != i) {
                return null;
            }
        }
        return DecodedImage.Mode.L;
    }

    /** A 32-bit BMP with BI_RGB compression: Pillow reads it as "BGRX", i.e. RGB. */
    private static boolean bmpIsPlain32(byte[] b) {
        if (b.length < 34) {
            return false;
        }
        int headerSize = le32(b, 14);
        if (headerSize < 40) {
            return false;
        }
        int bitCount = (b[28] & 0xff) | (b[29] & 0xff) << 8;
        int compression = le32(b, 30);
        return bitCount == 32 && compression == 0;
    }

    // ---------------------------------------------------------------- small helpers

    private static boolean startsWith(byte[] b, byte[] prefix) {
        if (b.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (b[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean chunkTypeIs(byte[] b, int off, String type) {
        for (int i = 0; i < 4; i++) {
            if (b[off + i] != type.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static int readInt(byte[] b, int off) {
        return (b[off] & 0xff) << 24 | (b[off + 1] & 0xff) << 16 | (b[off + 2] & 0xff) << 8 | (b[off + 3] & 0xff);
    }

    private static int le32(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16 | (b[off + 3] & 0xff) << 24;
    }

    private static String printable(String chunkType) {
        StringBuilder sb = new StringBuilder();
        for (char c : chunkType.toCharArray()) {
            sb.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return sb.toString();
    }

    private static String hexPrefix(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(8, b.length); i++) {
            sb.append(String.format("%02x", b[i] & 0xff));
        }
        return sb.toString();
    }

    static String oneLine(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null && sb.length() < 300; t = t.getCause()) {
            if (sb.length() > 0) {
                sb.append(": ");
            }
            String m = t.getMessage();
            sb.append(m == null || m.isBlank() ? t.getClass().getSimpleName() : m.strip());
            if (t.getCause() == t) {
                break;
            }
        }
        return sb.toString().replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }
}
