package org.vlm4j.experiment;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An experiment's result: the table (one row per setting), the exact settings it ran with, and the verdict on the
 * claim, computed from the table by a rule stated in {@code verdict}.
 *
 * @param held    whether the claim held on this run
 * @param verdict one or two sentences: the rule and what the numbers gave
 */
public record ExperimentTable(String name, String claim, List<String> columns, List<List<Object>> rows,
                              Map<String, Object> settings, boolean held, String verdict) {
    public ExperimentTable {
        for (List<Object> row : rows) {
            if (row.size() != columns.size()) {
                throw new IllegalArgumentException(name + ": a row has " + row.size() + " cells for " + columns.size()
                        + " columns");
            }
        }
        rows = List.copyOf(rows.stream().map(r -> (List<Object>) new ArrayList<>(r)).toList());
        settings = new LinkedHashMap<>(settings);
    }

    /** The table as GitHub markdown, with the claim, the verdict and the settings. */
    public String toMarkdown() {
        StringBuilder b = new StringBuilder();
        b.append("## ").append(name).append("\n\n");
        b.append("Claim: ").append(claim).append("\n\n");
        b.append("| ").append(String.join(" | ", columns)).append(" |\n");
        b.append("|").append("---|".repeat(columns.size())).append("\n");
        for (List<Object> row : rows) {
            b.append("| ");
            for (int i = 0; i < row.size(); i++) {
                b.append(i > 0 ? " | " : "").append(cell(row.get(i)));
            }
            b.append(" |\n");
        }
        b.append("\n**").append(held ? "Held" : "Did not hold").append(" here.** ").append(verdict).append("\n\n");
        b.append("Settings:\n");
        settings.forEach((k, v) -> b.append("- ").append(k).append(": ").append(v).append("\n"));
        return b.toString();
    }

    private static String cell(Object v) {
        if (v instanceof Double || v instanceof Float) {
            return String.format(Locale.ROOT, "%.3f", ((Number) v).doubleValue());
        }
        return String.valueOf(v).replace("|", "\\|"); // a pipe in a label would split the markdown cell
    }

    /** {@code name, claim, held, verdict, columns, rows (objects keyed by column), settings}. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("claim", claim);
        m.put("held", held);
        m.put("verdict", verdict);
        m.put("columns", columns);
        List<Map<String, Object>> rs = new ArrayList<>();
        for (List<Object> row : rows) {
            Map<String, Object> r = new LinkedHashMap<>();
            for (int i = 0; i < columns.size(); i++) {
                r.put(columns.get(i), row.get(i));
            }
            rs.add(r);
        }
        m.put("rows", rs);
        m.put("settings", settings);
        return m;
    }
}
