package org.vlm4j.io;

import java.nio.file.Path;

/** A safetensors file that cannot be read as it claims to be; the message names the file. */
public class SafeTensorsException extends IllegalArgumentException {
    public SafeTensorsException(Path file, String problem) {
        super(file + ": " + problem);
    }
}
