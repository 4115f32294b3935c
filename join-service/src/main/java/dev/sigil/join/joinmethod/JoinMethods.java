package dev.sigil.join.joinmethod;

import java.util.Map;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import dev.sigil.contract.Refusal;
import dev.sigil.join.api.RefusalException;

/** Every join method this join-service knows, by name. */
@ApplicationScoped
public class JoinMethods {
    private final Map<String, JoinMethod> byName = new TreeMap<>();

    public JoinMethods(Instance<JoinMethod> methods) {
        methods.forEach(m -> byName.put(m.name(), m));
    }

    public JoinMethod require(String name) {
        JoinMethod method = name == null ? null : byName.get(name);
        if (method == null) {
            throw new RefusalException(400, Refusal.UNSUPPORTED_JOIN_METHOD, "join method '" + name
                    + "' is not supported; use one of " + byName.keySet());
        }
        return method;
    }
}
