package dev.sigil.deploy;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Hostile values for every field of a contract record, found by walking the record's components (and those of the
 * records, lists and maps inside it): for each field, values that break a name's grammar (empty, spaces, '#',
 * control characters, unicode, over-long and huge strings...) or the field's JSON type, and values a lenient reader
 * may take as valid (numbers and booleans for strings, nulls). Each comes as a {@link Variant}: where it goes and
 * what it breaks, applied to a fresh base document with {@link #apply}.
 */
final class HostileValues {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    /** Strings no name grammar accepts: every one must be refused wherever it names something. */
    static final List<String> STRINGS = List.of(
            "", " ", "a b", "#300000", "#", "a\u0000b", "a\nb", "\r\n", "\u001b[31mred", "del\u007f",
            "ü-é", "日本語", "😀", "\u202egnp.exe", "a\u200bb", "../../etc/passwd", "root,admin", "CN=evil,O=x+OU=y",
            "${jndi:ldap://127.0.0.1/a}", "\"'<>;|&`$(id)", "*", "/svc/a b", "/svc/../etc", "/svc//x",
            "x".repeat(300), "y".repeat(70_000));
    /** A smaller set with one of each kind, for records that are not issue requests. */
    static final List<String> COMPACT = List.of("", "a b", "#300000", "a\n\u0000b", "😀\u202e", "x".repeat(300), "root,admin");

    /** What a value breaks, which says what a reader must do with it. */
    enum Breaks {
        /** Nothing a reader must refuse: a coercible scalar, a null, an empty list. */
        NOTHING,
        /** A grammar or limit: refused where the field names something that reaches a certificate, file or config line. */
        GRAMMAR,
        /** The field's JSON type: refused everywhere, since no reader can take it as the field. */
        STRUCTURE
    }

    record Value(String label, JsonNode json, Breaks breaks) {
    }

    /** A hostile value for the field at {@code path} (field names and list indexes). */
    record Variant(List<Object> path, Value value) {
        String where() {
            StringBuilder b = new StringBuilder();
            for (Object p : path) {
                if (p instanceof Integer i) {
                    b.append('[').append(i).append(']');
                } else {
                    b.append(b.length() == 0 ? "" : ".").append(p);
                }
            }
            return b.toString();
        }

        String describe() {
            return where() + " = " + value.label();
        }

        /** Whether a reader must refuse it: a wrong type anywhere, a broken grammar in a field that is checked. */
        boolean mustBeRefused(java.util.function.Predicate<String> checked) {
            return value.breaks() == Breaks.STRUCTURE || (value.breaks() == Breaks.GRAMMAR && checked.test(where()));
        }
    }

    private final List<String> strings;
    private final int maxDepth;

    /**
     * @param strings the hostile strings to use
     * @param maxDepth how deep to walk into nested records, lists of records and maps (1: only the record's own fields)
     */
    HostileValues(List<String> strings, int maxDepth) {
        this.strings = strings;
        this.maxDepth = maxDepth;
    }

    /**
     * Every hostile variant of the record's fields. {@code base} is a valid document of the type: nested records are
     * walked where it has them, and a list of records is walked through its first element when it has one.
     */
    List<Variant> walk(Class<? extends Record> type, JsonNode base) {
        List<Variant> out = new ArrayList<>();
        walk(type, base, new ArrayList<>(), 1, out);
        return out;
    }

    private void walk(Class<?> type, JsonNode base, List<Object> at, int depth, List<Variant> out) {
        for (RecordComponent component : type.getRecordComponents()) {
            List<Object> path = new ArrayList<>(at);
            path.add(component.getName());
            Type fieldType = component.getGenericType();
            JsonNode current = base == null ? null : base.get(component.getName());
            for (Value value : valuesFor(fieldType)) {
                out.add(new Variant(List.copyOf(path), value));
            }
            if (depth >= maxDepth) {
                continue;
            }
            Class<?> raw = raw(fieldType);
            if (Map.class.isAssignableFrom(raw) && current != null && current.isObject()) {
                // each entry the base has, e.g. traits.logins or config.issuer
                for (String key : (Iterable<String>) current::fieldNames) {
                    List<Object> entry = new ArrayList<>(path);
                    entry.add(key);
                    for (Value value : valuesFor(argument(fieldType, 1))) {
                        out.add(new Variant(List.copyOf(entry), value));
                    }
                }
            } else if (raw.isRecord() && current != null && current.isObject()) {
                walk(raw, current, path, depth + 1, out);
            } else if (List.class.isAssignableFrom(raw) && raw(argument(fieldType, 0)).isRecord() && current != null
                    && current.isArray() && !current.isEmpty()) {
                path.add(0);
                walk(raw(argument(fieldType, 0)), current.get(0), path, depth + 1, out);
            }
        }
    }

    /** The hostile values for one field of this type. */
    private List<Value> valuesFor(Type type) {
        Class<?> raw = raw(type);
        List<Value> values = new ArrayList<>();
        if (raw == String.class) {
            for (String s : strings) {
                values.add(new Value(label(s), JSON.textNode(s), Breaks.GRAMMAR));
            }
            values.add(new Value("[]", JSON.arrayNode(), Breaks.STRUCTURE));
            values.add(new Value("{}", JSON.objectNode(), Breaks.STRUCTURE));
            values.add(new Value("0", JSON.numberNode(0), Breaks.NOTHING));
            values.add(new Value("true", JSON.booleanNode(true), Breaks.NOTHING));
            values.add(new Value("null", JSON.nullNode(), Breaks.NOTHING));
        } else if (List.class.isAssignableFrom(raw)) {
            Class<?> element = raw(argument(type, 0));
            if (element == String.class) {
                for (String s : strings) {
                    values.add(new Value("[" + label(s) + "]", JSON.arrayNode().add(s), Breaks.GRAMMAR));
                }
                ArrayNode many = JSON.arrayNode();
                for (int i = 0; i < 3000; i++) {
                    many.add("x" + i);
                }
                values.add(new Value("3000 entries", many, Breaks.NOTHING));
            } else {
                values.add(new Value("[\"str\"]", JSON.arrayNode().add("str"), Breaks.STRUCTURE));
            }
            values.add(new Value("\"str\"", JSON.textNode("str"), Breaks.STRUCTURE));
            values.add(new Value("{}", JSON.objectNode(), Breaks.STRUCTURE));
            values.add(new Value("[null]", JSON.arrayNode().addNull(), Breaks.STRUCTURE));
            values.add(new Value("[]", JSON.arrayNode(), Breaks.NOTHING));
            values.add(new Value("null", JSON.nullNode(), Breaks.NOTHING));
        } else if (raw == Duration.class) {
            values.add(new Value("-1h", JSON.textNode("-1h"), Breaks.STRUCTURE));
            values.add(new Value("PT-1H", JSON.textNode("PT-1H"), Breaks.GRAMMAR));
            values.add(new Value("0s", JSON.textNode("0s"), Breaks.GRAMMAR));
            values.add(new Value("-1", JSON.numberNode(-1), Breaks.GRAMMAR));
            values.add(new Value("\"\"", JSON.textNode(""), Breaks.STRUCTURE));
            values.add(new Value("a b", JSON.textNode("a b"), Breaks.STRUCTURE));
            values.add(new Value("1e309", JSON.numberNode(new java.math.BigDecimal("1e309")), Breaks.STRUCTURE));
            values.add(new Value("99999999999d", JSON.textNode("99999999999d"), Breaks.NOTHING));
            values.add(new Value("{}", JSON.objectNode(), Breaks.STRUCTURE));
            values.add(new Value("null", JSON.nullNode(), Breaks.NOTHING));
        } else if (raw == Instant.class) {
            values.add(new Value("not-a-date", JSON.textNode("not-a-date"), Breaks.STRUCTURE));
            values.add(new Value("-1", JSON.numberNode(-1), Breaks.NOTHING));
            values.add(new Value("year 1000000000", JSON.textNode("+1000000000-12-31T23:59:59Z"), Breaks.NOTHING));
            values.add(new Value("1e300", JSON.numberNode(new java.math.BigDecimal("1e300")), Breaks.NOTHING));
            values.add(new Value("{}", JSON.objectNode(), Breaks.STRUCTURE));
            values.add(new Value("null", JSON.nullNode(), Breaks.NOTHING));
        } else if (raw == long.class || raw == Long.class || raw == int.class || raw == Integer.class) {
            values.add(new Value("-1", JSON.numberNode(-1), Breaks.NOTHING));
            values.add(new Value("Long.MAX_VALUE", JSON.numberNode(Long.MAX_VALUE), Breaks.NOTHING));
            values.add(new Value("1e400", JSON.numberNode(new java.math.BigDecimal("1e400")), Breaks.STRUCTURE));
            values.add(new Value("\"x\"", JSON.textNode("x"), Breaks.STRUCTURE));
            values.add(new Value("{}", JSON.objectNode(), Breaks.STRUCTURE));
            values.add(new Value("null", JSON.nullNode(), Breaks.NOTHING));
        } else if (raw == boolean.class || raw == Boolean.class) {
            values.add(new Value("\"x\"", JSON.textNode("x"), Breaks.STRUCTURE));
            values.add(new Value("{}", JSON.objectNode(), Breaks.STRUCTURE));
            values.add(new Value("null", JSON.nullNode(), Breaks.NOTHING));
        } else if (Map.class.isAssignableFrom(raw)) {
            Class<?> valueType = raw(argument(type, 1));
            JsonNode ordinary = List.class.isAssignableFrom(valueType) ? JSON.arrayNode().add("x") : JSON.textNode("x");
            for (String s : strings) {
                values.add(new Value("{" + label(s) + ": ...}", JSON.objectNode().set(s, ordinary), Breaks.GRAMMAR));
            }
            values.add(new Value("\"str\"", JSON.textNode("str"), Breaks.STRUCTURE));
            values.add(new Value("[]", JSON.arrayNode(), Breaks.STRUCTURE));
            values.add(new Value("null", JSON.nullNode(), Breaks.NOTHING));
        } else if (raw.isRecord()) {
            values.add(new Value("\"str\"", JSON.textNode("str"), Breaks.STRUCTURE));
            values.add(new Value("[]", JSON.arrayNode(), Breaks.STRUCTURE));
            values.add(new Value("0", JSON.numberNode(0), Breaks.STRUCTURE));
            values.add(new Value("{}", JSON.objectNode(), Breaks.NOTHING));
            values.add(new Value("null", JSON.nullNode(), Breaks.NOTHING));
        } else {
            values.add(new Value("[]", JSON.arrayNode(), Breaks.STRUCTURE));
            values.add(new Value("{}", JSON.objectNode(), Breaks.STRUCTURE));
            values.add(new Value("null", JSON.nullNode(), Breaks.NOTHING));
        }
        return values;
    }

    /** A copy of {@code base} with the variant's value put in place (parents it lacks are made). */
    static ObjectNode apply(ObjectNode base, Variant variant) {
        ObjectNode copy = base.deepCopy();
        JsonNode parent = copy;
        List<Object> path = variant.path();
        for (int i = 0; i < path.size() - 1; i++) {
            Object step = path.get(i);
            Object next = path.get(i + 1);
            JsonNode child = step instanceof Integer index ? parent.get(index) : parent.get((String) step);
            if (child == null || !(child.isObject() || child.isArray())) {
                child = next instanceof Integer ? JSON.arrayNode().add(JSON.objectNode()) : JSON.objectNode();
                set(parent, step, child);
            }
            parent = child;
        }
        set(parent, path.get(path.size() - 1), variant.value().json());
        return copy;
    }

    private static void set(JsonNode parent, Object step, JsonNode value) {
        if (step instanceof Integer index) {
            ((ArrayNode) parent).set(index, value);
        } else {
            ((ObjectNode) parent).set((String) step, value);
        }
    }

    /** A hostile string as a report may show it. */
    static String label(String s) {
        String shown = s.length() > 24 ? s.substring(0, 12) + "…(" + s.length() + " chars)" : s;
        StringBuilder b = new StringBuilder("\"");
        shown.codePoints().forEach(c -> {
            if (c < 0x20 || c == 0x7f || Character.getType(c) == Character.FORMAT) {
                b.append(String.format("\\u%04x", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.append('"').toString();
    }

    private static Class<?> raw(Type type) {
        if (type instanceof Class<?> c) {
            return c;
        }
        if (type instanceof ParameterizedType p) {
            return (Class<?>) p.getRawType();
        }
        return Object.class;
    }

    private static Type argument(Type type, int index) {
        return type instanceof ParameterizedType p ? p.getActualTypeArguments()[index] : Object.class;
    }
}
