package org.rlhf4j.datasets;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Packs short examples into rows of at most {@code maxSeqLen} tokens by best-fit decreasing:
 * examples are taken longest first (ties in input order) and each goes into the open row with the
 * least room that still fits it, or a new row. Deterministic: the same input gives the same rows.
 * Each example keeps its own loss mask and becomes a segment ({@link TrainingSequence#segmentStarts}),
 * so the collator keeps attention and positions apart.
 */
public final class SequencePacker {

    private SequencePacker() {}

    /**
     * Packs single-segment examples, each at most {@code maxSeqLen} long, into rows.
     *
     * @throws IllegalArgumentException if an example is longer than {@code maxSeqLen} or already packed
     */
    public static List<TrainingSequence> pack(List<TrainingSequence> examples, int maxSeqLen) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < examples.size(); i++) {
            TrainingSequence e = examples.get(i);
            if (e.length() > maxSeqLen || e.segmentStarts().length != 1) {
                throw new IllegalArgumentException("example " + i + " cannot be packed: length " + e.length()
                        + ", " + e.segmentStarts().length + " segment(s), max_seq_len " + maxSeqLen);
            }
            order.add(i);
        }
        order.sort(Comparator.comparingInt((Integer i) -> -examples.get(i).length()));
        List<List<TrainingSequence>> rows = new ArrayList<>();
        List<Integer> used = new ArrayList<>();
        TreeMap<Integer, Deque<Integer>> rowsByRoom = new TreeMap<>(); // room left -> rows, oldest first
        for (int i : order) {
            TrainingSequence e = examples.get(i);
            Map.Entry<Integer, Deque<Integer>> fit = rowsByRoom.ceilingEntry(e.length());
            int row;
            if (fit == null) {
                row = rows.size();
                rows.add(new ArrayList<>());
                used.add(0);
            } else {
                row = fit.getValue().pollFirst();
                if (fit.getValue().isEmpty()) {
                    rowsByRoom.remove(fit.getKey());
                }
            }
            rows.get(row).add(e);
            used.set(row, used.get(row) + e.length());
            int room = maxSeqLen - used.get(row);
            if (room > 0) {
                rowsByRoom.computeIfAbsent(room, r -> new ArrayDeque<>()).addLast(row);
            }
        }
        List<TrainingSequence> packed = new ArrayList<>(rows.size());
        for (List<TrainingSequence> row : rows) {
            packed.add(concatenate(row));
        }
        return packed;
    }

    /** Joins examples into one row with a segment per example. */
    static TrainingSequence concatenate(List<TrainingSequence> parts) {
        int length = parts.stream().mapToInt(TrainingSequence::length).sum();
        int[] ids = new int[length];
        boolean[] mask = new boolean[length];
        int[] starts = new int[parts.size()];
        int at = 0;
        for (int s = 0; s < parts.size(); s++) {
            TrainingSequence p = parts.get(s);
            starts[s] = at;
            System.arraycopy(p.ids(), 0, ids, at, p.length());
            System.arraycopy(p.lossMask(), 0, mask, at, p.length());
            at += p.length();
        }
        return new TrainingSequence(ids, mask, starts);
    }
}
