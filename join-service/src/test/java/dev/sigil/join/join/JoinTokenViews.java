package dev.sigil.join.join;

/** A join-token view as a started join-service has it: it knows where sigil.join-tokens ended at start. */
public final class JoinTokenViews {

    public static JoinTokenView started(String bootstrapServers) {
        JoinTokenView view = new JoinTokenView();
        view.bootstrapServers = bootstrapServers;
        view.start(null);
        return view;
    }

    private JoinTokenViews() {
    }
}
