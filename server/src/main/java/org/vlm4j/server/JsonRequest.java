package org.vlm4j.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;

/** A parsed JSON request body with typed field access; every problem is a 400 naming the field. */
final class JsonRequest {
    static final ObjectMapper JSON = new ObjectMapper();

    private final JsonNode root;

    private JsonRequest(JsonNode root) {
        this.root = root;
    }

    static JsonRequest parse(byte[] body) {
        if (body.length == 0) {
            throw ApiException.badRequest("empty request body: expected a JSON object");
        }
        JsonNode n;
        try {
            n = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("malformed JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw ApiException.badRequest("unreadable JSON body");
        }
        if (n == null || !n.isObject()) {
            throw ApiException.badRequest("expected a JSON object, got " + (n == null ? "nothing" : n.getNodeType()));
        }
        return new JsonRequest(n);
    }

    boolean has(String field) {
        return root.hasNonNull(field);
    }

    String string(String field) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            throw ApiException.badRequest("missing field '" + field + "'");
        }
        if (!n.isTextual()) {
            throw ApiException.badRequest("field '" + field + "' must be a string, got " + n.getNodeType());
        }
        return n.asText();
    }

    int integer(String field, int dflt) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw ApiException.badRequest("field '" + field + "' must be an integer, got " + n.getNodeType());
        }
        return n.asInt();
    }

    boolean bool(String field, boolean dflt) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.isBoolean()) {
            throw ApiException.badRequest("field '" + field + "' must be true or false, got " + n.getNodeType());
        }
        return n.asBoolean();
    }

    /** A list of strings (absent: empty); more than {@code max} entries is a 413. */
    List<String> strings(String field, int max) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return List.of();
        }
        if (!n.isArray()) {
            throw ApiException.badRequest("field '" + field + "' must be an array of strings, got " + n.getNodeType());
        }
        if (n.size() > max) {
            throw ApiException.tooLarge("field '" + field + "' has " + n.size() + " entries, the limit is " + max);
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n.size(); i++) {
            if (!n.get(i).isTextual()) {
                throw ApiException.badRequest("field '" + field + "'[" + i + "] must be a string, got "
                        + n.get(i).getNodeType());
            }
            out.add(n.get(i).asText());
        }
        return out;
    }
}
