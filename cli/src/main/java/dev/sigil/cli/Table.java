package dev.sigil.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;

import dev.sigil.contract.EventJson;

/** A readable table of API items: one column per field, values lined up, empty values as "-". */
public final class Table {
    private final List<String> headers;
    private final List<Function<JsonNode, String>> cells;

    private Table(List<String> headers, List<Function<JsonNode, String>> cells) {
        this.headers = headers;
        this.cells = cells;
    }

    /** Columns by header and field name (a path such as {@code identity.validBefore} reaches into objects). */
    public static Table of(String... headersAndFields) {
        List<String> headers = new ArrayList<>();
        List<Function<JsonNode, String>> cells = new ArrayList<>();
        for (int i = 0; i < headersAndFields.length; i += 2) {
            headers.add(headersAndFields[i]);
            String field = headersAndFields[i + 1];
            cells.add(item -> text(at(item, field)));
        }
        return new Table(headers, cells);
    }

    public Table with(String header, Function<JsonNode, String> cell) {
        List<String> h = new ArrayList<>(headers);
        List<Function<JsonNode, String>> c = new ArrayList<>(cells);
        h.add(header);
        c.add(cell);
        return new Table(h, c);
    }

    /** Prints the items of a list answer, or the API's JSON with --format json. */
    public void print(JsonNode list) {
        if (Sigil.json()) {
            System.out.println(EventJson.write(list));
            return;
        }
        JsonNode items = list.isArray() ? list : list.path("items");
        List<String[]> rows = new ArrayList<>();
        rows.add(headers.toArray(String[]::new));
        for (JsonNode item : items) {
            rows.add(cells.stream().map(cell -> cell.apply(item)).toArray(String[]::new));
        }
        int[] widths = new int[headers.size()];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                out.append(row[i]);
                if (i < row.length - 1) {
                    out.append(" ".repeat(widths[i] - row[i].length() + 2));
                }
            }
            out.append('\n');
        }
        System.out.print(out);
    }

    /** One resource as "field: value" lines, or its JSON with --format json. */
    public static void printOne(JsonNode resource) {
        if (Sigil.json()) {
            System.out.println(EventJson.write(resource));
            return;
        }
        int width = 0;
        for (Map.Entry<String, JsonNode> field : (Iterable<Map.Entry<String, JsonNode>>) resource::fields) {
            width = Math.max(width, field.getKey().length());
        }
        for (Map.Entry<String, JsonNode> field : (Iterable<Map.Entry<String, JsonNode>>) resource::fields) {
            System.out.println(field.getKey() + ":" + " ".repeat(width - field.getKey().length() + 1) + text(field.getValue()));
        }
    }

    public static JsonNode at(JsonNode item, String path) {
        JsonNode node = item;
        for (String part : path.split("\\.")) {
            node = node.path(part);
        }
        return node;
    }

    /** A value as one line: lists joined by commas, objects as compact JSON, nothing as "-". */
    public static String text(JsonNode value) {
        if (value == null || value.isMissingNode() || value.isNull()) {
            return "-";
        }
        if (value.isArray()) {
            List<String> parts = new ArrayList<>();
            value.forEach(v -> parts.add(v.isValueNode() ? v.asText() : EventJson.write(v)));
            return parts.isEmpty() ? "-" : String.join(",", parts);
        }
        if (value.isObject()) {
            return value.isEmpty() ? "-" : EventJson.write(value);
        }
        String text = value.asText();
        return text.isEmpty() ? "-" : text;
    }
}
