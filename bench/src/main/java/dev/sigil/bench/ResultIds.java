package dev.sigil.bench;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonParser;

import dev.sigil.contract.EventJson;

/** Drivers match results to requests by id; they share the two cores with what they measure, so they parse little. */
final class ResultIds {
    private ResultIds() {
    }

    /** A result's request id, its first field, read without parsing the certificates after it. */
    static String requestId(String result) throws IOException {
        try (JsonParser parser = EventJson.MAPPER.getFactory().createParser(result)) {
            parser.nextToken();
            return "requestId".equals(parser.nextFieldName()) ? parser.nextTextValue() : null;
        }
    }
}
