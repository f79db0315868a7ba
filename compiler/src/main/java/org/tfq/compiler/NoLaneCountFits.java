package org.tfq.compiler;

import org.tfq.ir.IrException;
import org.tfq.passes.resources.LaneChooser;

/**
 * No candidate lane count fits the part: the choice holds every candidate's estimate, so the
 * caller can say what the smallest needs and what would help.
 */
public final class NoLaneCountFits extends IrException {
    private final transient LaneChooser.Choice choice;

    NoLaneCountFits(String part, LaneChooser.Choice choice) {
        super("no lane count fits " + part);
        this.choice = choice;
    }

    public LaneChooser.Choice choice() {
        return choice;
    }
}
