package org.vlm4j.io.convert;

import com.fasterxml.jackson.databind.JsonNode;

/** Reads fields of a foreign config JSON with defaults, and fails naming the file and field when one is required. */
final class JsonFields {
    private final JsonNode node;
    private final String where;

    JsonFields(JsonNode node, String where) {
        this.node = node;
        this.where = where;
    }

    JsonFields object(String field) {
        JsonNode n = node.get(field);
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException(where + ": missing field '" + field + "' (an object)");
        }
        return new JsonFields(n, where + " [" + field + "]");
    }

    /** The object under {@code field}, or an empty one (all defaults) when absent. */
    JsonFields objectOrEmpty(String field) {
        JsonNode n = node.get(field);
        return new JsonFields(n != null && n.isObject() ? n : com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode(), where + " [" + field + "]");
    }

    boolean has(String field) {
        JsonNode n = node.get(field);
        return n != null && !n.isNull();
    }

    int requiredInt(String field) {
        if (!has(field)) {
            throw new IllegalArgumentException(where + ": missing field '" + field + "'");
        }
        return intValue(field);
    }

    int intOr(String field, int dflt) {
        return has(field) ? intValue(field) : dflt;
    }

    private int intValue(String field) {
        JsonNode n = node.get(field);
        if (n.isArray() && n.size() == 2 && n.get(0).asInt() == n.get(1).asInt()) {
            return n.get(0).asInt(); // square [h, w] image sizes
        }
        if (!n.canConvertToInt() || !n.isNumber()) {
            throw new IllegalArgumentException(where + ": field '" + field + "' must be an integer, got " + n);
        }
        return n.asInt();
    }

    double doubleOr(String field, double dflt) {
        return has(field) ? node.get(field).asDouble() : dflt;
    }

    Double doubleOrNull(String field) {
        return has(field) ? node.get(field).asDouble() : null;
    }

    float[] floatsOr(String field, float[] dflt) {
        if (!has(field)) {
            return dflt;
        }
        JsonNode n = node.get(field);
        if (!n.isArray()) {
            throw new IllegalArgumentException(where + ": field '" + field + "' must be a list of numbers");
        }
        float[] out = new float[n.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) n.get(i).asDouble();
        }
        return out;
    }

    boolean boolOr(String field, boolean dflt) {
        return has(field) ? node.get(field).asBoolean() : dflt;
    }

    String stringOr(String field, String dflt) {
        return has(field) ? node.get(field).asText() : dflt;
    }

    /** Fails when an option we do not implement is switched on. */
    void unsupportedIfSet(String field, String why) {
        JsonNode n = node.get(field);
        if (n != null && !n.isNull() && !(n.isBoolean() && !n.asBoolean()) && !(n.isTextual() && n.asText().isEmpty())) {
            throw new IllegalArgumentException(where + ": field '" + field + "' = " + n + " is not supported: " + why);
        }
    }
}
