package org.tfq.compiler;

import org.tfq.ir.FloatTensor;

/**
 * What {@link Compiler#generate} puts beside the engine: {@code vectors} test vectors from
 * {@code samples} (random input codes when null), per-layer checks, the top level
 * ({@code spi} adds the SPI slave), and the version line of every generated header.
 */
public record Testbench(FloatTensor samples, int vectors, boolean checkLayers, boolean spi, String version) {}
