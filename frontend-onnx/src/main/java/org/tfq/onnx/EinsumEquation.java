package org.tfq.onnx;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A two-operand einsum equation parsed into one label per axis of each operand and of the
 * result, ellipses expanded into fresh labels (right-aligned, as numpy and ONNX align them) and an
 * implicit result ("ij,jk") made explicit. Anything that is not a product of two operands
 * (one or three operands, a label repeated within an operand) is refused here with the equation
 * named.
 */
record EinsumEquation(String text, List<Character> a, List<Character> b, List<Character> out) {

    static EinsumEquation parse(String equation, int rankA, int rankB) {
        String eq = equation.replace(" ", "");
        String[] sides = eq.split("->", -1);
        if (sides.length > 2) throw refuse(equation, "has more than one '->'");
        String[] operands = sides[0].split(",", -1);
        if (operands.length != 2) {
            throw refuse(equation, "has " + operands.length + " operand(s); tfq supports einsum of two operands (a matrix product)");
        }
        Set<Character> used = new TreeSet<>();
        for (char c : eq.toCharArray()) if (Character.isLetter(c)) used.add(c);
        int ellipsisRank = Math.max(ellipsisRank(equation, operands[0], rankA), ellipsisRank(equation, operands[1], rankB));
        List<Character> fresh = new ArrayList<>();
        for (char c = 'A'; fresh.size() < ellipsisRank && c <= 'z'; c++) if (Character.isLetter(c) && !used.contains(c)) fresh.add(c);
        List<Character> a = labels(equation, operands[0], rankA, fresh);
        List<Character> b = labels(equation, operands[1], rankB, fresh);
        List<Character> out;
        if (sides.length == 2) {
            out = labels(equation, sides[1], -1, fresh);
        } else {
            // implicit result: the ellipsis axes, then the labels used once, in alphabetical order
            out = new ArrayList<>(fresh);
            Set<Character> once = new TreeSet<>();
            for (char c : used) if (count(a, c) + count(b, c) == 1) once.add(c);
            out.addAll(once);
        }
        for (List<Character> side : List.of(a, b)) {
            for (char c : side) if (count(side, c) > 1) throw refuse(equation, "repeats '" + c + "' within one operand (a diagonal or trace), which is not a matrix product");
        }
        for (char c : out) {
            if (count(out, c) > 1) throw refuse(equation, "repeats '" + c + "' in its result");
            if (!a.contains(c) && !b.contains(c)) throw refuse(equation, "has '" + c + "' in its result but in no operand");
        }
        for (List<Character> side : List.of(a, b)) {
            List<Character> other = side == a ? b : a;
            for (char c : side) {
                if (!out.contains(c) && !other.contains(c)) {
                    throw refuse(equation, "sums '" + c + "' over one operand only, which is not a matrix product");
                }
            }
        }
        return new EinsumEquation(equation, a, b, out);
    }

    /** Labels in both operands and the result: the batch axes of the product, in result order. */
    List<Character> batch() {
        return out.stream().filter(c -> a.contains(c) && b.contains(c)).toList();
    }

    /** Labels of the first operand that survive (rows of the product), in result order. */
    List<Character> rows() {
        return out.stream().filter(c -> a.contains(c) && !b.contains(c)).toList();
    }

    /** Labels of the second operand that survive (columns of the product), in result order. */
    List<Character> columns() {
        return out.stream().filter(c -> b.contains(c) && !a.contains(c)).toList();
    }

    /** Labels summed over (the inner dimension of the product), in the first operand's order. */
    List<Character> contracted() {
        return a.stream().filter(c -> b.contains(c) && !out.contains(c)).toList();
    }

    EinsumEquation swapped() {
        return new EinsumEquation(text, b, a, out);
    }

    private static int ellipsisRank(String equation, String operand, int rank) {
        if (!operand.contains("...")) return 0;
        int letters = operand.replace("...", "").length();
        if (rank < letters) throw refuse(equation, "does not fit an operand of rank " + rank);
        return rank - letters;
    }

    /** One label per axis; rank -1 for the result (its ellipsis is the widest operand's). */
    private static List<Character> labels(String equation, String side, int rank, List<Character> fresh) {
        int at = side.indexOf("...");
        if (at >= 0 && side.indexOf("...", at + 1) >= 0) throw refuse(equation, "has two ellipses in one term");
        String plain = side.replace("...", "");
        for (char c : plain.toCharArray()) {
            if (!Character.isLetter(c)) throw refuse(equation, "has '" + c + "', which is neither a letter nor an ellipsis");
        }
        List<Character> r = new ArrayList<>();
        int span = at < 0 ? 0 : rank < 0 ? fresh.size() : rank - plain.length();
        if (at < 0 && rank >= 0 && plain.length() != rank) {
            throw refuse(equation, "names " + plain.length() + " axes of an operand of rank " + rank);
        }
        for (int i = 0; i < side.length(); i++) {
            if (side.startsWith("...", i)) {
                r.addAll(fresh.subList(fresh.size() - span, fresh.size()));
                i += 2;
            } else {
                r.add(side.charAt(i));
            }
        }
        return r;
    }

    private static int count(List<Character> l, char c) {
        int n = 0;
        for (char x : l) if (x == c) n++;
        return n;
    }

    static OnnxImportException refuse(String equation, String why) {
        return new OnnxImportException("Einsum equation '" + equation + "' " + why);
    }
}
