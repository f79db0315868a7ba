package org.tfq.ir.io;

import java.nio.file.Files;
import java.nio.file.Path;
import org.tfq.ir.IrException;

/**
 * Input files must be regular files: a device ({@code /dev/zero}) or a FIFO has no size to
 * check against a limit and never ends, so reading it ran until the heap was gone. Checked
 * without opening (opening a FIFO blocks until someone writes to it).
 */
public final class RegularFile {
    private RegularFile() {}

    /** {@code p}, or an {@link IrException} naming it and {@code what} it was given as. */
    public static Path require(Path p, String what) {
        if (Files.exists(p) && !Files.isDirectory(p) && !Files.isRegularFile(p)) {
            throw new IrException(p + ": not a regular file (a device, FIFO or socket); give " + what + " as a file");
        }
        return p;
    }
}
